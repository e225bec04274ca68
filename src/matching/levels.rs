//! Comparison levels: each comparator returns one of a short list of named levels.

/// A comparison level with a stable name (the key in the model file).
pub trait LevelName: Copy {
    fn name(self) -> &'static str;
}

/// Declares a level enum with its model-file names.
macro_rules! levels {
    ($(#[$meta:meta])* $vis:vis enum $ty:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $ty { $($variant),+ }
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];
        }
        impl $crate::matching::levels::LevelName for $ty {
            fn name(self) -> &'static str {
                match self { $($ty::$variant => $name),+ }
            }
        }
    };
}
pub(crate) use levels;

/// The comparators, named as in the model file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Comparator {
    /// name and phone together: a shared name means little when the phones differ
    NamePhone,
    IdNumber,
    Home,
    Text,
    Place,
    TimeGap,
    Category,
    Channel,
    /// platform account (web boards, apps)
    Account,
    /// the later submission says it was filed before
    Recurrence,
    /// the two narratives name one specific estate, village, company, road …
    Object,
}

impl Comparator {
    pub const ALL: [Comparator; 11] = [
        Comparator::NamePhone,
        Comparator::IdNumber,
        Comparator::Home,
        Comparator::Text,
        Comparator::Place,
        Comparator::TimeGap,
        Comparator::Category,
        Comparator::Channel,
        Comparator::Account,
        Comparator::Recurrence,
        Comparator::Object,
    ];

    /// Fields that speak to the person question (the rest speak to the matter question).
    pub fn is_person(self) -> bool {
        matches!(
            self,
            Comparator::NamePhone | Comparator::IdNumber | Comparator::Home | Comparator::Account
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            Comparator::NamePhone => "name_phone",
            Comparator::IdNumber => "id_number",
            Comparator::Home => "home",
            Comparator::Text => "text",
            Comparator::Place => "place",
            Comparator::TimeGap => "time_gap",
            Comparator::Category => "category",
            Comparator::Channel => "channel",
            Comparator::Account => "account",
            Comparator::Recurrence => "recurrence",
            Comparator::Object => "object",
        }
    }
}
