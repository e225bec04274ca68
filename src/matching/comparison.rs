//! All comparator levels of one pair of cases.

use super::account::{self, AccountLevel};
use super::category::{self, CategoryLevel};
use super::channel::{self, ChannelLevel};
use super::home::{self, HomeLevel};
use super::id_number::{self, IdLevel};
use super::levels::{Comparator, LevelName};
use super::name::{self, NameLevel};
use super::phone::{self, PhoneLevel};
use super::place::{self, PlaceLevel};
use super::recurrence::{self, RecurrenceLevel};
use super::text::{self, ObjectLevel, TextLevel, TextSignature};
use super::time_gap::{self, TimeLevel};
use crate::analysis::Profile;
use crate::model::Case;

/// What the comparators read of a case: its normalised profile, text signature and the
/// few raw fields compared as they are.
#[derive(Debug, Clone, Copy)]
pub struct Prepared<'a> {
    pub profile: &'a Profile,
    pub text: &'a TextSignature,
    pub timestamp: Option<i64>,
    pub category: Option<&'a str>,
    pub channel: Option<&'a str>,
}

impl<'a> Prepared<'a> {
    pub fn new(case: &'a Case, profile: &'a Profile, text: &'a TextSignature) -> Prepared<'a> {
        Prepared {
            profile,
            text,
            timestamp: case.timestamp(),
            category: case.category.as_deref(),
            channel: case.channel.as_deref(),
        }
    }
}

/// The level of every comparator for one pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    pub name: NameLevel,
    pub id_number: IdLevel,
    pub phone: PhoneLevel,
    pub home: HomeLevel,
    pub text: TextLevel,
    pub text_similarity: f64,
    pub place: PlaceLevel,
    pub time_gap: TimeLevel,
    pub category: CategoryLevel,
    pub channel: ChannelLevel,
    pub account: AccountLevel,
    pub recurrence: RecurrenceLevel,
    pub object: ObjectLevel,
}

impl Comparison {
    /// The level name a comparator gave.
    pub fn level(&self, c: Comparator) -> &'static str {
        match c {
            Comparator::NamePhone => name_phone(self.name, self.phone),
            Comparator::IdNumber => self.id_number.name(),
            Comparator::Home => home_name(self.home, self.name),
            Comparator::Text => text_place(self.text, self.place),
            Comparator::Place => self.place.name(),
            Comparator::TimeGap => self.time_gap.name(),
            Comparator::Category => self.category.name(),
            Comparator::Channel => self.channel.name(),
            Comparator::Account => self.account.name(),
            Comparator::Recurrence => self.recurrence.name(),
            Comparator::Object => self.object.name(),
        }
    }
}

/// Joint name × phone levels: names coarsened to same / similar / different / missing /
/// weak (initials only), phones to same / different / missing / partial (the same local
/// number with one area code missing, or a mask whose visible digits agree).
const NAME_PHONE: [[&str; 4]; 5] = [
    [
        "name_same+phone_same",
        "name_same+phone_different",
        "name_same+phone_missing",
        "name_same+phone_partial",
    ],
    [
        "name_similar+phone_same",
        "name_similar+phone_different",
        "name_similar+phone_missing",
        "name_similar+phone_partial",
    ],
    [
        "name_different+phone_same",
        "name_different+phone_different",
        "name_different+phone_missing",
        "name_different+phone_partial",
    ],
    [
        "name_missing+phone_same",
        "name_missing+phone_different",
        "name_missing+phone_missing",
        "name_missing+phone_partial",
    ],
    [
        "name_weak+phone_same",
        "name_weak+phone_different",
        "name_weak+phone_missing",
        "name_weak+phone_partial",
    ],
];

fn name_phone(name: NameLevel, phone: PhoneLevel) -> &'static str {
    let n = match name {
        NameLevel::Exact | NameLevel::Homophone => 0,
        NameLevel::Pinyin | NameLevel::Close | NameLevel::MaskedConsistent | NameLevel::Surname => {
            1
        }
        NameLevel::Different => 2,
        NameLevel::Missing => 3,
        NameLevel::Initials => 4,
    };
    let p = match phone {
        PhoneLevel::Exact => 0,
        PhoneLevel::Different => 1,
        PhoneLevel::Missing => 2,
        PhoneLevel::SameLocal | PhoneLevel::MaskedConsistent => 3,
    };
    NAME_PHONE[n][p]
}

/// Places named consistently (nothing contradicts: same town, county, city or province),
/// apart (another county or city) or unknown on either side.
const PLACE_CLASSES: [&str; 3] = ["place_consistent", "place_apart", "place_unknown"];

