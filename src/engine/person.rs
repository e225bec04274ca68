//! A complainant's history: every case of one person, found by name, phone, ID number or
//! platform account (normalised by the matching's readers), grouped by matter with the
//! matching's comparators and clustering, and every look-up written to the audit log.

use super::Engine;
use crate::analysis::{IdNumber, Profile};
use crate::error::{Error, Result};
use crate::index::{
    AuditOutcome, AuditRecord, AuditReport, KeyKind, MatchLevel, PersonHit, PersonQuery,
    SearchRequest,
};
use crate::matching::{Constraints, Edge, Linkage, Prepared, TextSignature, cluster, compare};
use crate::model::Case;
use serde::Serialize;
use std::collections::HashMap;

/// The raw keys of a look-up, as a clerk types them, and what restricts it.
#[derive(Debug, Clone, Default)]
pub struct PersonLookup {
    pub name: Option<String>,
    /// one or several numbers, in any format
    pub phone: Option<String>,
    pub id_number: Option<String>,
    /// `PLATFORM:ACCOUNT`
    pub account: Option<String>,
    /// filters and words the cases must also match (limit and offset are not used)
    pub within: SearchRequest,
    /// cases read per key kind and level (default 500)
    pub max_cases: Option<usize>,
    /// the person of this stored case: its name, phone, ID number and account are the keys
    /// (read server-side, so a page that shows the case masked can still link to the
    /// history); not combined with the keys above
    pub of_case: Option<Case>,
}

/// Who looks, for the audit log.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    /// the API key's name, or the operating-system user
    pub who: &'a str,
    pub role: &'a str,
    /// `http` or `cli`
    pub via: &'a str,
}

/// How a key agreed on one case.
#[derive(Debug, Clone, Serialize)]
pub struct KeyMatch {
    pub key: KeyKind,
    pub level: MatchLevel,
}

/// One case of the person.
#[derive(Debug, Clone, Serialize)]
pub struct PersonCase {
    pub id: String,
    #[serde(rename = "match")]
    pub level: MatchLevel,
    pub matched: Vec<KeyMatch>,
    pub received_at: Option<String>,
    pub channel: Option<String>,
    pub handler: Option<String>,
    pub status: Option<String>,
    pub title: Option<String>,
    pub location: Option<String>,
    /// the stored case (callers mask what the reader may not see)
    pub case: Case,
}

/// The cases of one matter.
#[derive(Debug, Clone, Serialize)]
pub struct MatterHistory {
    /// `M-` plus the id of the matter's first case
    pub matter: String,
    /// exact when some case of the matter matched a key exactly
    #[serde(rename = "match")]
    pub level: MatchLevel,
    pub first_received: Option<String>,
    pub last_received: Option<String>,
    pub submissions: usize,
    /// channels in order of first use
    pub channels: Vec<String>,
    /// 首办: the handler of the matter's first case that names one
    pub first_handler: Option<String>,
    /// the status of the newest case that has one
    pub latest_status: Option<String>,
    /// the first case's title
    pub title: Option<String>,
    /// newest first
    pub cases: Vec<PersonCase>,
}

/// The history view.
#[derive(Debug, Clone, Serialize)]
pub struct PersonHistory {
    /// the identifier kinds used
    pub keys: Vec<KeyKind>,
    pub total: usize,
    pub exact: usize,
    pub possible: usize,
    /// some key matched more cases than were read (`max_cases`)
    pub truncated: bool,
    /// matters with an exact match first, then possible ones; newest matter first in each
    pub matters: Vec<MatterHistory>,
}

const DEFAULT_MAX_CASES: usize = 500;
/// Cases each case is compared with (in time order) when grouping a long history.
const GROUPING_WINDOW: usize = 60;

impl PersonLookup {
    /// The normalised keys: the matching's readers (`Profile::of`) over the raw values.
    pub fn query(&self) -> Result<PersonQuery> {
        if let Some(case) = &self.of_case {
            return self.query_of_case(case);
        }
        let (platform, account) = match self.account.as_deref().map(str::trim) {
            None | Some("") => (None, None),
            Some(a) => match a.split_once([':', '：']) {
                Some((p, acc)) if !acc.trim().is_empty() => {
                    (Some(p.trim().to_string()), Some(acc.trim().to_string()))
                }
                _ => {
                    return Err(Error::Invalid(
                        "account: expected PLATFORM:ACCOUNT (网上:zhang123, 微信:o6_bmjrPTlm6_2sgVt7hMZOPfL2M)"
                            .into(),
                    ));
                }
            },
        };
        let case = Case {
            id: String::new(),
            name: self.name.clone(),
            phone: self.phone.clone(),
            id_number: self.id_number.clone(),
            platform,
            account,
            ..Case::default()
        };
        let q = PersonQuery::from_profile(&Profile::of(&case));
        let given = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
        if given(&self.phone) && q.phones.is_empty() {
            return Err(Error::Invalid(
                "phone: no personal number in it (service numbers such as 12345 identify nobody)"
                    .into(),
            ));
        }
        if given(&self.name) && q.name.is_none() {
            return Err(Error::Invalid(
                "name: a placeholder (匿名, 某某) identifies nobody".into(),
            ));
        }
        if let Some(IdNumber::Invalid(_)) = &q.id_number {
            return Err(Error::Invalid(
                "id_number: not a valid ID number (18 characters with its check digit, or 15 digits)"
                    .into(),
            ));
        }
        if given(&self.id_number) && q.id_number.is_none() {
            return Err(Error::Invalid("id_number: no digits in it".into()));
        }
        if q.is_empty() {
            return Err(Error::Invalid(
                "give at least one of name, phone, id_number, account".into(),
            ));
        }
        Ok(q)
    }

