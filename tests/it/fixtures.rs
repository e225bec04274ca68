//! Fixtures built in the tests (never read from ../shared).

use casematch::Case;
use casematch::model::parse_datetime;

pub fn case(id: &str, location: &str, title: &str, content: &str) -> Case {
    Case {
        id: id.into(),
        channel: Some("网上".into()),
        received_at: parse_datetime("2023-05-14T09:31:00+08:00"),
        location: Some(location.into()),
        title: (!title.is_empty()).then(|| title.into()),
        content: Some(content.into()),
        handler: Some("岳麓区住建局".into()),
        category: Some("城乡建设".into()),
        ..Case::default()
    }
}

pub fn ok(
    cases: Vec<Case>,
) -> impl Iterator<Item = casematch::Result<Result<Case, casematch::source::BadRecord>>> {
    cases.into_iter().map(|c| Ok(Ok(c)))
}
