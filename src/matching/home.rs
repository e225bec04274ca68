//! Home address comparator: the same street address, a similar one, otherwise how close the
//! resolved divisions are.

use super::levels::levels;
use super::place::{self, PlaceLevel};
use crate::analysis::Profile;

levels! {
    pub enum HomeLevel {
        SameAddress => "same_address",
        SimilarAddress => "similar_address",
        OtherAddressSameTown => "other_address_same_town",
        OtherAddressSameCounty => "other_address_same_county",
        SameTown => "same_town",
        SameCounty => "same_county",
        SameCity => "same_city",
        SameProvince => "same_province",
        NearbyCounty => "nearby_county",
        Different => "different",
        Unknown => "unknown",
    }
}

/// Street details shorter than this (in chars) are too vague to compare (中山路, 1号).
const MIN_DETAIL_CHARS: usize = 4;

pub fn compare(a: &Profile, b: &Profile) -> HomeLevel {
    let divisions = place::compare(&a.home, &b.home);
    let (da, db) = (&a.home_detail, &b.home_detail);
    let both_detailed =
        da.chars().count() >= MIN_DETAIL_CHARS && db.chars().count() >= MIN_DETAIL_CHARS;
    let compatible = !matches!(divisions, PlaceLevel::Different | PlaceLevel::NearbyCounty);
    if both_detailed && compatible {
        if da == db {
            return HomeLevel::SameAddress;
        }
        if strsim::normalized_levenshtein(da, db) >= 0.75 {
            return HomeLevel::SimilarAddress;
        }
        match divisions {
            PlaceLevel::SameTown => return HomeLevel::OtherAddressSameTown,
            PlaceLevel::SameCounty => return HomeLevel::OtherAddressSameCounty,
            _ => {}
        }
    }
    match divisions {
        PlaceLevel::SameTown => HomeLevel::SameTown,
        PlaceLevel::SameCounty => HomeLevel::SameCounty,
        PlaceLevel::SameCity => HomeLevel::SameCity,
        PlaceLevel::SameProvince => HomeLevel::SameProvince,
        PlaceLevel::NearbyCounty => HomeLevel::NearbyCounty,
        PlaceLevel::Different => HomeLevel::Different,
        PlaceLevel::Unknown => HomeLevel::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Case;

    fn home(address: &str) -> Profile {
        Profile::of(&Case {
            id: "x".into(),
            address: Some(address.into()),
            ..Case::default()
        })
    }

    #[test]
    fn conformance() {
        let a = home("甘肃省定西市漳县四族镇光明路235号2栋4单元1201室");
        let table = [
            (
                "甘肃省定西市漳县四族镇光明路２３５号２栋４单元１２０１室",
                HomeLevel::SameAddress,
            ),
            (
                "定西漳县四族镇光明路235号2栋4单元1202室",
                HomeLevel::SimilarAddress,
            ),
            (
                "甘肃省定西市漳县四族镇建设路12号",
                HomeLevel::OtherAddressSameTown,
            ),
            ("甘肃省定西市漳县", HomeLevel::SameCounty),
            ("甘肃省定西市临洮县", HomeLevel::NearbyCounty),
            (
                "湖南省长沙市岳麓区光明路235号2栋4单元1201室",
                HomeLevel::Different,
            ),
            ("", HomeLevel::Unknown),
        ];
        for (b, want) in table {
            assert_eq!(compare(&a, &home(b)), want, "{b}");
            assert_eq!(compare(&home(b), &a), want, "{b}");
        }
    }
}
