//! All comparator levels of one pair of cases.

use super::category::{self, CategoryLevel};
use super::channel::{self, ChannelLevel};
use super::id_number::{self, IdLevel};
use super::levels::{Comparator, LevelName};
use super::name::{self, NameLevel};
use super::phone::{self, PhoneLevel};
use super::place::{self, PlaceLevel};
use super::text::{self, TextLevel, TextSignature};
use super::time_gap::{self, TimeLevel};
use crate::analysis::Profile;
use crate::model::Case;

/// A case ready for comparison: its record, normalised profile and text signature.
#[derive(Debug, Clone)]
pub struct Prepared<'a> {
    pub case: &'a Case,
    pub profile: &'a Profile,
    pub text: TextSignature,
}

impl<'a> Prepared<'a> {
    pub fn new(case: &'a Case, profile: &'a Profile) -> Prepared<'a> {
        Prepared { case, profile, text: TextSignature::of(&profile.text) }
    }
}

/// The level of every comparator for one pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    pub name: NameLevel,
    pub id_number: IdLevel,
    pub phone: PhoneLevel,
    pub home: PlaceLevel,
    pub text: TextLevel,
    pub text_similarity: f64,
    pub place: PlaceLevel,
    pub time_gap: TimeLevel,
    pub category: CategoryLevel,
    pub channel: ChannelLevel,
}

impl Comparison {
    /// The level name a comparator gave.
    pub fn level(&self, c: Comparator) -> &'static str {
        match c {
            Comparator::Name => self.name.name(),
            Comparator::IdNumber => self.id_number.name(),
            Comparator::Phone => self.phone.name(),
            Comparator::Home => self.home.name(),
            Comparator::Text => self.text.name(),
            Comparator::Place => self.place.name(),
            Comparator::TimeGap => self.time_gap.name(),
            Comparator::Category => self.category.name(),
            Comparator::Channel => self.channel.name(),
        }
    }
}

/// Compares two prepared cases.
pub fn compare(a: &Prepared<'_>, b: &Prepared<'_>) -> Comparison {
    let (pa, pb) = (a.profile, b.profile);
    let (text, text_similarity) = text::compare(&a.text, &b.text);
    Comparison {
        name: name::compare(pa.name.as_ref(), pb.name.as_ref()),
        id_number: id_number::compare(pa.id_number.as_ref(), pb.id_number.as_ref()),
        phone: phone::compare(pa.phone.as_ref(), pb.phone.as_ref()),
        home: place::compare(&pa.home, &pb.home),
        text,
        text_similarity,
        place: place::compare(&pa.place, &pb.place),
        time_gap: time_gap::compare(a.case.timestamp(), b.case.timestamp()),
        category: category::compare(a.case.category.as_deref(), b.case.category.as_deref()),
        channel: channel::compare(a.case.channel.as_deref(), b.case.channel.as_deref()),
    }
}

/// Every level name of a comparator, in order.
pub fn level_names(c: Comparator) -> Vec<&'static str> {
    fn names<L: LevelName>(all: &[L]) -> Vec<&'static str> {
        all.iter().map(|l| l.name()).collect()
    }
    match c {
        Comparator::Name => names(NameLevel::ALL),
        Comparator::IdNumber => names(IdLevel::ALL),
        Comparator::Phone => names(PhoneLevel::ALL),
        Comparator::Home | Comparator::Place => names(PlaceLevel::ALL),
        Comparator::Text => names(TextLevel::ALL),
        Comparator::TimeGap => names(TimeLevel::ALL),
        Comparator::Category => names(CategoryLevel::ALL),
        Comparator::Channel => names(ChannelLevel::ALL),
    }
}
