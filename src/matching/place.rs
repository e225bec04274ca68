//! Location comparator over resolved division codes: same town/street, same county, same city
//! (a county known on one side only), same province only, different, unknown.

use super::levels::levels;
use crate::analysis::Place;

levels! {
    pub enum PlaceLevel {
        SameTown => "same_town",
        SameCounty => "same_county",
        SameCity => "same_city",
        SameProvince => "same_province",
        NearbyCounty => "nearby_county",
        Different => "different",
        Unknown => "unknown",
    }
}

pub fn compare(a: &Place, b: &Place) -> PlaceLevel {
    if a.is_empty() || b.is_empty() {
        return PlaceLevel::Unknown;
    }
    if a.province != b.province {
        return PlaceLevel::Different;
    }
    match (&a.city, &b.city) {
        (Some(x), Some(y)) if x != y => return PlaceLevel::Different,
        (Some(_), Some(_)) => {}
        _ if a.county.is_none() || b.county.is_none() => return PlaceLevel::SameProvince,
        _ => {}
    }
    match (&a.county, &b.county) {
        (Some(x), Some(y)) if x != y => PlaceLevel::NearbyCounty,
        (Some(_), Some(_)) => match (&a.town, &b.town) {
            (Some(x), Some(y)) if x == y => PlaceLevel::SameTown,
            _ => PlaceLevel::SameCounty,
        },
        _ => PlaceLevel::SameCity,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Gazetteer;

    fn cmp(a: &str, b: &str) -> PlaceLevel {
        let g = Gazetteer::global();
        compare(&g.parse(a, None), &g.parse(b, None))
    }

    #[test]
    fn conformance() {
        let table = [
            (
                "长沙市岳麓区望月湖街道",
                "湖南省长沙市岳麓区望月湖街道枫林一路",
                PlaceLevel::SameTown,
            ),
            ("长沙岳麓", "湖南省长沙市岳麓区", PlaceLevel::SameCounty),
            ("长沙", "长沙市岳麓区", PlaceLevel::SameCity),
            ("长沙市开福区", "长沙市岳麓区", PlaceLevel::NearbyCounty),
            ("南京市鼓楼区", "福州市鼓楼区", PlaceLevel::Different),
            ("湖南省", "长沙市岳麓区", PlaceLevel::SameProvince),
            ("鼓楼区", "福州市鼓楼区", PlaceLevel::Unknown),
            ("", "长沙", PlaceLevel::Unknown),
        ];
        for (a, b, want) in table {
            assert_eq!(cmp(a, b), want, "{a} vs {b}");
            assert_eq!(cmp(b, a), want, "{b} vs {a}");
        }
    }
}
