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
    Name,
    IdNumber,
    Phone,
    Home,
    Text,
    Place,
    TimeGap,
    Category,
    Channel,
}

impl Comparator {
    pub const PERSON: [Comparator; 4] = [Comparator::Name, Comparator::IdNumber, Comparator::Phone, Comparator::Home];
    pub const MATTER: [Comparator; 5] =
        [Comparator::Text, Comparator::Place, Comparator::TimeGap, Comparator::Category, Comparator::Channel];

    pub fn name(self) -> &'static str {
        match self {
            Comparator::Name => "name",
            Comparator::IdNumber => "id_number",
            Comparator::Phone => "phone",
            Comparator::Home => "home",
            Comparator::Text => "text",
            Comparator::Place => "place",
            Comparator::TimeGap => "time_gap",
            Comparator::Category => "category",
            Comparator::Channel => "channel",
        }
    }
}
