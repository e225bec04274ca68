//! Mixed contact cells (联系方式): "13912345678 长沙市岳麓区xx路12号" or
//! "电话：0731-88889999；地址：…" split into the phone numbers and the address.

use crate::analysis::fold_width_char;

/// What a contact cell holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    /// Numbers as written, several joined by "/".
    pub phone: Option<String>,
    pub address: Option<String>,
    /// Text that is neither (a name, a WeChat id …), kept so nothing is lost.
    pub rest: Option<String>,
}

const PHONE_LABELS: [&str; 8] = [
    "联系电话",
    "手机号码",
    "手机号",
    "手机",
    "电话",
    "座机",
    "tel",
    "phone",
];
const ADDRESS_LABELS: [&str; 7] = [
    "联系地址",
    "家庭住址",
    "通讯地址",
    "住址",
    "地址",
    "address",
    "addr",
];
/// Characters that make unlabelled text read as an address.
const ADDRESS_MARKS: [char; 16] = [
    '省', '市', '区', '县', '镇', '乡', '村', '路', '街', '道', '号', '栋', '楼', '室', '组', '巷',
];

fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, ';' | '；' | ',' | '，' | '、' | '/' | '|' | ':' | '：')
}

fn trim_separators(s: &str) -> &str {
    s.trim_matches(is_separator)
}

/// Phone numbers of an unlabelled part go to `phones`, the text left to `rest`.
fn unlabelled(part: &str, phones: &mut Vec<String>, rest: &mut Vec<String>) {
    let (found, pieces) = take_phones(part);
    phones.extend(found);
    rest.extend(
        pieces
            .iter()
            .map(|p| trim_separators(p))
            .filter(|p| !p.is_empty())
            .map(str::to_string),
    );
}

/// Splits a contact cell. Labelled parts ("电话：…；地址：…") are read by label; otherwise
/// every phone number is taken out and what is left is the address if it reads as one.
pub fn split_contact(raw: &str) -> Contact {
    let text: String = raw.chars().map(fold_width_char).collect();
    let lower = text.to_lowercase();
    // offsets found in the lowercase text must hold in the text itself
    let labels = find_labels(if lower.len() == text.len() {
        &lower
    } else {
        &text
    });
    let mut phones = Vec::new();
    let mut addresses = Vec::new();
    let mut rest = Vec::new();
    let head_end = labels.first().map_or(text.len(), |l| l.0);
    unlabelled(&text[..head_end], &mut phones, &mut rest);
    for (k, &(start, len, is_phone)) in labels.iter().enumerate() {
        let end = labels.get(k + 1).map_or(text.len(), |l| l.0);
        let value = trim_separators(&text[start + len..end]);
        if value.is_empty() {
            continue;
        }
        if is_phone {
            unlabelled(value, &mut phones, &mut rest);
        } else {
            addresses.push(value.to_string());
        }
    }
    // unlabelled leftovers that read as an address are the address
    if addresses.is_empty()
        && let Some(k) = rest
            .iter()
            .position(|r| r.chars().any(|c| ADDRESS_MARKS.contains(&c)))
    {
        addresses.push(rest.remove(k));
    }
    let join = |v: Vec<String>, sep: &str| (!v.is_empty()).then(|| v.join(sep));
    Contact {
        phone: join(phones, "/"),
        address: join(addresses, " "),
        rest: join(rest, " "),
    }
}

/// Label positions (byte offset, byte length, is a phone label), in text order; the
/// longest label wins where they overlap (联系电话 over 电话).
fn find_labels(lower: &str) -> Vec<(usize, usize, bool)> {
    let mut found: Vec<(usize, usize, bool)> = Vec::new();
    for (labels, is_phone) in [(&PHONE_LABELS[..], true), (&ADDRESS_LABELS[..], false)] {
        for label in labels {
            for (at, _) in lower.match_indices(label) {
                // a label is followed by a colon or stands before a value, not inside a word
                let after = &lower[at + label.len()..];
                let ascii = label.is_ascii();
                if ascii && after.starts_with(|c: char| c.is_ascii_alphanumeric()) {
                    continue;
                }
                found.push((at, label.len(), is_phone));
            }
        }
    }
    found.sort_by_key(|&(at, len, _)| (at, std::cmp::Reverse(len)));
    let mut kept: Vec<(usize, usize, bool)> = Vec::new();
    for l in found {
        if kept.last().is_none_or(|k| l.0 >= k.0 + k.1) {
            kept.push(l);
        }
    }
    kept
}

