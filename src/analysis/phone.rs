//! Phone numbers as they arrive: several in one field (`/`, `、`, `,`, `；`, or spaces
//! between complete numbers); +86/0086 stripped; mobiles as 11 digits; landlines with the
//! area code kept apart from the local number and the extension (`转123`, `-123`) apart
//! from both; masks from other platforms' exports (`138****1234`, `138-XXXX-1234`) kept as
//! patterns; service numbers (400/800, 955xx, 12345, 110, …) dropped, since they identify
//! an organisation, not the person calling.

use super::width::fold_width;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneKind {
    Mobile,
    Landline,
    /// Some digits hidden as `*`.
    Masked,
    Other,
}

/// A normalised phone number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone {
    /// All digits after the country code (area code included, extension not); `*` where
    /// masked.
    pub digits: String,
    pub kind: PhoneKind,
    /// Landlines (and masked landlines): the number without the area code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local: Option<String>,
    /// Landlines: the extension after 转, 分机, ext or a trailing `-`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
}

/// Area codes with three digits (010 and 02x); all others have four.
fn area_code_len(d: &str) -> usize {
    if d.starts_with("010") || d.starts_with("02") {
        3
    } else {
        4
    }
}

/// Public short numbers of three digits (police, fire, ambulance, traffic, directory).
const SHORT_SERVICE: &[&str] = &["110", "112", "114", "119", "120", "122"];

/// The shortest and longest complete number starting like `d` (`*` counts as a digit).
fn lengths(d: &str) -> (usize, usize) {
    let b = d.as_bytes();
    match (b.first(), b.get(1)) {
        (Some(b'1'), Some(b'3'..=b'9' | b'*') | None) => (11, 11),
        (Some(b'1'), _) => (3, 5),
        (Some(b'0'), _) => {
            let area = area_code_len(d);
            (area + 7, area + 8)
        }
        // 400 and 800 numbers have ten digits
        (Some(b'4' | b'8'), Some(b'0')) => (7, 10),
        (Some(b'9'), _) => (5, 8),
        (Some(b'*'), _) => (7, 12),
        _ => (7, 8),
    }
}

/// Whether `d` could not grow into a longer number.
fn too_long(d: &str) -> bool {
    d.len() > lengths(d).1
}

/// Numbers that identify a service or an organisation, never a person: short numbers,
/// 400/800 numbers, 95xxx/96xxx, and area code + short number (0731-12345).
fn is_service(d: &str) -> bool {
    if d.len() <= 6 || SHORT_SERVICE.contains(&d) {
        return true;
    }
    if (d.starts_with("400") || d.starts_with("800")) && d.len() == 10 {
        return true;
    }
    if (d.starts_with('9') || d.starts_with('1')) && d.len() <= 8 {
        return true;
    }
    if d.starts_with('0') {
        let local = &d[area_code_len(d).min(d.len())..];
        return local.len() < 7 || local.starts_with('1') || local.starts_with('9');
    }
    false
}

/// One number from its digits (and `*`), its extension, and whether a country code was
/// stripped (then a landline's trunk 0 may be missing: +86 731 8888 8888).
fn classify(mut d: String, extension: Option<String>, international: bool) -> Option<Phone> {
    if !d.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    for prefix in ["0086", "86"] {
        if let Some(rest) = d.strip_prefix(prefix)
            && (rest.len() == 11 && rest.starts_with('1')
                || rest.len() >= 10 && rest.starts_with('0'))
        {
            d = rest.to_string();
            break;
        }
    }
    if international && !d.starts_with(['0', '1']) && (9..=11).contains(&d.len()) {
        d.insert(0, '0');
    }
    if d.contains('*') {
        if d.len() < 7 {
            return None;
        }
        let local =
            (d.starts_with('0') && d.len() >= 10).then(|| d[area_code_len(&d)..].to_string());
        return Some(Phone {
            digits: d,
            kind: PhoneKind::Masked,
            local,
            extension,
        });
    }
    if is_service(&d) {
        return None;
    }
    let b = d.as_bytes();
    if d.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) {
        return Some(Phone {
            digits: d,
            kind: PhoneKind::Mobile,
            local: None,
            extension: None,
        });
    }
    if d.starts_with('0') && (10..=12).contains(&d.len()) {
        let local = d[area_code_len(&d)..].to_string();
        return Some(Phone {
            digits: d,
            kind: PhoneKind::Landline,
            local: Some(local),
            extension,
        });
    }
    if (7..=8).contains(&d.len()) {
        return Some(Phone {
            local: Some(d.clone()),
            digits: d,
            kind: PhoneKind::Landline,
            extension,
        });
    }
    Some(Phone {
        digits: d,
        kind: PhoneKind::Other,
        local: None,
        extension: None,
    })
}

