//! `Profile`: the normalised forms of a case, computed once at ingest and stored with it.

use super::gazetteer::{Gazetteer, Place};
use super::id_number::IdNumber;
use super::name::PersonName;
use super::normalize::normalize;
use super::phone::Phone;
use crate::model::Case;
use serde::{Deserialize, Deserializer, Serialize};

/// A list, or one value as stored by older versions, or null.
fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Phone>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(Phone),
        Many(Vec<Phone>),
    }
    Ok(match Option::<OneOrMany>::deserialize(d)? {
        None => Vec::new(),
        Some(OneOrMany::One(p)) => vec![p],
        Some(OneOrMany::Many(v)) => v,
    })
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<PersonName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_number: Option<IdNumber>,
    /// Every number in the phone field, service numbers dropped. Profiles stored before
    /// this held one number under `phone`; they load as a list of that one.
    #[serde(
        default,
        alias = "phone",
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub phones: Vec<Phone>,
    /// Where the matter is: from `location`, else from `address`.
    #[serde(default)]
    pub place: Place,
    /// Where the complainant lives: from `address`.
    #[serde(default)]
    pub home: Place,
    /// The address after its division names (street, number, building), normalised.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub home_detail: String,
    /// Normalised narrative (title and content); text comparators read `matter_text()`.
    #[serde(default)]
    pub text: String,
    /// The complainant's own address and name, normalised, letters and digits only, `|`
    /// between them: cut from the narrative before it is compared (see `matter_text`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub identity: String,
    /// `platform:account`: the poster's user id, scoped by the platform that issued it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
}

impl Profile {
    pub fn of(case: &Case) -> Profile {
        let g = Gazetteer::global();
        let id_number = case.id_number.as_deref().and_then(IdNumber::parse);
        let id_region = id_number
            .as_ref()
            .and_then(|i| i.region().map(str::to_string));
        let (home, home_detail) = case
            .address
            .as_deref()
            .map(|a| g.parse_with_rest(a, id_region.as_deref()))
            .unwrap_or_default();
        let home_detail: String = home_detail
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        let hint = home.code().map(str::to_string).or(id_region);
        let mut place = case
            .location
            .as_deref()
            .map(|l| g.parse(l, hint.as_deref()))
            .unwrap_or_default();
        if place.is_empty() {
            place = home.clone();
        }
        Profile {
            name: case.name.as_deref().and_then(PersonName::parse),
            id_number,
            phones: case
                .phone
                .as_deref()
                .map(Phone::parse_all)
                .unwrap_or_default(),
            place,
            home,
            home_detail,
            text: normalize(&case.narrative()),
            identity: identity_of([case.address.as_deref(), case.name.as_deref()]),
            account: account_key(case),
        }
    }
}

/// The address and name a narrative's self-introduction would restate, as `matter_text` reads them.
fn identity_of(fields: [Option<&str>; 2]) -> String {
    fields
        .into_iter()
        .flatten()
        .map(|f| {
            normalize(f)
                .chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
        })
        .filter(|f| f.chars().count() >= 2)
        .collect::<Vec<_>>()
        .join("|")
}

impl Profile {
    /// The narrative as the text comparators read it: every character pair that also occurs
    /// in the complainant's own address or name becomes a break. Letters open with "我是…省…
    /// 县…镇的村民某某": who and where the writer is, which the name and home comparators
    /// already weigh. Left in the text it counts twice and makes one person's letters about
    /// different matters look alike (in generated letters, over half the rare text two such
    /// letters share is the address).
    pub fn matter_text(&self) -> std::borrow::Cow<'_, str> {
        use std::borrow::Cow;
        if self.identity.is_empty() {
            return Cow::Borrowed(&self.text);
        }
        let grams: std::collections::HashSet<(char, char)> = self
            .identity
            .split('|')
            .flat_map(|f| {
                let chars: Vec<char> = f.chars().collect();
                chars.windows(2).map(|w| (w[0], w[1])).collect::<Vec<_>>()
            })
            .collect();
        let chars: Vec<char> = self.text.chars().collect();
        let mut cut = vec![false; chars.len()];
        for i in 1..chars.len() {
            if grams.contains(&(chars[i - 1], chars[i])) {
                cut[i - 1] = true;
                cut[i] = true;
            }
        }
        if !cut.contains(&true) {
            return Cow::Borrowed(&self.text);
        }
        Cow::Owned(
            chars
                .into_iter()
                .zip(cut)
                .map(|(c, cut)| if cut { '|' } else { c })
                .collect(),
        )
    }
}

