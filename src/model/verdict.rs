//! The four verdicts of a duplicate check.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How a submission relates to a case on file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    /// Same person, same matter.
    Duplicate,
    /// Same matter, another person (collective complaints).
    Related,
    /// Same person, another matter.
    SamePerson,
    /// Nothing on file relates to it.
    New,
}

impl Verdict {
    /// Strength used to pick a query's overall verdict: DUPLICATE > RELATED > SAME_PERSON > NEW.
    pub fn rank(self) -> u8 {
        match self {
            Verdict::Duplicate => 3,
            Verdict::Related => 2,
            Verdict::SamePerson => 1,
            Verdict::New => 0,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Duplicate => "DUPLICATE",
            Verdict::Related => "RELATED",
            Verdict::SamePerson => "SAME_PERSON",
            Verdict::New => "NEW",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