/// What came before a group of digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    Space,
    Hyphen,
    Extension,
}

/// Characters that separate whole numbers in one field.
fn is_list_separator(c: char) -> bool {
    matches!(
        c,
        '/' | '、' | ',' | '，' | ';' | '；' | '|' | '\n' | '或' | '和' | '及' | '\\'
    )
}

fn is_mask(c: char) -> bool {
    matches!(c, '*' | 'x' | 'X' | '×' | '✱' | '●')
}

/// Latin words (tel, fax, mobile) blanked out; runs of `x` stay, as masks.
fn without_words(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    let end_run = |run: &mut String, out: &mut String| {
        if run.chars().all(|c| c == 'x') {
            out.push_str(run);
        } else {
            out.push(' ');
        }
        run.clear();
    };
    for c in s.chars() {
        if c.is_ascii_alphabetic() {
            run.push(c);
            continue;
        }
        end_run(&mut run, &mut out);
        out.push(c);
    }
    end_run(&mut run, &mut out);
    out
}

/// Groups of digits (and `*`) with the separator before each.
fn groups(chunk: &str) -> Vec<(Sep, String)> {
    let lower = without_words(
        &chunk
            .to_lowercase()
            .replace("分机号", "#")
            .replace("分机", "#")
            .replace("ext.", "#")
            .replace("ext", "#")
            .replace('转', "#"),
    );
    let mut out: Vec<(Sep, String)> = Vec::new();
    let mut sep = Sep::Space;
    let mut cur = String::new();
    for c in lower.chars() {
        if c.is_ascii_digit() || is_mask(c) {
            cur.push(if c.is_ascii_digit() { c } else { '*' });
            continue;
        }
        if !cur.is_empty() {
            out.push((sep, std::mem::take(&mut cur)));
            sep = Sep::Space;
        }
        match c {
            '#' => sep = Sep::Extension,
            '-' | '—' | '–' | '~' if sep != Sep::Extension => sep = Sep::Hyphen,
            _ => {}
        }
    }
    if !cur.is_empty() {
        out.push((sep, cur));
    }
    out
}

/// The numbers in one chunk: groups joined while they still form one number.
fn numbers_in(chunk: &str, out: &mut Vec<Phone>) {
    let plus = chunk
        .chars()
        .take_while(|c| !c.is_ascii_digit())
        .any(|c| c == '+');
    let mut groups = groups(chunk);
    let mut international = plus;
    // a country code standing apart: +86 139…, 0086-139…; after it a landline has lost
    // its trunk 0 (+86 731 8888 8888)
    if groups.len() > 1 && (groups[0].1 == "0086" || (groups[0].1 == "86" && plus)) {
        groups.remove(0);
        international = true;
        if let Some((_, g)) = groups.first_mut()
            && !g.starts_with(['0', '1'])
        {
            g.insert(0, '0');
        }
    } else if groups.len() > 1 {
        // a country code glued to the first group: +86139-1234-5678, 0086139 1234 5678
        let glued = match &groups[0].1 {
            g if g.len() > 4 && g.starts_with("0086") => Some(4),
            g if plus && g.len() > 2 && g.starts_with("86") => Some(2),
            _ => None,
        };
        if let Some(n) = glued {
            international = true;
            let g = &mut groups[0].1;
            g.drain(..n);
            if !g.starts_with(['0', '1']) {
                g.insert(0, '0');
            }
        }
    }
    let mut buf = String::new();
    let flush = |buf: &mut String, ext: Option<String>, out: &mut Vec<Phone>| {
        if let Some(p) = classify(std::mem::take(buf), ext, international) {
            out.push(p);
        }
    };
    for (sep, g) in groups {
        if !buf.is_empty() {
            let joined = format!("{buf}{g}");
            let (min, _) = lengths(&buf);
            let complete = buf.len() >= min;
            let short = g.len() <= 6 && !g.contains('*');
            if complete
                && short
                && (sep == Sep::Extension || (sep == Sep::Hyphen && too_long(&joined)))
            {
                flush(&mut buf, Some(g), out);
                continue;
            }
            if sep == Sep::Extension || too_long(&joined) {
                flush(&mut buf, None, out);
            }
        }
        buf.push_str(&g);
    }
    if !buf.is_empty() {
        flush(&mut buf, None, out);
    }
}

