//! The desk's reading aids over the engine: a case's matter history (its duplicate and matter
//! groups on one timeline, the earliest record marked as 首办), the fields of a pasted hotline
//! ticket read with the crate's own name, phone, ID-number and place parsers, and the decision
//! thresholds the page draws its evidence waterfall against.

use super::AppState;
use super::error::{ApiError, ApiJson};
use super::limits;
use crate::analysis::{Gazetteer, IdNumber, Profile};
use crate::engine::{Engine, now_in_china};
use crate::error::Result;
use crate::index::StoredCase;
use crate::matching::{CheckOptions, check_profile};
use crate::model::{Case, Verdict, normalize_channel};
use aho_corasick::{AhoCorasick, MatchKind};
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::LazyLock;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/cases/{id}/history", get(history))
        .route("/v1/ticket", post(ticket))
        .route("/v1/model", get(model_summary))
}

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
        // the earliest member, duplicates first, reaches what the focal case's check did not
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
        let mut records: Vec<HistoryRecord> = std::iter::once(record(&focal, Relation::Itself))
            .chain(members.iter().map(|(s, r)| record(s, *r)))
            .collect();
        let time = |r: &HistoryRecord| {
            r.received_at
                .as_deref()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.timestamp())
        };
        // newest first; undated records last
        records.sort_by(|a, b| {
            let (ta, tb) = (time(a), time(b));
            match (ta, tb) {
                (Some(x), Some(y)) => y.cmp(&x).then(a.id.cmp(&b.id)),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => a.id.cmp(&b.id),
            }
        });
        let original = records
            .iter()
            .enumerate()
            .filter_map(|(i, r)| time(r).map(|t| (t, i)))
            .min_by(|(ta, ia), (tb, ib)| ta.cmp(tb).then(records[*ia].id.cmp(&records[*ib].id)))
            .map(|(_, i)| i);
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
}

/// The matter history of one case: its duplicate and matter groups on one timeline.
async fn history(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> std::result::Result<Json<History>, ApiError> {
    limits::text("id", Some(&id), limits::MAX_FIELD_CHARS)?;
    let engine = state.engine.clone();
    let key = id.clone();
    let h = tokio::task::spawn_blocking(move || engine.history(&key)).await??;
    h.map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no case with id {id:?}")))
}

/// The model's decision thresholds and priors (log2), for drawing the evidence.
async fn model_summary(State(state): State<AppState>) -> Json<Value> {
    let m = state.engine.model();
    let p = m.priors;
    let lse = |a: f64, b: f64| {
        let hi = a.max(b);
        hi + ((a - hi).exp2() + (b - hi).exp2()).log2()
    };
    let round = |x: f64| (x * 100.0).round() / 100.0;
    Json(json!({
        "person_threshold": m.person_threshold,
        "matter_threshold": m.matter_threshold,
        "person_prior": round(lse(p.duplicate, p.same_person) - lse(p.related, p.distinct)),
        "matter_prior": round(lse(p.duplicate, p.related) - lse(p.same_person, p.distinct)),
        "source": m.source,
    }))
}

// ---- a pasted ticket

#[derive(Debug, Deserialize)]
struct TicketRequest {
    text: String,
}

/// The fields read from a pasted ticket, for the desk to confirm.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TicketFields {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    /// `valid` (the check digit holds), `masked` or `invalid`
    pub id_number_check: Option<&'static str>,
    pub location: Option<String>,
    /// the full name of the division the location names
    pub division: Option<String>,
    pub address: Option<String>,
    pub title: Option<String>,
    /// the narrative under its label; absent when the ticket has none (the paste is the
    /// narrative)
    pub content: Option<String>,
    pub channel: Option<String>,
    /// fields read under a label (`来电人：…`) rather than found in the running text
    pub labelled: Vec<&'static str>,
}