/// `platform:account`, both trimmed; `None` without an account.
fn account_key(case: &Case) -> Option<String> {
    let account = case
        .account
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())?;
    let platform = case.platform.as_deref().map_or("", str::trim);
    Some(format!("{platform}:{account}"))
}

impl Profile {
    /// The exact-match key of the ID number: only checksum-valid numbers identify a person.
    pub fn id_key(&self) -> Option<&str> {
        match &self.id_number {
            Some(IdNumber::Valid(s)) => Some(s),
            _ => None,
        }
    }

    /// The blocking keys of every phone number (masks have none), each once.
    pub fn phone_keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = Vec::with_capacity(self.phones.len());
        for k in self.phones.iter().filter_map(Phone::key) {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
        keys
    }

    /// `county:full name` for the matter's and the complainant's county (name blocking).
    pub fn name_place_keys(&self) -> Vec<String> {
        let Some(name) = self.name.as_ref().and_then(|n| n.full.as_deref()) else {
            return Vec::new();
        };
        let mut keys: Vec<String> = [&self.place.county, &self.home.county]
            .into_iter()
            .flatten()
            .map(|c| format!("{c}:{name}"))
            .collect();
        keys.dedup();
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_writers_own_address_and_name_leave_the_matter_text() {
        let case = Case {
            id: "X".into(),
            name: Some("周珍雨".into()),
            address: Some("甘肃省临夏回族自治州广河县".into()),
            content: Some(
                "我是甘肃省临夏回族自治州广河县水泉乡的村民周珍雨，反映武广新城捆绑销售车位".into(),
            ),
            ..Case::default()
        };
        let profile = Profile::of(&case);
        assert!(
            profile.text.starts_with("我是甘肃省"),
            "the profile keeps the narrative whole"
        );
        let text = profile.matter_text();
        for gone in ["甘肃", "广河", "周珍", "珍雨"] {
            assert!(!text.contains(gone), "{gone} in {text}");
        }
        for kept in ["水泉乡", "村民", "武广新城捆绑销售车位"] {
            assert!(text.contains(kept), "{kept} missing from {text}");
        }
        // without an address or a name the narrative is left whole
        let bare = Case {
            address: None,
            name: None,
            ..case
        };
        assert!(Profile::of(&bare).matter_text().contains("甘肃省临夏"));
    }

    #[test]
    fn profile_normalises_every_field() {
        let case = Case {
            id: "X".into(),
            name: Some("張 偉".into()),
            id_number: Some("430104198807152315".into()),
            phone: Some("+86 139-1234-5678".into()),
            location: Some("长沙岳麓区".into()),
            content: Some("噪音擾民".into()),
            ..Case::default()
        };
        let p = Profile::of(&case);
        assert_eq!(
            p.name.as_ref().and_then(|n| n.full.as_deref()),
            Some("张伟")
        );
        assert_eq!(p.phones[0].digits, "13912345678");
        assert_eq!(p.phone_keys(), vec!["13912345678"]);
        assert_eq!(p.place.county.as_deref(), Some("430104"));
        assert_eq!(p.text, "噪音扰民");
        let with_address = Profile::of(&Case {
            address: Some("湖南省长沙市岳麓区望月湖街道 枫林一路２３５号２栋".into()),
            ..case
        });
        assert_eq!(with_address.home_detail, "枫林一路235号2栋");
    }

    #[test]
    fn every_phone_is_a_key() {
        let p = Profile::of(&Case {
            id: "X".into(),
            phone: Some("13912345678/0731-88888888转12、138****1234，12345".into()),
            ..Case::default()
        });
        assert_eq!(p.phones.len(), 3);
        assert_eq!(p.phone_keys(), vec!["13912345678", "88888888"]);
    }

    #[test]
    fn old_profiles_with_one_phone_still_load() {
        let old = r#"{"phone":{"digits":"13912345678","kind":"mobile"},"text":""}"#;
        let p: Profile = serde_json::from_str(old).unwrap();
        assert_eq!(p.phones, vec![Phone::parse("13912345678").unwrap()]);
        let none: Profile = serde_json::from_str(r#"{"text":""}"#).unwrap();
        assert!(none.phones.is_empty());
        let null: Profile = serde_json::from_str(r#"{"phone":null}"#).unwrap();
        assert!(null.phones.is_empty());
        let json = serde_json::to_string(&p).unwrap();
        assert!(json.contains("\"phones\":["), "{json}");
        let back: Profile = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
    }
}