impl Phone {
    /// Every number in a raw field, service numbers dropped, each number once.
    pub fn parse_all(raw: &str) -> Vec<Phone> {
        let folded = fold_width(raw);
        let mut out: Vec<Phone> = Vec::new();
        for chunk in folded.split(is_list_separator) {
            numbers_in(chunk, &mut out);
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|p| seen.insert((p.digits.clone(), p.extension.clone())));
        out
    }

    /// The first number in a raw field; `None` when it holds no number that identifies a
    /// person.
    pub fn parse(raw: &str) -> Option<Phone> {
        Phone::parse_all(raw).into_iter().next()
    }

    /// The area code of a landline, where it was given.
    pub fn area(&self) -> Option<&str> {
        let area = self.digits.strip_suffix(self.local.as_deref()?)?;
        (!area.is_empty()).then_some(area)
    }

    /// The blocking key: the mobile number or the landline's local number; none for masks,
    /// which many people share.
    pub fn key(&self) -> Option<&str> {
        match self.kind {
            PhoneKind::Masked => None,
            PhoneKind::Landline => self.local.as_deref(),
            PhoneKind::Mobile | PhoneKind::Other => Some(&self.digits),
        }
    }

    /// A masked form for logs and responses: mobiles 139****5678, landlines the area code
    /// and the last digits of the local number.
    pub fn masked(&self) -> String {
        use super::id_number::mask_middle;
        match (self.kind, self.local.as_deref()) {
            (PhoneKind::Landline, Some(local)) => {
                let tail = if local.len() >= 8 { 4 } else { 3 };
                let local = mask_middle(local, 0, tail);
                match self.area() {
                    Some(area) => format!("{area}-{local}"),
                    None => local,
                }
            }
            (PhoneKind::Mobile | PhoneKind::Masked, _) => mask_middle(&self.digits, 3, 4),
            _ => mask_middle(&self.digits, 2, 2),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits(raw: &str) -> Vec<String> {
        Phone::parse_all(raw)
            .into_iter()
            .map(|p| p.digits)
            .collect()
    }

    #[test]
    fn a_country_code_glued_to_the_first_group_is_stripped() {
        for raw in ["+86139-1234-5678", "0086139 1234 5678", "+86139 1234 5678"] {
            let all = Phone::parse_all(raw);
            assert_eq!(all.len(), 1, "{raw}: {all:?}");
            assert_eq!(all[0].digits, "13912345678", "{raw}");
        }
    }

    #[test]
    fn strips_country_code_and_separators() {
        for raw in [
            "+86 139-1234-5678",
            "0086 13912345678",
            "+8613912345678",
            "８６-１３９１２３４５６７８",
            "139 1234 5678",
            "(+86) 139 1234 5678",
            "手机：13912345678",
        ] {
            let p = Phone::parse(raw).unwrap();
            assert_eq!(p.digits, "13912345678", "{raw}");
            assert_eq!(p.kind, PhoneKind::Mobile);
        }
    }

    #[test]
    fn landlines_keep_area_code_and_extension_apart() {
        let p = Phone::parse("(0931)8014083").unwrap();
        assert_eq!(p.kind, PhoneKind::Landline);
        assert_eq!(p.digits, "09318014083");
        assert_eq!(p.key(), Some("8014083"));
        assert_eq!(p.area(), Some("0931"));
        let q = Phone::parse("027-86483324").unwrap();
        assert_eq!(q.key(), Some("86483324"));
        let local = Phone::parse("8014083").unwrap();
        assert_eq!((local.key(), local.area()), (Some("8014083"), None));
        for (raw, want, ext) in [
            ("0731-8888 8888转123", "073188888888", Some("123")),
            ("0731-88888888-123", "073188888888", Some("123")),
            ("0731-88888888 ext. 123", "073188888888", Some("123")),
            ("0731-88888888分机123", "073188888888", Some("123")),
            ("(0731)88888888", "073188888888", None),
            ("0731 8888 8888", "073188888888", None),
            ("0731-8888-8888", "073188888888", None),
            ("010-62345678-8001", "01062345678", Some("8001")),
            ("+86 731 8888 8888", "073188888888", None),
            ("88888888", "88888888", None),
        ] {
            let p = Phone::parse(raw).unwrap();
            assert_eq!(p.kind, PhoneKind::Landline, "{raw}");
            assert_eq!(p.digits, want, "{raw}");
            assert_eq!(p.extension.as_deref(), ext, "{raw}");
        }
        assert_eq!(Phone::parse("无"), None);
    }

    #[test]
    fn several_numbers_in_one_field() {
        let both = vec!["13912345678".to_string(), "13812345678".to_string()];
        for raw in [
            "13912345678/13812345678",
            "13912345678、13812345678",
            "13912345678,13812345678",
            "13912345678，13812345678",
            "13912345678；13812345678",
            "13912345678;13812345678",
            "13912345678 13812345678",
            "139 1234 5678 / 138-1234-5678",
            "13912345678或13812345678",
        ] {
            assert_eq!(digits(raw), both, "{raw}");
        }
        assert_eq!(
            digits("0731-88888888 13912345678"),
            vec!["073188888888", "13912345678"]
        );
        assert_eq!(digits("88888888 66666666"), vec!["88888888", "66666666"]);
        assert_eq!(digits("13912345678/13912345678"), vec!["13912345678"]);
    }

    #[test]
    fn masked_mobiles_are_patterns_and_never_keys() {
        for raw in [
            "138****1234",
            "138-XXXX-1234",
            "138xxxx1234",
            "138 **** 1234",
            "138＊＊＊＊1234",
            "+86 138****1234",
        ] {
            let p = Phone::parse(raw).unwrap();
            assert_eq!(p.kind, PhoneKind::Masked, "{raw}");
            assert_eq!(p.digits, "138****1234", "{raw}");
            assert_eq!(p.key(), None, "{raw}");
        }
        let landline = Phone::parse("0731-8888****").unwrap();
        assert_eq!(landline.kind, PhoneKind::Masked);
        assert_eq!(landline.local.as_deref(), Some("8888****"));
        assert_eq!(Phone::parse("***********"), None);
    }

    #[test]
    fn service_numbers_are_dropped() {
        for raw in [
            "12345",
            "12315",
            "110",
            "120",
            "10086",
            "95588",
            "96333",
            "400-888-8888",
            "4008888888",
            "800-820-8820",
            "0731-12345",
            "0731-96333",
        ] {
            assert_eq!(Phone::parse(raw), None, "{raw}");
        }
        assert_eq!(digits("12345 13912345678"), vec!["13912345678"]);
        assert_eq!(digits("400-888-8888/13912345678"), vec!["13912345678"]);
    }

    #[test]
    fn masked_hides_the_middle() {
        let m = |s: &str| Phone::parse(s).unwrap().masked();
        assert_eq!(m("13912345678"), "139****5678");
        assert_eq!(m("0731-87654321"), "0731-****4321");
        assert_eq!(m("8765432"), "****432");
        assert_eq!(m("138****1234"), "138****1234");
        assert_eq!(m("1381234****"), "138********");
    }

    #[test]
    fn old_profiles_still_load() {
        let p: Phone =
            serde_json::from_str(r#"{"digits":"09318014083","kind":"landline","local":"8014083"}"#)
                .unwrap();
        assert_eq!(p, Phone::parse("0931-8014083").unwrap());
    }
}
