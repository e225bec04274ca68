//! The case model: what a complaint record is, independent of how it is indexed or matched.

mod case;
mod channel;
mod record;
mod verdict;

pub use case::{Case, Status};
pub use channel::{CHANNELS, normalize_channel};
pub use record::{
    FieldValue, RecordError, case_from_fields, case_from_json_line, parse_date_bound,
    parse_datetime,
};
pub use verdict::Verdict;