/// Text levels joint with the class of the place comparison, fitted as P(text | class,
/// relation): template-like narratives about one kind of problem in two places are common,
/// so text means far more between cases placed alike than between cases placed apart, and
/// the marginal weight would understate it for the one and overstate it for the other.
/// With the place comparator's own P(place | relation), the product is P(text, place |
/// relation) by the chain rule, not a double count. Missing text is absent whatever the place.
const TEXT_PLACE: [[&str; 3]; 7] = [
    [
        "very_high+place_consistent",
        "very_high+place_apart",
        "very_high+place_unknown",
    ],
    [
        "high+place_consistent",
        "high+place_apart",
        "high+place_unknown",
    ],
    [
        "medium+place_consistent",
        "medium+place_apart",
        "medium+place_unknown",
    ],
    [
        "low+place_consistent",
        "low+place_apart",
        "low+place_unknown",
    ],
    [
        "weak+place_consistent",
        "weak+place_apart",
        "weak+place_unknown",
    ],
    [
        "none+place_consistent",
        "none+place_apart",
        "none+place_unknown",
    ],
    [
        "short+place_consistent",
        "short+place_apart",
        "short+place_unknown",
    ],
];

fn place_class(place: PlaceLevel) -> usize {
    match place {
        PlaceLevel::SameTown
        | PlaceLevel::SameCounty
        | PlaceLevel::SameCity
        | PlaceLevel::SameProvince => 0,
        PlaceLevel::NearbyCounty | PlaceLevel::Different => 1,
        PlaceLevel::Unknown => 2,
    }
}

fn text_place(text: TextLevel, place: PlaceLevel) -> &'static str {
    let t = match text {
        TextLevel::VeryHigh => 0,
        TextLevel::High => 1,
        TextLevel::Medium => 2,
        TextLevel::Low => 3,
        TextLevel::Weak => 4,
        TextLevel::None => 5,
        TextLevel::Short => 6,
        TextLevel::Missing => return TextLevel::Missing.name(),
    };
    TEXT_PLACE[t][place_class(place)]
}

/// How the names compare, as the home address is read with it: alike (same, homophone,
/// pinyin, close), weak (surname, mask or initials only), other, unknown.
const NAME_CLASSES: [&str; 4] = ["name_alike", "name_weak", "name_other", "name_unknown"];

macro_rules! with_name_classes {
    ($($level:literal),* $(,)?) => {
        [$([
            concat!($level, "+name_alike"),
            concat!($level, "+name_weak"),
            concat!($level, "+name_other"),
            concat!($level, "+name_unknown"),
        ]),*]
    };
}

/// Home levels joint with the name class, fitted as P(home | name class, relation): two
/// namesakes are far more often neighbours than two strangers the candidate generator
/// pairs (a name is common in one county; exports give many addresses at county level
/// only), so a shared county says much less about the person once the names agree than it
/// does marginally, and counting both as independent made namesakes one person. Rows follow
/// `HomeLevel::ALL` without `unknown`, which stays absent whatever the names.
const HOME_NAME: [[&str; 4]; 10] = with_name_classes![
    "same_address",
    "similar_address",
    "other_address_same_town",
    "other_address_same_county",
    "same_town",
    "same_county",
    "same_city",
    "same_province",
    "nearby_county",
    "different",
];

fn name_class(name: NameLevel) -> usize {
    match name {
        NameLevel::Exact | NameLevel::Homophone | NameLevel::Pinyin | NameLevel::Close => 0,
        NameLevel::MaskedConsistent | NameLevel::Surname | NameLevel::Initials => 1,
        NameLevel::Different => 2,
        NameLevel::Missing => 3,
    }
}

fn home_name(home: HomeLevel, name: NameLevel) -> &'static str {
    HomeLevel::ALL
        .iter()
        .position(|h| *h == home)
        .and_then(|row| HOME_NAME.get(row))
        .map_or(home.name(), |row| row[name_class(name)])
}

/// The conditioning class of a joint level fitted as a conditional distribution (the text
/// levels given the place class, the home levels given the name class), or None for a
/// comparator fitted marginally.
pub fn condition_of(c: Comparator, level: &str) -> Option<&'static str> {
    let classes: &[&'static str] = match c {
        Comparator::Text => &PLACE_CLASSES,
        Comparator::Home => &NAME_CLASSES,
        _ => return None,
    };
    classes
        .iter()
        .copied()
        .find(|class| level.strip_suffix(class).is_some_and(|t| t.ends_with('+')))
}

/// The level alone of a joint level (`high` of `high+place_consistent`): what a model file
/// written before the levels were joint has.
pub fn unconditioned(c: Comparator, level: &str) -> Option<&str> {
    let class = condition_of(c, level)?;
    level.strip_suffix(class)?.strip_suffix('+')
}

