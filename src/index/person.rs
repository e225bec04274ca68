//! Person keys: what the index holds to find every case of one complainant (exact keys
//! and the patterns of masked values on file), and the look-up by name, phone, ID number
//! or platform account. Values are normalised by the matching's readers (`Profile`), so a
//! look-up matches in every format the duplicate check accepts.

use super::schema::{CaseFields, StoredCase};
use super::store::CaseIndex;
use crate::analysis::{IdNumber, NameForm, PersonName, Phone, PhoneKind, Profile};
use crate::error::Result;
use serde::Serialize;
use std::collections::HashMap;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, RegexQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DateTime, DocAddress, Order, TantivyDocument, Term};

/// The kinds of identifier a look-up may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    IdNumber,
    Phone,
    Account,
    Name,
}

impl KeyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::IdNumber => "id_number",
            KeyKind::Phone => "phone",
            KeyKind::Account => "account",
            KeyKind::Name => "name",
        }
    }
}

/// How a case's value agrees with the looked-up one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchLevel {
    /// the same value after normalisation
    Exact,
    /// a masked value on file (or a masked look-up) whose visible characters agree
    Possible,
}

/// The normalised values of a look-up.
#[derive(Debug, Clone, Default)]
pub struct PersonQuery {
    pub name: Option<PersonName>,
    pub phones: Vec<Phone>,
    pub id_number: Option<IdNumber>,
    /// `platform:account`, as the profile keys it
    pub account: Option<String>,
}

/// A case of the person, with the keys that found it.
#[derive(Debug, Clone)]
pub struct PersonHit {
    pub stored: StoredCase,
    pub matched: Vec<(KeyKind, MatchLevel)>,
}

/// `digits:head:tail` of a value with one run of `*` (`157****5598` → `11:157:5598`).
pub fn mask_key(pattern: &str) -> Option<String> {
    let first = pattern.find('*')?;
    let last = pattern.rfind('*')?;
    if !pattern[first..=last].bytes().all(|b| b == b'*') || !pattern.is_ascii() {
        return None;
    }
    Some(format!(
        "{}:{}:{}",
        pattern.len(),
        &pattern[..first],
        &pattern[last + 1..]
    ))
}

/// The mask keys a full value could be on file under: every split into a visible head and
/// tail around one masked run, with at least `min_visible` characters visible.
fn mask_keys_of(value: &str, min_visible: usize) -> Vec<String> {
    let n = value.len();
    if !value.is_ascii() || n < 2 {
        return Vec::new();
    }
    let mut out = Vec::new();
    for visible in min_visible.min(n - 1)..n {
        for head in 0..=visible {
            let tail = visible - head;
            out.push(format!("{n}:{}:{}", &value[..head], &value[n - tail..]));
        }
    }
    out
}

/// Every masked form of a Chinese name (each character shown or `*`, at least one of each).
fn name_masks(full: &str) -> Vec<String> {
    let chars: Vec<char> = full.chars().collect();
    let n = chars.len();
    if !(2..=6).contains(&n) {
        return Vec::new();
    }
    (1..(1u32 << n) - 1)
        .map(|shown| {
            chars
                .iter()
                .enumerate()
                .map(|(i, c)| if shown & (1 << i) != 0 { *c } else { '*' })
                .collect()
        })
        .collect()
}

/// A regex over full values that a masked pattern allows (`*` any one character).
fn mask_regex(pattern: &str, digits_only: bool) -> String {
    let any = if digits_only { "[0-9X]" } else { "." };
    pattern
        .chars()
        .map(|c| {
            if c == '*' {
                any.to_string()
            } else {
                regex_escape(c)
            }
        })
        .collect()
}

fn regex_escape(c: char) -> String {
    if c.is_alphanumeric() || !c.is_ascii() {
        c.to_string()
    } else {
        format!("\\{c}")
    }
}

/// The name key of a normalised name: the full Chinese name, or the Latin letters.
pub fn name_key(name: &PersonName) -> Option<String> {
    match &name.form {
        NameForm::Chinese => name.full.clone(),
        NameForm::Latin { letters } => Some(format!("latin:{letters}")),
        NameForm::Masked { .. } | NameForm::Initials { .. } => None,
    }
}

