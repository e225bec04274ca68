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
            Comparator::Home => self.home.name(),
            Comparator::Text => self.text.name(),
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
        Comparator::Home => names(HomeLevel::ALL),
        Comparator::Place => names(PlaceLevel::ALL),
        Comparator::Text => names(TextLevel::ALL),
        Comparator::TimeGap => names(TimeLevel::ALL),
        Comparator::Category => names(CategoryLevel::ALL),
        Comparator::Channel => names(ChannelLevel::ALL),
        Comparator::Account => names(AccountLevel::ALL),
        Comparator::Recurrence => names(RecurrenceLevel::ALL),
        Comparator::Object => names(ObjectLevel::ALL),
    }
}
