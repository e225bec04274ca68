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
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::matching::levels::LevelName::name(*self))
            }
        }
        impl std::str::FromStr for $ty {
            type Err = String;
            fn from_str(text: &str) -> Result<Self, String> {
                $crate::matching::levels::parse_level(Self::ALL, text)
            }
        }
    };
}
pub(crate) use levels;

/// The level of `all` named `text`, or an error that lists the names.
pub fn parse_level<L: LevelName>(all: &[L], text: &str) -> Result<L, String> {
    all.iter()
        .copied()
        .find(|l| l.name() == text)
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|l| l.name()).collect();
            format!("unknown level {text:?} (one of {})", names.join(", "))
        })
}

/// The comparators, named as in the model file and the evidence (`name_phone`, `id_number` …).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
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

impl std::fmt::Display for Comparator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// `evidence.field == "id_number"` reads as the model file and the JSON name it.
impl PartialEq<&str> for Comparator {
    fn eq(&self, other: &&str) -> bool {
        self.name() == *other
    }
}

impl std::str::FromStr for Comparator {
    type Err = String;
    fn from_str(text: &str) -> Result<Comparator, String> {
        Comparator::ALL
            .into_iter()
            .find(|c| c.name() == text)
            .ok_or_else(|| format!("unknown comparator {text:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparator_names_are_the_serde_names_and_parse_back() {
        for c in Comparator::ALL {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.name()));
            assert_eq!(serde_json::from_str::<Comparator>(&json).unwrap(), c);
            assert_eq!(c.name().parse::<Comparator>(), Ok(c));
            assert!(c == c.name());
        }
        assert!("name".parse::<Comparator>().is_err());
    }

    #[test]
    fn levels_serialize_as_their_model_names_and_parse_back() {
        use crate::matching::time_gap::TimeLevel;
        for l in TimeLevel::ALL {
            let json = serde_json::to_string(l).unwrap();
            assert_eq!(json, format!("\"{}\"", l.name()));
            assert_eq!(l.name().parse::<TimeLevel>(), Ok(*l));
        }
        let err = "fortnight".parse::<TimeLevel>().unwrap_err();
        assert!(
            err.contains("fortnight") && err.contains("same_day"),
            "{err}"
        );
    }
}