/// Adds the person keys of a profile to its document (the exact ID, phone and account keys
/// are added with the blocking keys).
pub(super) fn add_person_keys(f: &CaseFields, p: &Profile, doc: &mut TantivyDocument) {
    if let Some(name) = &p.name {
        if let Some(k) = name_key(name) {
            doc.add_text(f.name_key, &k);
        }
        if let NameForm::Masked { pattern } = &name.form {
            doc.add_text(f.name_mask, pattern);
        }
    }
    for phone in p.phones.iter().filter(|ph| ph.kind == PhoneKind::Masked) {
        if let Some(k) = mask_key(&phone.digits) {
            doc.add_text(f.phone_mask, &k);
        }
        if let Some(k) = phone.local.as_deref().and_then(mask_key) {
            doc.add_text(f.phone_mask, &k);
        }
    }
    if let Some(IdNumber::Masked(_)) = &p.id_number
        && let Some(k) = p.id_number.as_ref().and_then(|i| i.pattern18())
        && let Some(k) = mask_key(&k)
    {
        doc.add_text(f.id_mask, &k);
    }
}

fn terms(field: Field, values: impl IntoIterator<Item = String>) -> Vec<Box<dyn Query>> {
    values
        .into_iter()
        .map(|v| {
            Box::new(TermQuery::new(
                Term::from_field_text(field, &v),
                IndexRecordOption::Basic,
            )) as Box<dyn Query>
        })
        .collect()
}

fn regex(field: Field, pattern: &str) -> Vec<Box<dyn Query>> {
    RegexQuery::from_pattern(pattern, field)
        .map(|q| vec![Box::new(q) as Box<dyn Query>])
        .unwrap_or_default()
}

/// The index queries that find one key kind at one level.
pub(crate) type KeyClauses = (KeyKind, MatchLevel, Vec<Box<dyn Query>>);

/// Visible digits a phone mask must show to count as a possible match.
const PHONE_MIN_VISIBLE: usize = 5;
/// Visible characters an ID-number mask must show.
const ID_MIN_VISIBLE: usize = 8;