    /// The keys the stored case carries; values that identify nobody (匿名, 12345) are
    /// left out rather than refused, since the clerk did not type them.
    fn query_of_case(&self, case: &Case) -> Result<PersonQuery> {
        let typed = [&self.name, &self.phone, &self.id_number, &self.account];
        if typed
            .iter()
            .any(|v| v.as_deref().is_some_and(|s| !s.trim().is_empty()))
        {
            return Err(Error::Invalid(
                "case_id: give either the case whose person to look up or the keys (name, phone, id_number, account), not both".into(),
            ));
        }
        let mut q = PersonQuery::from_profile(&Profile::of(case));
        if matches!(q.id_number, Some(IdNumber::Invalid(_))) {
            q.id_number = None;
        }
        if q.is_empty() {
            return Err(Error::Invalid(format!(
                "case_id: case {} records no name, phone, ID number or account to look up",
                case.id
            )));
        }
        Ok(q)
    }

    /// The look-up carries an identifier the person presents (ID number, phone or
    /// account), not a name alone.
    pub fn has_identifier(&self) -> bool {
        if self.of_case.is_some() {
            return self.query().is_ok_and(|q| {
                q.id_number.is_some() || !q.phones.is_empty() || q.account.is_some()
            });
        }
        let given = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
        given(&self.id_number) || given(&self.phone) || given(&self.account)
    }
}

/// The normalised values of a look-up, for their keyed hashes in the audit log.
fn audit_values(q: &PersonQuery) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(id) = &q.id_number {
        out.push(("id_number", id.as_str().to_string()));
    }
    for p in &q.phones {
        out.push(("phone", p.key().unwrap_or(&p.digits).to_string()));
    }
    if let Some(a) = &q.account {
        out.push(("account", a.clone()));
    }
    if let Some(n) = &q.name {
        out.push(("name", n.display().to_string()));
    }
    out
}

fn date(case: &Case) -> Option<String> {
    case.received_at.map(|t| t.to_rfc3339())
}

impl Engine {
    /// The person's cases grouped by matter; the look-up is audited (allowed) before the
    /// answer is returned, and a look-up that cannot be audited is not answered.
    pub fn person_history(&self, lookup: &PersonLookup, actor: Actor<'_>) -> Result<PersonHistory> {
        let q = lookup.query()?;
        let within = self.index().restriction(&lookup.within)?;
        let max = lookup.max_cases.unwrap_or(DEFAULT_MAX_CASES).max(1);
        let (hits, truncated) = self.index().person_cases(&q, within, max)?;
        let history = self.group_by_matter(&q, hits, truncated);
        self.index().audit_log()?.append(&AuditRecord {
            who: actor.who,
            role: actor.role,
            via: actor.via,
            values: audit_values(&q),
            outcome: AuditOutcome::Allowed,
            cases: history.total,
        })?;
        Ok(history)
    }