/// Ticket labels and the field each names; the longest label wins (联系电话 over 电话).
const LABELS: &[(&str, &str)] = &[
    ("name", "来电人"),
    ("name", "来电人姓名"),
    ("name", "来信人"),
    ("name", "来访人"),
    ("name", "反映人"),
    ("name", "诉求人"),
    ("name", "投诉人"),
    ("name", "举报人"),
    ("name", "姓名"),
    ("name", "市民姓名"),
    ("name", "联系人"),
    ("phone", "联系电话"),
    ("phone", "来电号码"),
    ("phone", "来电电话"),
    ("phone", "电话号码"),
    ("phone", "手机号码"),
    ("phone", "手机号"),
    ("phone", "手机"),
    ("phone", "电话"),
    ("phone", "回访电话"),
    ("phone", "联系方式"),
    ("id_number", "身份证号码"),
    ("id_number", "身份证号"),
    ("id_number", "身份证"),
    ("id_number", "证件号码"),
    ("id_number", "公民身份号码"),
    ("location", "问题属地"),
    ("location", "事发地点"),
    ("location", "事发地址"),
    ("location", "发生地点"),
    ("location", "问题发生地"),
    ("location", "属地"),
    ("location", "地点"),
    ("address", "地址"),
    ("address", "住址"),
    ("address", "家庭住址"),
    ("address", "居住地址"),
    ("address", "联系地址"),
    ("title", "标题"),
    ("title", "诉求标题"),
    ("title", "主题"),
    ("content", "诉求内容"),
    ("content", "反映内容"),
    ("content", "来电内容"),
    ("content", "问题描述"),
    ("content", "主要内容"),
    ("content", "内容"),
    ("channel", "渠道"),
    ("channel", "来源"),
    ("channel", "受理渠道"),
];

static LABEL_MATCHER: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(LABELS.iter().map(|(_, l)| l))
        .ok()
});

/// A label in the text: its field, where it starts and where its value starts.
struct Label {
    field: &'static str,
    start: usize,
    value: usize,
}

/// Labels followed by a colon (ASCII or full width), in text order.
fn labels(text: &str) -> Vec<Label> {
    let Some(ac) = LABEL_MATCHER.as_ref() else {
        return Vec::new();
    };
    ac.find_iter(text)
        .filter_map(|m| {
            let after = &text[m.end()..];
            let trimmed = after.trim_start_matches([' ', '\t', '\u{3000}']);
            let colon = trimmed.chars().next().filter(|c| matches!(c, ':' | '：'))?;
            let value = m.end() + (after.len() - trimmed.len()) + colon.len_utf8();
            Some(Label {
                field: LABELS[m.pattern().as_usize()].0,
                start: m.start(),
                value,
            })
        })
        .collect()
}

/// Where a field's value ends: a narrative runs to the next label, a title to the line's end, a
/// phone number at the first character no number is written with, the other short fields at a
/// comma or full stop.
fn value_end(field: &str, rest: &str) -> usize {
    let stop = |c: char| match field {
        "content" => false,
        "title" => c == '\n',
        // numbers, their separators, masks and extensions (0731-8888666转12, 139****5678)
        "phone" => !(c.is_ascii_digit() || " \t+-()（）,，、/转*xX".contains(c)),
        "location" | "address" => matches!(c, '\n' | '；' | ';' | '。'),
        "name" => c.is_whitespace() || matches!(c, '，' | ',' | '；' | ';' | '。' | '（' | '('),
        _ => matches!(c, '\n' | '，' | ',' | '；' | ';' | '。'),
    };
    rest.find(stop).unwrap_or(rest.len())
}

fn clean(field: &str, value: &str) -> Option<String> {
    let v = if field == "content" {
        value.trim().to_string()
    } else {
        value
            .trim_matches(|c: char| c.is_whitespace() || "，,。；;、".contains(c))
            .to_string()
    };
    (!v.is_empty()).then_some(v)
}

/// The profile of a case holding only the given fields: the crate's parsers decide.
fn profile_of(name: Option<&str>, phone: Option<&str>, id: Option<&str>) -> Profile {
    Profile::of(&Case {
        name: name.map(str::to_string),
        phone: phone.map(str::to_string),
        id_number: id.map(str::to_string),
        ..Case::default()
    })
}

