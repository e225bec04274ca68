//! Place look-ups over the bundled gazetteer: autocomplete, full names, filters.

use super::Engine;
use crate::analysis::Gazetteer;

pub use crate::analysis::Division;

/// The gazetteer's look-ups an entry point needs.
#[derive(Clone, Copy)]
pub struct Places {
    gazetteer: &'static Gazetteer,
}

impl Places {
    /// Divisions whose name starts with `prefix`, provinces first.
    pub fn suggest(&self, prefix: &str, limit: usize) -> Vec<&'static Division> {
        self.gazetteer.suggest(prefix, limit)
    }

    /// The full name of a division code (湖南省长沙市岳麓区).
    pub fn full_name(&self, code: &str) -> String {
        self.gazetteer.full_name(code)
    }

    /// A division name or code as the code prefix a search filter takes; an unknown or
    /// ambiguous name is an error that says why.
    pub fn resolve_filter(&self, raw: &str) -> Result<String, String> {
        self.gazetteer.resolve_filter(raw)
    }

    /// The division with this code.
    pub fn get(&self, code: &str) -> Option<&'static Division> {
        self.gazetteer.get(code)
    }
}

impl Engine {
    /// The place look-ups (the gazetteer is loaded once per process).
    pub fn places() -> Places {
        Places {
            gazetteer: Gazetteer::global(),
        }
    }
}
