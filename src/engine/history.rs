//! A case's matter history: its duplicate and matter groups on one timeline, newest first,
//! the earliest record marked as 首办. The desk's history dialog reads it.

use super::{Engine, now_in_china};
use crate::analysis::Profile;
use crate::error::Result;
use crate::index::StoredCase;
use crate::matching::{CheckOptions, check_profile};
use crate::model::{Case, Verdict};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

/// How a record of the history relates to the case asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// the case asked about
    #[serde(rename = "self")]
    Itself,
    /// same person, same matter (the duplicate group)
    Duplicate,
    /// same matter, another person (the matter group)
    Related,
}

/// One record on the timeline: what the desk needs to see, no personal data.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryRecord {
    pub id: String,
    pub relation: Relation,
    pub channel: Option<String>,
    pub platform: Option<String>,
    pub received_at: Option<String>,
    pub handler: Option<String>,
    /// 受理 / 办理中 / 办结
    pub status: Option<&'static str>,
    pub title: Option<String>,
    pub location: Option<String>,
    /// the start of the narrative
    pub summary: String,
    /// the whole narrative, for opening the record from the timeline
    pub content: Option<String>,
    /// the original the desk registered it against
    pub linked_to: Option<String>,
    /// the earliest record of the matter on file (首办)
    pub first: bool,
}

/// A case's duplicate group and matter group, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct History {
    pub id: String,
    /// the earliest record (首办)
    pub original_id: Option<String>,
    pub duplicates: usize,
    pub related: usize,
    pub records: Vec<HistoryRecord>,
}

/// Matches one check of the history reports: more than the desk's check, to cover a collective
/// matter's residents.
const HISTORY_MATCHES: usize = 50;

/// Characters of narrative per timeline record.
const SUMMARY_CHARS: usize = 80;

fn linked_to(case: &Case) -> Option<String> {
    case.extra
        .get("linked_to")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn record(stored: &StoredCase, relation: Relation) -> HistoryRecord {
    let c = &stored.case;
    HistoryRecord {
        id: c.id.clone(),
        relation,
        channel: c.channel.clone(),
        platform: c.platform.clone(),
        received_at: c.received_at.map(|t| t.to_rfc3339()),
        handler: c.handler.clone(),
        status: c.status.map(|s| s.label()),
        title: c.title.clone(),
        location: c.location.clone(),
        content: c.content.clone(),
        summary: c
            .content
            .as_deref()
            .unwrap_or("")
            .chars()
            .take(SUMMARY_CHARS)
            .collect(),
        linked_to: linked_to(c),
        first: false,
    }
}

impl Engine {
    /// The cases on file in one matter with `case`: (id, DUPLICATE or RELATED).
    fn matter_members(&self, case: &Case) -> Result<Vec<(String, Verdict)>> {
        let opts = CheckOptions {
            max_matches: HISTORY_MATCHES,
            ..CheckOptions::default()
        };
        let dated;
        let case = if case.received_at.is_some() {
            case
        } else {
            dated = Case {
                received_at: Some(now_in_china()),
                ..case.clone()
            };
            &dated
        };
        let result = check_profile(self.index(), self.model(), case, &Profile::of(case), &opts)?;
        Ok(result
            .matches
            .into_iter()
            .filter(|m| matches!(m.verdict, Verdict::Duplicate | Verdict::Related))
            .map(|m| (m.id, m.verdict))
            .collect())
    }

    /// The case `id` with its duplicate group and matter group, newest first; `None` if `id`
    /// is unknown. The groups are the case's own check, widened by the check of the matter's
    /// earliest record (which reaches repeats the later case does not), plus the original the
    /// desk linked it to.
    pub fn history(&self, id: &str) -> Result<Option<History>> {
        let Some(focal) = self.get(id)? else {
            return Ok(None);
        };
        let members = self.members_of(&focal)?;
        let mut records: Vec<HistoryRecord> = std::iter::once(record(&focal, Relation::Itself))
            .chain(members.iter().map(|(s, r)| record(s, *r)))
            .collect();
        newest_first(&mut records);
        let original = earliest(&records);
        if let Some(i) = original {
            records[i].first = true;
        }
        Ok(Some(History {
            id: focal.case.id.clone(),
            original_id: original.map(|i| records[i].id.clone()),
            duplicates: records
                .iter()
                .filter(|r| r.relation == Relation::Duplicate)
                .count(),
            related: records
                .iter()
                .filter(|r| r.relation == Relation::Related)
                .count(),
            records,
        }))
    }

    /// The other records of the focal case's matter, each once, with its relation: the
    /// focal case's own check, the original the desk linked it to, then the check of the
    /// earliest member (duplicates first), which reaches what the focal case's check did not.
    fn members_of(&self, focal: &StoredCase) -> Result<Vec<(StoredCase, Relation)>> {
        let relation_of = |v: Verdict| match v {
            Verdict::Duplicate => Relation::Duplicate,
            _ => Relation::Related,
        };
        let mut members: Vec<(StoredCase, Relation)> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        seen.insert(focal.case.id.clone(), usize::MAX);
        let mut add =
            |members: &mut Vec<(StoredCase, Relation)>, mid: String, rel: Relation| -> Result<()> {
                if seen.contains_key(&mid) {
                    return Ok(());
                }
                if let Some(s) = self.get(&mid)? {
                    seen.insert(mid, members.len());
                    members.push((s, rel));
                }
                Ok(())
            };
        for (mid, v) in self.matter_members(&focal.case)? {
            add(&mut members, mid, relation_of(v))?;
        }
        // the desk said it belongs to this matter: same matter at least
        if let Some(original) = linked_to(&focal.case) {
            add(&mut members, original, Relation::Related)?;
        }
        let anchor = members
            .iter()
            .filter(|(s, _)| s.case.timestamp() < focal.case.timestamp())
            .min_by_key(|(s, r)| (*r != Relation::Duplicate, s.case.timestamp()))
            .map(|(s, r)| (s.case.clone(), *r));
        if let Some((anchor, anchor_rel)) = anchor {
            for (mid, v) in self.matter_members(&anchor)? {
                let rel = if anchor_rel == Relation::Duplicate && v == Verdict::Duplicate {
                    Relation::Duplicate
                } else {
                    Relation::Related
                };
                add(&mut members, mid, rel)?;
            }
        }
        Ok(members)
    }
}

/// A record's received_at in seconds, if it has a valid one.
fn record_time(r: &HistoryRecord) -> Option<i64> {
    r.received_at
        .as_deref()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp())
}