    /// Records a refused look-up (the values hashed like an answered one's; values that do
    /// not parse are recorded by kind only).
    pub fn audit_denied(&self, lookup: &PersonLookup, actor: Actor<'_>) -> Result<()> {
        let values = match lookup.query() {
            Ok(q) => audit_values(&q),
            Err(_) => [
                ("id_number", &lookup.id_number),
                ("phone", &lookup.phone),
                ("account", &lookup.account),
                ("name", &lookup.name),
            ]
            .into_iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| (k, v.trim().to_string())))
            .collect(),
        };
        self.index().audit_log()?.append(&AuditRecord {
            who: actor.who,
            role: actor.role,
            via: actor.via,
            values,
            outcome: AuditOutcome::Denied,
            cases: 0,
        })?;
        Ok(())
    }

    /// Every audit entry, oldest first, with the chain of hashes checked.
    pub fn audit_report(&self) -> Result<AuditReport> {
        self.index().audit_log()?.read()
    }

    fn group_by_matter(
        &self,
        q: &PersonQuery,
        mut hits: Vec<PersonHit>,
        truncated: bool,
    ) -> PersonHistory {
        let strong =
            q.phones.len() + usize::from(q.id_number.is_some()) + usize::from(q.account.is_some());
        // oldest first: cluster labels and 首办 read the order of time
        hits.sort_by(|a, b| {
            a.stored
                .case
                .received_at
                .cmp(&b.stored.case.received_at)
                .then(a.stored.case.id.cmp(&b.stored.case.id))
        });
        let labels = self.matter_labels(&hits);
        let (mut exact, mut possible) = (0, 0);
        let mut groups: Vec<(u32, Vec<PersonCase>)> = Vec::new();
        for (hit, label) in hits.into_iter().zip(labels) {
            let case = person_case(hit, strong);
            match case.level {
                MatchLevel::Exact => exact += 1,
                MatchLevel::Possible => possible += 1,
            }
            match groups.iter_mut().find(|(l, _)| *l == label) {
                Some((_, cases)) => cases.push(case),
                None => groups.push((label, vec![case])),
            }
        }
        let mut matters: Vec<MatterHistory> = groups
            .into_iter()
            .filter_map(|(_, cases)| matter_of(cases))
            .collect();
        matters.sort_by(|a, b| {
            a.level
                .cmp(&b.level)
                .then(b.last_received.cmp(&a.last_received))
                .then(a.matter.cmp(&b.matter))
        });
        PersonHistory {
            keys: q.kinds(),
            total: exact + possible,
            exact,
            possible,
            truncated,
            matters,
        }
    }

    /// The matter cluster of each hit (oldest first): average linkage over the matter scores
    /// of hits within [`GROUPING_WINDOW`] of each other, cases linked by hand kept together.
    fn matter_labels(&self, hits: &[PersonHit]) -> Vec<u32> {
        let n = hits.len();
        let searcher = self.index().searcher();
        let texts: Vec<TextSignature> = hits
            .iter()
            .map(|h| {
                TextSignature::from_weighted(
                    self.index()
                        .text_weights(&searcher, &h.stored.profile.matter_text()),
                )
            })
            .collect();
        let prepared: Vec<Prepared<'_>> = hits
            .iter()
            .zip(&texts)
            .map(|(h, t)| Prepared::new(&h.stored.case, &h.stored.profile, t))
            .collect();
        let model = self.model();
        let mut edges = Vec::new();
        for a in 0..n {
            for b in a + 1..n.min(a + 1 + GROUPING_WINDOW) {
                let s = model.score(&compare(&prepared[a], &prepared[b]));
                edges.push(Edge {
                    a: a as u32,
                    b: b as u32,
                    score: (s.matter - model.matter_threshold) as f32,
                });
            }
        }
        let position: HashMap<&str, u32> = hits
            .iter()
            .enumerate()
            .map(|(i, h)| (h.stored.case.id.as_str(), i as u32))
            .collect();
        let must_link = hits
            .iter()
            .enumerate()
            .filter_map(|(i, h)| {
                let to = h.stored.case.extra.get("linked_to")?.as_str()?;
                Some((i as u32, *position.get(to)?))
            })
            .collect();
        cluster(
            n,
            &edges,
            Linkage {
                threshold: 0.0,
                slack: model.matter_merge_slack as f32,
            },
            &Constraints {
                must_link,
                cannot_link: Vec::new(),
            },
        )
    }
}

/// A matter's summary from its cases (oldest first on entry, newest first in the result).
fn matter_of(mut cases: Vec<PersonCase>) -> Option<MatterHistory> {
    let first = cases.first()?;
    let last = cases.last()?;
    let mut channels: Vec<String> = Vec::new();
    for c in &cases {
        if let Some(ch) = &c.channel
            && !channels.contains(ch)
        {
            channels.push(ch.clone());
        }
    }
    let matter = MatterHistory {
        matter: format!("M-{}", first.id),
        level: cases
            .iter()
            .map(|c| c.level)
            .min()
            .unwrap_or(MatchLevel::Possible),
        first_received: first.received_at.clone(),
        last_received: last.received_at.clone(),
        submissions: cases.len(),
        channels,
        first_handler: cases.iter().find_map(|c| c.handler.clone()),
        latest_status: cases.iter().rev().find_map(|c| c.status.clone()),
        title: cases.iter().find_map(|c| c.title.clone()),
        cases: Vec::new(),
    };
    cases.reverse();
    Some(MatterHistory { cases, ..matter })
}

/// One hit as the history shows it. Exact when a key matched exactly, unless the name alone
/// matched while the query named a stronger key (phone, ID number, account).
fn person_case(hit: PersonHit, strong: usize) -> PersonCase {
    let only_name = hit.matched.iter().all(|(k, _)| *k == KeyKind::Name);
    let level =
        if hit.matched.iter().any(|(_, l)| *l == MatchLevel::Exact) && !(only_name && strong > 0) {
            MatchLevel::Exact
        } else {
            MatchLevel::Possible
        };
    let c = hit.stored.case;
    PersonCase {
        id: c.id.clone(),
        level,
        matched: hit
            .matched
            .iter()
            .map(|&(key, level)| KeyMatch { key, level })
            .collect(),
        received_at: date(&c),
        channel: c.channel.clone(),
        handler: c.handler.clone(),
        status: c.status.map(|s| s.label().to_string()),
        title: c.title.clone(),
        location: c.location.clone(),
        case: c,
    }
}