fn id_check(id: &IdNumber) -> &'static str {
    match id {
        IdNumber::Valid(_) => "valid",
        IdNumber::Masked(_) => "masked",
        IdNumber::Invalid(_) => "invalid",
    }
}

/// Runs of characters that may be an ID number (digits, X, masks), with their byte offsets.
fn id_runs(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    let is_part = |c: char| c.is_ascii_digit() || matches!(c, 'X' | 'x' | '*');
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (is_part(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// The first checksum-valid ID number in running text (a masked one if none is valid).
fn find_id_number(text: &str) -> Option<(String, IdNumber)> {
    let mut masked = None;
    for (s, e) in id_runs(text) {
        let run = &text[s..e];
        if !(15..=18).contains(&run.len()) || run.chars().filter(char::is_ascii_digit).count() < 8 {
            continue;
        }
        match profile_of(None, None, Some(run)).id_number {
            Some(id @ IdNumber::Valid(_)) => return Some((run.to_string(), id)),
            Some(id @ IdNumber::Masked(_)) if run.len() == 18 && masked.is_none() => {
                masked = Some((run.to_string(), id));
            }
            _ => {}
        }
    }
    masked
}

/// Phone numbers in running text: digit groups joined by single spaces or hyphens, with an
/// optional +86, that read as a mobile or a landline with its area code; never part of a
/// longer digit run (an ID number, a ticket number).
fn find_phones(text: &str) -> Vec<String> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut found: Vec<String> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        let starts = (c.is_ascii_digit() || c == '+')
            && (i == 0 || !(chars[i - 1].1.is_ascii_alphanumeric() || chars[i - 1].1 == '-'));
        if !starts {
            i += 1;
            continue;
        }
        let mut j = i + usize::from(c == '+');
        let mut digits = String::new();
        let mut grouped = false;
        while j < chars.len() {
            let d = chars[j].1;
            if d.is_ascii_digit() {
                digits.push(d);
                j += 1;
            } else if matches!(d, ' ' | '-')
                && j + 1 < chars.len()
                && chars[j + 1].1.is_ascii_digit()
                && chars[j - 1].1.is_ascii_digit()
            {
                grouped = true;
                j += 1;
            } else {
                break;
            }
        }
        let end = chars.get(j).map_or(text.len(), |c| c.0);
        let local = digits.strip_prefix("86").filter(|d| d.len() == 11);
        let number = local.unwrap_or(&digits);
        let mobile = number.len() == 11
            && number.starts_with('1')
            && number[1..2].chars().all(|d| ('3'..='9').contains(&d));
        let landline = number.starts_with('0') && (10..=12).contains(&number.len()) && grouped;
        let followed_by_x = chars.get(j).is_some_and(|c| matches!(c.1, 'X' | 'x'));
        if (mobile || landline) && !followed_by_x {
            let raw = text[chars[i].0..end].trim().to_string();
            if !profile_of(None, Some(&raw), None).phones.is_empty() && !found.contains(&raw) {
                found.push(raw);
            }
        }
        i = j.max(i + 1);
    }
    found
}

/// A surname with a form of address in running text (市民张先生来电): the surname alone.
fn find_name(text: &str) -> Option<String> {
    const FORMS: [&str; 6] = ["先生", "女士", "阿姨", "师傅", "同志", "小姐"];
    for form in FORMS {
        for (i, _) in text.match_indices(form) {
            let mut before = text[..i].chars().rev();
            let Some(c) = before.next() else { continue };
            // 请先生们, 这位女士: a word before the form of address, not a surname
            if text[i + form.len()..].starts_with('们') || "请位该这那个此各".contains(c) {
                continue;
            }
            let candidate = format!("{c}{form}");
            let p = profile_of(Some(&candidate), None, None);
            if let Some(n) = p.name
                && n.full.is_none()
                && n.surname == c.to_string()
            {
                return Some(candidate);
            }
        }
    }
    None
}

/// The first place in running text that the gazetteer resolves to a county or below (else a
/// city): the division names as written.
fn find_place(text: &str) -> Option<(String, String)> {
    let g = Gazetteer::global();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut city = None;
    for (k, &(start, c)) in chars.iter().enumerate() {
        if c.is_ascii() || !c.is_alphabetic() {
            continue;
        }
        let end = chars.get(k + 30).map_or(text.len(), |c| c.0);
        let window = &text[start..end];
        let (place, rest) = g.parse_with_rest(window, None);
        let Some(code) = place.code() else { continue };
        // normalising keeps one character per character: the names are the consumed prefix
        let used = window.chars().count() - rest.chars().count();
        let written: String = window.chars().take(used).collect();
        let written = written.trim_end_matches([' ', '，', ',', '、']).to_string();
        if written.chars().count() < 2 {
            continue;
        }
        if place.county.is_some() {
            return Some((written, g.full_name(code)));
        }
        if city.is_none() && place.city.is_some() {
            city = Some((written, g.full_name(code)));
        }
    }
    city
}

/// Reads the fields of a pasted ticket: labelled fields first (`来电人：张伟`), then what the
/// running text gives away (an ID number with a valid check digit, mobile and landline
/// numbers, 张先生, the first place the gazetteer knows).
pub fn read_ticket(text: &str) -> TicketFields {
    let mut out = TicketFields::default();
    let found = labels(text);
    let mut raw: HashMap<&'static str, String> = HashMap::new();
    // a label at the start of a line begins the next field; one inside a line (诉求内容：…，电话：…)
    // ends only the short fields
    let starts_line = |at: usize| {
        text[..at]
            .rsplit('\n')
            .next()
            .is_none_or(|before| before.trim().is_empty())
    };
    for (k, l) in found.iter().enumerate() {
        let next = found[k + 1..]
            .iter()
            .find(|n| l.field != "content" || starts_line(n.start))
            .map_or(text.len(), |n| n.start);
        let rest = &text[l.value..next.max(l.value)];
        let end = value_end(l.field, rest);
        if let Some(v) = clean(l.field, &rest[..end]) {
            raw.entry(l.field).or_insert(v);
        }
    }
    if let Some(v) = raw.get("name").filter(|v| v.chars().count() <= 12)
        && profile_of(Some(v), None, None).name.is_some()
    {
        out.name = Some(v.clone());
        out.labelled.push("name");
    }
    if let Some(v) = raw.get("phone")
        && !profile_of(None, Some(v), None).phones.is_empty()
    {
        out.phone = Some(v.clone());
        out.labelled.push("phone");
    }
    if let Some(v) = raw.get("id_number")
        && let Some(id) = profile_of(None, None, Some(v)).id_number
    {
        out.id_number_check = Some(id_check(&id));
        out.id_number = Some(v.clone());
        out.labelled.push("id_number");
    }
    let g = Gazetteer::global();
    for field in ["location", "address"] {
        if let Some(v) = raw.get(field) {
            let place = g.parse(v, None);
            if field == "location" {
                out.location = Some(v.clone());
                out.division = place.code().map(|c| g.full_name(c));
            } else {
                out.address = Some(v.clone());
            }
            out.labelled.push(field);
        }
    }
    if let Some(v) = raw.get("title") {
        out.title = Some(v.clone());
        out.labelled.push("title");
    }
    if let Some(v) = raw.get("content") {
        out.content = Some(v.clone());
        out.labelled.push("content");
    }
    if let Some(v) = raw.get("channel") {
        out.channel = Some(normalize_channel(v));
        out.labelled.push("channel");
    }
    // the running text: the narrative when labelled, else the whole paste
    let running = out.content.clone().unwrap_or_else(|| text.to_string());
    if out.id_number.is_none()
        && let Some((v, id)) = find_id_number(text)
    {
        out.id_number_check = Some(id_check(&id));
        out.id_number = Some(v);
    }
    if out.phone.is_none() {
        let phones = find_phones(text);
        if !phones.is_empty() {
            out.phone = Some(phones.join(", "));
        }
    }
    if out.name.is_none() {
        out.name = find_name(&running);
    }
    if out.location.is_none()
        && let Some((written, division)) = find_place(&running)
    {
        out.location = Some(written);
        out.division = Some(division);
    }
    if out.channel.is_none() && (text.contains("12345") || text.contains("来电")) {
        out.channel = Some("电话".to_string());
    }
    out
}

/// Reads the fields of a pasted ticket for the desk to confirm. The text is not kept or logged.
async fn ticket(
    ApiJson(req): ApiJson<TicketRequest>,
) -> std::result::Result<Json<TicketFields>, ApiError> {
    limits::case_bytes(req.text.len())?;
    let fields = tokio::task::spawn_blocking(move || read_ticket(&req.text)).await?;
    Ok(Json(fields))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TICKET: &str = "工单编号：12345-2024-0003021\n来电时间：2024-03-02 09:15\n\
        来电人：张伟先生\n联系电话：139 1234 5678\n身份证号：430104198807152329\n\
        问题属地：湖南省长沙市岳麓区望月湖街道\n诉求内容：市民来电反映，望月湖小区旁工地每晚施工到凌晨，\n\
        噪音扰民，希望查处。";

    #[test]
    fn a_labelled_ticket_gives_every_field() {
        let f = read_ticket(TICKET);
        assert_eq!(f.name.as_deref(), Some("张伟先生"));
        assert_eq!(f.phone.as_deref(), Some("139 1234 5678"));
        assert_eq!(f.id_number.as_deref(), Some("430104198807152329"));
        assert_eq!(f.id_number_check, Some("valid"));
        assert_eq!(f.location.as_deref(), Some("湖南省长沙市岳麓区望月湖街道"));
        assert!(f.division.as_deref().is_some_and(|d| d.contains("岳麓区")));
        let content = f.content.as_deref().unwrap_or("");
        assert!(content.starts_with("市民来电反映") && content.ends_with("希望查处。"));
        assert_eq!(f.channel.as_deref(), Some("电话"));
        for field in ["name", "phone", "id_number", "location", "content"] {
            assert!(f.labelled.contains(&field), "{field}");
        }
    }

    #[test]
    fn running_text_gives_valid_ids_phones_surnames_and_places() {
        let f = read_ticket(
            "市民李女士来电反映：株洲市芦淞区华兴建筑公司拖欠工资，身份证430104198807152329，\
             电话 0731-8888 6666 或 +86 137-0000-1111，工单号 202403020001234。",
        );
        assert_eq!(f.name.as_deref(), Some("李女士"));
        assert_eq!(f.id_number.as_deref(), Some("430104198807152329"));
        let phone = f.phone.as_deref().unwrap_or("");
        assert!(
            phone.contains("0731-8888 6666") && phone.contains("+86 137-0000-1111"),
            "{phone}"
        );
        // the ticket number and the ID number are no phones
        assert!(
            !phone.contains("2024") && !phone.contains("4301"),
            "{phone}"
        );
        assert_eq!(f.location.as_deref(), Some("株洲市芦淞区"));
        assert!(f.labelled.is_empty());
        assert!(f.content.is_none());
    }

    #[test]
    fn a_label_inside_the_narrative_gives_its_field_and_keeps_the_narrative_whole() {
        let f = read_ticket(
            "来电人：王强\n诉求内容：华兴建筑公司拖欠工资，联系电话：13600002222，请尽快处理。\n受理渠道：12345热线",
        );
        assert_eq!(
            f.content.as_deref(),
            Some("华兴建筑公司拖欠工资，联系电话：13600002222，请尽快处理。")
        );
        assert_eq!(f.phone.as_deref(), Some("13600002222"));
        assert_eq!(f.channel.as_deref(), Some("电话"));
    }

    #[test]
    fn a_wrong_check_digit_is_found_but_flagged_and_never_taken_from_running_text() {
        let f = read_ticket("身份证号：430104198807152320\n电话：13912345678");
        assert_eq!(f.id_number_check, Some("invalid"));
        let f = read_ticket("他说身份证是430104198807152320，电话13912345678");
        assert_eq!(f.id_number, None);
        assert_eq!(f.phone.as_deref(), Some("13912345678"));
    }

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

    #[test]
    fn placeholders_and_plain_words_are_no_names() {
        let f = read_ticket("来电人：匿名\n内容：路灯坏了，请先生们修一下");
        assert_eq!(f.name, None);
        assert_eq!(f.location, None);
    }

    async fn call(
        state: &AppState,
        method: &str,
        uri: &str,
        key: Option<&str>,
        body: Value,
    ) -> (axum::http::StatusCode, Value) {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let mut req = axum::http::Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json");
        if let Some(k) = key {
            req = req.header("authorization", format!("Bearer {k}"));
        }
        let body = if body.is_null() {
            axum::body::Body::empty()
        } else {
            axum::body::Body::from(body.to_string())
        };
        let resp = super::super::app(state.clone())
            .oneshot(req.body(body).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_desk_routes_answer_the_intake_role_and_refuse_strangers() {
        let key = |name: &str, role: &str| super::super::KeyConfig {
            name: name.into(),
            role: role.into(),
            key: Some(format!("{name}-key")),
            sha256: None,
        };
        let settings = super::super::Config {
            keys: Some(vec![key("desk", "intake"), key("sup", "supervisor")]),
            ..super::super::Config::default()
        }
        .settings()
        .unwrap();
        let (state, _writer) = AppState::new(Engine::in_memory().unwrap(), settings).unwrap();
        for c in [
            case("WEB-1", "2024-03-02", "张伟", "13912345678", "网上", NOISE),
            case("TEL-2", "2024-03-09", "张伟", "13912345678", "电话", NOISE),
        ] {
            let (s, _) = call(
                &state,
                "POST",
                "/v1/cases",
                Some("desk-key"),
                serde_json::to_value(&c).unwrap(),
            )
            .await;
            assert_eq!(s, 201);
        }
        // acknowledged writes are read after the index commit
        let mut h = Value::Null;
        for _ in 0..50 {
            let (s, v) = call(
                &state,
                "GET",
                "/v1/cases/TEL-2/history",
                Some("desk-key"),
                Value::Null,
            )
            .await;
            if s == 200 && v["records"].as_array().is_some_and(|r| r.len() == 2) {
                h = v;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(h["original_id"], "WEB-1", "{h}");
        assert_eq!(h["records"][0]["id"], "TEL-2");
        assert_eq!(h["records"][1]["relation"], "duplicate");
        assert_eq!(h["records"][1]["first"], true);
        // no personal data on the timeline
        let text = h.to_string();
        assert!(
            !text.contains("13912345678") && !text.contains("张伟"),
            "{text}"
        );
        let (s, _) = call(
            &state,
            "GET",
            "/v1/cases/TEL-2/history",
            Some("sup-key"),
            Value::Null,
        )
        .await;
        assert_eq!(s, 200);
        let (s, _) = call(&state, "GET", "/v1/cases/TEL-2/history", None, Value::Null).await;
        assert_eq!(s, 401);
        let (s, _) = call(
            &state,
            "GET",
            "/v1/cases/NOPE/history",
            Some("desk-key"),
            Value::Null,
        )
        .await;
        assert_eq!(s, 404);
        let (s, t) = call(
            &state,
            "POST",
            "/v1/ticket",
            Some("desk-key"),
            json!({ "text": TICKET }),
        )
        .await;
        assert_eq!(s, 200);
        assert_eq!(t["phone"], "139 1234 5678");
        assert_eq!(t["id_number_check"], "valid");
        let (s, _) = call(
            &state,
            "POST",
            "/v1/ticket",
            Some("desk-key"),
            json!({ "words": 1 }),
        )
        .await;
        assert_eq!(s, 400);
        let (s, m) = call(&state, "GET", "/v1/model", Some("desk-key"), Value::Null).await;
        assert_eq!(s, 200);
        let model = crate::engine::Model::bundled().unwrap();
        assert_eq!(m["person_threshold"].as_f64(), Some(model.person_threshold));
        assert_eq!(m["matter_threshold"].as_f64(), Some(model.matter_threshold));
    }
}