/// Compares two prepared cases.
pub fn compare(a: &Prepared<'_>, b: &Prepared<'_>) -> Comparison {
    let (pa, pb) = (a.profile, b.profile);
    let (text, text_similarity) = text::compare(a.text, b.text);
    Comparison {
        name: name::compare(pa.name.as_ref(), pb.name.as_ref()),
        id_number: id_number::compare(pa.id_number.as_ref(), pb.id_number.as_ref()),
        phone: phone::compare(&pa.phones, &pb.phones),
        home: home::compare(pa, pb),
        text,
        text_similarity,
        place: place::compare(&pa.place, &pb.place),
        time_gap: time_gap::compare(a.timestamp, b.timestamp),
        category: category::compare(a.category, b.category),
        channel: channel::compare(a.channel, b.channel),
        account: account::compare(pa.account.as_deref(), pb.account.as_deref()),
        recurrence: recurrence::compare(
            (a.timestamp, a.text.says_repeated),
            (b.timestamp, b.text.says_repeated),
        ),
        object: a.text.objects(b.text),
    }
}

/// Every level name of a comparator, in order.
pub fn level_names(c: Comparator) -> Vec<&'static str> {
    fn names<L: LevelName>(all: &[L]) -> Vec<&'static str> {
        all.iter().map(|l| l.name()).collect()
    }
    match c {
        Comparator::NamePhone => NAME_PHONE.iter().flatten().copied().collect(),
        Comparator::IdNumber => names(IdLevel::ALL),
        Comparator::Home => HOME_NAME
            .iter()
            .flatten()
            .copied()
            .chain([HomeLevel::Unknown.name()])
            .collect(),
        Comparator::Place => names(PlaceLevel::ALL),
        Comparator::Text => TEXT_PLACE
            .iter()
            .flatten()
            .copied()
            .chain([TextLevel::Missing.name()])
            .collect(),
        Comparator::TimeGap => names(TimeLevel::ALL),
        Comparator::Category => names(CategoryLevel::ALL),
        Comparator::Channel => names(ChannelLevel::ALL),
        Comparator::Account => names(AccountLevel::ALL),
        Comparator::Recurrence => names(RecurrenceLevel::ALL),
        Comparator::Object => names(ObjectLevel::ALL),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_levels_carry_the_place_class_and_missing_text_stays_absent() {
        assert_eq!(
            text_place(TextLevel::High, PlaceLevel::SameCounty),
            "high+place_consistent"
        );
        assert_eq!(
            text_place(TextLevel::High, PlaceLevel::SameCity),
            "high+place_consistent"
        );
        assert_eq!(
            text_place(TextLevel::VeryHigh, PlaceLevel::NearbyCounty),
            "very_high+place_apart"
        );
        assert_eq!(
            text_place(TextLevel::Weak, PlaceLevel::Unknown),
            "weak+place_unknown"
        );
        for place in PlaceLevel::ALL {
            assert_eq!(text_place(TextLevel::Missing, *place), "missing");
        }
        let names = level_names(Comparator::Text);
        assert_eq!(names.len(), 7 * 3 + 1);
        for n in &names {
            let class = condition_of(Comparator::Text, n);
            assert_eq!(class.is_none(), *n == "missing", "{n}");
        }
        assert_eq!(condition_of(Comparator::Place, "same_town"), None);
    }

    #[test]
    fn home_levels_carry_the_name_class_and_unknown_home_stays_absent() {
        assert_eq!(
            home_name(HomeLevel::SameCounty, NameLevel::Exact),
            "same_county+name_alike"
        );
        assert_eq!(
            home_name(HomeLevel::SameAddress, NameLevel::Surname),
            "same_address+name_weak"
        );
        assert_eq!(
            home_name(HomeLevel::Different, NameLevel::Different),
            "different+name_other"
        );
        assert_eq!(
            home_name(HomeLevel::SameTown, NameLevel::Missing),
            "same_town+name_unknown"
        );
        for name in NameLevel::ALL {
            assert_eq!(home_name(HomeLevel::Unknown, *name), "unknown");
        }
        assert_eq!(HomeLevel::ALL.last(), Some(&HomeLevel::Unknown));
        for (row, home) in HOME_NAME.iter().zip(HomeLevel::ALL) {
            assert!(row.iter().all(|l| l.starts_with(home.name())), "{row:?}");
        }
        let names = level_names(Comparator::Home);
        assert_eq!(names.len(), (HomeLevel::ALL.len() - 1) * 4 + 1);
        for n in &names {
            let class = condition_of(Comparator::Home, n);
            assert_eq!(class.is_none(), *n == "unknown", "{n}");
        }
        assert_eq!(
            unconditioned(Comparator::Home, "same_county+name_alike"),
            Some("same_county")
        );
        assert_eq!(
            unconditioned(Comparator::Text, "high+place_apart"),
            Some("high")
        );
        assert_eq!(
            unconditioned(Comparator::NamePhone, "name_same+phone_same"),
            None
        );
    }
}