/// Takes every phone number out of `text`: the numbers as written and the pieces of text
/// around them.
fn take_phones(text: &str) -> (Vec<String>, Vec<&str>) {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut phones = Vec::new();
    let mut left = Vec::new();
    let mut i = 0;
    let mut copied = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        let starts = c.is_ascii_digit() || (c == '+' && next_is_digit(&chars, i));
        let after_digit = i > 0 && chars[i - 1].1.is_ascii_digit();
        if !starts || after_digit {
            i += 1;
            continue;
        }
        match phone_at(&chars, i) {
            Some(end) => {
                let end_byte = chars.get(end).map_or(text.len(), |c| c.0);
                left.push(&text[copied..at]);
                phones.push(text[at..end_byte].trim().to_string());
                copied = end_byte;
                i = end;
            }
            None => i += 1,
        }
    }
    left.push(&text[copied..]);
    (phones, left)
}

fn next_is_digit(chars: &[(usize, char)], i: usize) -> bool {
    chars.get(i + 1).is_some_and(|c| c.1.is_ascii_digit())
}

/// The end (char index) of the longest phone number starting at `i`: digits with single
/// spaces, hyphens or brackets between groups, read as a mobile (1[3-9] and 9 more digits,
/// optionally +86), a landline with its area code (0 and 9–11 digits), a 400/800 number,
/// or a bare 7–8 digit local number; a longer run of digits is not a phone.
fn phone_at(chars: &[(usize, char)], i: usize) -> Option<usize> {
    let mut digits = String::new();
    let mut best = None;
    let mut j = i;
    while j < chars.len() {
        let c = chars[j].1;
        if c.is_ascii_digit() {
            digits.push(c);
            j += 1;
            let next_digit = chars.get(j).is_some_and(|c| c.1.is_ascii_digit());
            if !next_digit && is_phone(&digits) {
                best = Some(j);
            }
            if digits.len() > 13 {
                break;
            }
        } else if matches!(c, '(' | ')')
            || (matches!(c, '-' | ' ' | '+') && next_is_digit(chars, j))
        {
            j += 1;
        } else {
            break;
        }
    }
    // a number that runs on into more digits (an ID number, an order number) is not a phone
    let run_end = chars[i..]
        .iter()
        .position(|c| !c.1.is_ascii_digit())
        .map_or(chars.len(), |p| i + p);
    if run_end - i > 12 {
        return None;
    }
    best
}

fn is_phone(d: &str) -> bool {
    let mobile =
        |d: &str| d.len() == 11 && d.starts_with('1') && matches!(d.as_bytes()[1], b'3'..=b'9');
    mobile(d)
        || (d.len() == 13 && d.starts_with("86") && mobile(&d[2..]))
        || (d.starts_with('0') && !d.starts_with("00") && (10..=12).contains(&d.len()))
        || ((d.starts_with("400") || d.starts_with("800")) && d.len() == 10)
        || ((7..=8).contains(&d.len()) && !d.starts_with('0') && !d.starts_with('1'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_split_table() {
        // raw cell, phone, address, rest
        type Row<'a> = (&'a str, Option<&'a str>, Option<&'a str>, Option<&'a str>);
        let table: [Row; 13] = [
            (
                "13912345678 长沙市岳麓区xx路12号",
                Some("13912345678"),
                Some("长沙市岳麓区xx路12号"),
                None,
            ),
            (
                "电话：0731-88889999；地址：长沙市开福区芙蓉中路1段",
                Some("0731-88889999"),
                Some("长沙市开福区芙蓉中路1段"),
                None,
            ),
            (
                "联系电话:139 1234 5678,住址:岳麓区桃子湖路3栋",
                Some("139 1234 5678"),
                Some("岳麓区桃子湖路3栋"),
                None,
            ),
            ("13912345678", Some("13912345678"), None, None),
            (
                "１３９１２３４５６７８／0731-88889999",
                Some("13912345678/0731-88889999"),
                None,
                None,
            ),
            ("+86 13912345678", Some("+86 13912345678"), None, None),
            (
                "长沙市雨花区劳动路8号 手机13812345678",
                Some("13812345678"),
                Some("长沙市雨花区劳动路8号"),
                None,
            ),
            (
                "张先生 13912345678",
                Some("13912345678"),
                None,
                Some("张先生"),
            ),
            ("地址：天心区书院路9号", None, Some("天心区书院路9号"), None),
            // an ID number is not a phone
            ("430104198807152315", None, None, Some("430104198807152315")),
            (
                "88889999 芙蓉区五一大道",
                Some("88889999"),
                Some("芙蓉区五一大道"),
                None,
            ),
            ("", None, None, None),
            ("微信 zhangwei88", None, None, Some("微信 zhangwei88")),
        ];
        for (raw, phone, address, rest) in table {
            let c = split_contact(raw);
            assert_eq!(
                (c.phone.as_deref(), c.address.as_deref(), c.rest.as_deref()),
                (phone, address, rest),
                "{raw}"
            );
        }
    }
}