impl PersonQuery {
    /// The look-up values of a profile (built by `Profile::of` from the raw keys).
    pub fn from_profile(p: &Profile) -> PersonQuery {
        PersonQuery {
            name: p.name.clone(),
            phones: p.phones.clone(),
            id_number: p.id_number.clone(),
            account: p.account.clone(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.phones.is_empty()
            && self.id_number.is_none()
            && self.account.is_none()
    }

    /// The kinds of identifier used, in a fixed order.
    pub fn kinds(&self) -> Vec<KeyKind> {
        let mut k = Vec::new();
        if self.id_number.is_some() {
            k.push(KeyKind::IdNumber);
        }
        if !self.phones.is_empty() {
            k.push(KeyKind::Phone);
        }
        if self.account.is_some() {
            k.push(KeyKind::Account);
        }
        if self.name.is_some() {
            k.push(KeyKind::Name);
        }
        k
    }

    /// The index queries of each kind and level.
    pub(crate) fn clauses(&self, f: &CaseFields) -> Vec<KeyClauses> {
        let mut out = Vec::new();
        if let Some(name) = &self.name {
            let exact = name_key(name).map(|k| terms(f.name_key, [k]));
            let possible = match (&name.form, name.full.as_deref()) {
                (NameForm::Chinese, Some(full)) => terms(f.name_mask, name_masks(full)),
                (NameForm::Masked { pattern }, _) => {
                    let mut q = terms(f.name_mask, [pattern.clone()]);
                    q.extend(regex(f.name_key, &mask_regex(pattern, false)));
                    q
                }
                _ => Vec::new(),
            };
            out.push((KeyKind::Name, MatchLevel::Exact, exact.unwrap_or_default()));
            out.push((KeyKind::Name, MatchLevel::Possible, possible));
        }
        let mut exact = Vec::new();
        let mut possible = Vec::new();
        for ph in &self.phones {
            if let Some(k) = ph.key() {
                exact.extend(terms(f.phone_key, [k.to_string()]));
                possible.extend(terms(
                    f.phone_mask,
                    mask_keys_of(&ph.digits, PHONE_MIN_VISIBLE),
                ));
                if let Some(local) = ph.local.as_deref().filter(|l| *l != ph.digits) {
                    possible.extend(terms(f.phone_mask, mask_keys_of(local, PHONE_MIN_VISIBLE)));
                }
            } else if ph.kind == PhoneKind::Masked {
                possible.extend(terms(f.phone_mask, mask_key(&ph.digits)));
                possible.extend(regex(f.phone_key, &mask_regex(&ph.digits, true)));
                if let Some(local) = ph.local.as_deref() {
                    possible.extend(regex(f.phone_key, &mask_regex(local, true)));
                }
            }
        }
        if !self.phones.is_empty() {
            out.push((KeyKind::Phone, MatchLevel::Exact, exact));
            out.push((KeyKind::Phone, MatchLevel::Possible, possible));
        }
        match &self.id_number {
            Some(IdNumber::Valid(id)) => {
                out.push((
                    KeyKind::IdNumber,
                    MatchLevel::Exact,
                    terms(f.id_key, [id.clone()]),
                ));
                out.push((
                    KeyKind::IdNumber,
                    MatchLevel::Possible,
                    terms(f.id_mask, mask_keys_of(id, ID_MIN_VISIBLE)),
                ));
            }
            Some(masked @ IdNumber::Masked(_)) => {
                let mut q = Vec::new();
                if let Some(p18) = masked.pattern18() {
                    q.extend(terms(f.id_mask, mask_key(&p18)));
                    q.extend(regex(f.id_key, &mask_regex(&p18, true)));
                }
                out.push((KeyKind::IdNumber, MatchLevel::Possible, q));
            }
            // a number that fails the checksum identifies nobody: nothing to look up
            Some(IdNumber::Invalid(_)) | None => {}
        }
        if let Some(a) = &self.account {
            out.push((
                KeyKind::Account,
                MatchLevel::Exact,
                terms(f.account_key, [a.clone()]),
            ));
        }
        out
    }
}

impl CaseIndex {
    /// Every case of the person (at most `max`, newest first, per key kind and level), each
    /// with the keys that found it; `within` restricts them (filters, words). The flag says
    /// whether some list was cut at `max`.
    pub fn person_cases(
        &self,
        q: &PersonQuery,
        within: Option<Box<dyn Query>>,
        max: usize,
    ) -> Result<(Vec<PersonHit>, bool)> {
        let f = self.fields();
        let searcher = self.searcher();
        let mut found: HashMap<DocAddress, Vec<(KeyKind, MatchLevel)>> = HashMap::new();
        let mut truncated = false;
        // beside a number, the name only widens the history to cases that record no number of
        // their own: a masked name on file (朱*) fits thousands of people, and a namesake with
        // other numbers is someone else until a number agrees (a look-up by the name alone
        // still lists both)
        let numbered = !q.phones.is_empty() || q.id_number.is_some() || q.account.is_some();
        for (kind, level, clauses) in q.clauses(f) {
            if clauses.is_empty()
                || (numbered && kind == KeyKind::Name && level == MatchLevel::Possible)
            {
                continue;
            }
            let any: Box<dyn Query> = Box::new(BooleanQuery::new(
                clauses.into_iter().map(|c| (Occur::Should, c)).collect(),
            ));
            let query: Box<dyn Query> = match &within {
                Some(w) => Box::new(BooleanQuery::new(vec![
                    (Occur::Must, any),
                    (Occur::Must, w.box_clone()),
                ])),
                None => any,
            };
            let top = searcher.search(
                &query,
                &TopDocs::with_limit(max + 1)
                    .order_by_fast_field::<DateTime>("received_at", Order::Desc),
            )?;
            truncated |= top.len() > max;
            for (_, addr) in top.into_iter().take(max) {
                let e = found.entry(addr).or_default();
                if !e.iter().any(|(k, _)| *k == kind) {
                    e.push((kind, level));
                }
            }
        }
        let mut hits = Vec::with_capacity(found.len());
        for (addr, mut matched) in found {
            matched.sort();
            let stored = self.stored(&searcher, addr)?;
            let name_only = matched.iter().all(|(k, _)| *k == KeyKind::Name);
            let p = &stored.profile;
            if numbered
                && name_only
                && (!p.phones.is_empty() || p.id_number.is_some() || p.account.is_some())
            {
                continue;
            }
            hits.push(PersonHit { stored, matched });
        }
        Ok((hits, truncated))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_keys_agree_between_file_and_look_up() {
        assert_eq!(mask_key("157****5598").as_deref(), Some("11:157:5598"));
        assert_eq!(mask_key("1*7****5598"), None);
        assert!(mask_keys_of("15708825598", 5).contains(&"11:157:5598".to_string()));
        let id = "430104198807152329";
        assert!(mask_keys_of(id, 8).contains(&"18:4301:2329".to_string()));
        assert!(!mask_keys_of(id, 8).contains(&"18:4:2".to_string()));
    }

    #[test]
    fn name_masks_cover_the_usual_patterns() {
        let m = name_masks("张伟明");
        for want in ["张**", "张*明", "*伟明"] {
            assert!(m.iter().any(|x| x == want), "{want} in {m:?}");
        }
        assert!(!m.iter().any(|x| x == "***" || x == "张伟明"));
        assert_eq!(mask_regex("张**", false), "张..");
        assert_eq!(
            mask_regex("157****5598", true),
            "157[0-9X][0-9X][0-9X][0-9X]5598"
        );
    }
}
