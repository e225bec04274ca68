//! The fields of a pasted hotline ticket, read with the crate's own name, phone, ID-number and
//! place parsers, for the desk to confirm.

use super::Engine;
use crate::analysis::{Gazetteer, IdNumber, Profile};
use crate::model::{Case, normalize_channel};
use aho_corasick::{AhoCorasick, MatchKind};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::LazyLock;

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

impl Engine {
    /// Reads the fields of a pasted ticket: labelled fields first (`来电人：张伟`), then what
    /// the running text gives away. The text is not kept.
    pub fn read_ticket(text: &str) -> TicketFields {
        read_ticket(text)
    }
}

/// Reads the fields of a pasted ticket: labelled fields first (`来电人：张伟`), then what the
/// running text gives away (an ID number with a valid check digit, mobile and landline
/// numbers, 张先生, the first place the gazetteer knows).
fn read_ticket(text: &str) -> TicketFields {
    let mut out = TicketFields::default();
    take_labelled(&mut out, &labelled_values(text));
    take_running_text(&mut out, text);
    out
}

/// The value after each label, cleaned: a label at the start of a line begins the next
/// field; one inside a line (诉求内容：…，电话：…) ends only the short fields. The first value
/// of a field wins.
fn labelled_values(text: &str) -> HashMap<&'static str, String> {
    let found = labels(text);
    let mut raw: HashMap<&'static str, String> = HashMap::new();
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
    raw
}

/// The labelled values the matching can read (a name it parses, a phone it finds, an ID
/// number it accepts; places, title, narrative and channel as written), each marked labelled.
fn take_labelled(out: &mut TicketFields, raw: &HashMap<&'static str, String>) {
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
}

/// What the running text gives away, for the fields no label gave: the narrative when
/// labelled, else the whole paste.
fn take_running_text(out: &mut TicketFields, text: &str) {
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

    #[test]
    fn placeholders_and_plain_words_are_no_names() {
        let f = read_ticket("来电人：匿名\n内容：路灯坏了，请先生们修一下");
        assert_eq!(f.name, None);
        assert_eq!(f.location, None);
    }
}