/// Newest first, then by id; undated records last.
fn newest_first(records: &mut [HistoryRecord]) {
    records.sort_by(|a, b| match (record_time(a), record_time(b)) {
        (Some(x), Some(y)) => y.cmp(&x).then(a.id.cmp(&b.id)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.id.cmp(&b.id),
    });
}

/// The position of the earliest dated record (the lowest id among equals): the 首办 record.
fn earliest(records: &[HistoryRecord]) -> Option<usize> {
    records
        .iter()
        .enumerate()
        .filter_map(|(i, r)| record_time(r).map(|t| (t, i)))
        .min_by(|(ta, ia), (tb, ib)| ta.cmp(tb).then(records[*ia].id.cmp(&records[*ib].id)))
        .map(|(_, i)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(id: &str, day: &str, name: &str, phone: &str, channel: &str, text: &str) -> Case {
        Case {
            id: id.into(),
            channel: Some(channel.into()),
            received_at: chrono::DateTime::parse_from_rfc3339(&format!("{day}T09:00:00+08:00"))
                .ok(),
            name: Some(name.into()),
            phone: Some(phone.into()),
            location: Some("湖南省长沙市岳麓区望月湖街道".into()),
            content: Some(text.into()),
            handler: Some(format!("{id}-handler")),
            status: crate::model::Status::parse("办理中"),
            ..Case::default()
        }
    }

    const NOISE: &str = "望月湖小区旁边的工地每天晚上施工到凌晨三点，打桩机噪音很大，严重影响居民休息，\
        多次向工地反映无果，希望有关部门依法查处夜间违规施工。";

    #[test]
    fn history_holds_the_duplicate_and_matter_groups_newest_first() {
        let engine = Engine::in_memory().unwrap();
        let mut later = case("TEL-2", "2024-03-09", "张伟", "13912345678", "电话", NOISE);
        later
            .extra
            .insert("linked_to".into(), Value::String("WEB-1".into()));
        engine
            .add(&[
                case("WEB-1", "2024-03-02", "张伟", "13912345678", "网上", NOISE),
                later,
                case("VIS-3", "2024-03-05", "刘芳", "13822223333", "来访", NOISE),
                case(
                    "LET-4",
                    "2024-03-04",
                    "王强",
                    "13600002222",
                    "来信",
                    "华兴建筑公司拖欠十二名工人工资共计八万六千元，多次讨要未果，请劳动监察部门督促支付。",
                ),
            ])
            .unwrap();
        let h = engine.history("TEL-2").unwrap().unwrap();
        let ids: Vec<&str> = h.records.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["TEL-2", "VIS-3", "WEB-1"], "{h:?}");
        let rel: Vec<Relation> = h.records.iter().map(|r| r.relation).collect();
        assert_eq!(
            rel,
            [Relation::Itself, Relation::Related, Relation::Duplicate]
        );
        assert_eq!(h.original_id.as_deref(), Some("WEB-1"));
        assert_eq!(
            h.records
                .iter()
                .filter(|r| r.first)
                .map(|r| r.id.as_str())
                .collect::<Vec<_>>(),
            ["WEB-1"]
        );
        assert_eq!((h.duplicates, h.related), (1, 1));
        let web = &h.records[2];
        assert_eq!(web.channel.as_deref(), Some("网上"));
        assert_eq!(web.handler.as_deref(), Some("WEB-1-handler"));
        assert_eq!(web.status, Some("办理中"));
        assert_eq!(h.records[0].linked_to.as_deref(), Some("WEB-1"));
        assert!(engine.history("NOPE").unwrap().is_none());
    }
}
