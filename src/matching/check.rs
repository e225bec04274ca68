//! The intake check: candidates from the index, comparison, scoring, verdicts with evidence
//! and the routing hint (the earliest case of the group and its first handler).

use super::cluster::{Constraints, Edge, Linkage, cluster};
use super::comparison::{Prepared, compare};
use super::levels::Comparator;
use super::model::{Evidence, Model};
use super::text::TextSignature;
use crate::analysis::{Profile, mask_middle};
use crate::error::Result;
use crate::index::{CandidateQuery, CaseIndex};
use crate::model::{Case, Verdict};
use serde::Serialize;

#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub candidates: CandidateQuery,
    /// matches reported per query
    pub max_matches: usize,
    /// cases of one matter on file, each close to the submission, that together make it
    /// RELATED when none alone does (0: never; see [`join_matter_group`])
    pub group_min: usize,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            candidates: CandidateQuery::default(),
            max_matches: 10,
            group_min: GROUP_MIN,
        }
    }
}

/// Default of [`CheckOptions::group_min`].
pub const GROUP_MIN: usize = 3;
/// Candidates read for a matter group: the closest by matter score.
const GROUP_CANDIDATES: usize = 10;

/// Both values of a field, masked where they are personal data.
#[derive(Debug, Clone, Serialize)]
pub struct FieldEvidence {
    pub field: Comparator,
    pub level: &'static str,
    /// log2 likelihood ratio toward the same person
    pub person: f64,
    /// log2 likelihood ratio toward the same matter
    pub matter: f64,
    pub query: Option<String>,
    pub candidate: Option<String>,
}

/// One existing case that relates to the submission.
#[derive(Debug, Clone, Serialize)]
pub struct Match {
    pub id: String,
    pub verdict: Verdict,
    /// 0..1, from the person and matter scores
    pub score: f64,
    /// same matter through its matter group on file: the submission is close to several
    /// cases of one matter, this one among them, though to none alone above the threshold
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub via_group: bool,
    pub person_score: f64,
    pub matter_score: f64,
    pub text_similarity: f64,
    pub received_at: Option<String>,
    pub channel: Option<String>,
    pub handler: Option<String>,
    /// where the matched case happened, its title and the start of its narrative
    pub location: Option<String>,
    pub title: Option<String>,
    pub summary: String,
    pub evidence: Vec<FieldEvidence>,
}

/// Where the matter should go back to: the group's earliest case and its first handler.
#[derive(Debug, Clone, Serialize)]
pub struct Routing {
    pub original_id: String,
    pub received_at: Option<String>,
    pub handler: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    pub id: String,
    pub verdict: Verdict,
    pub matches: Vec<Match>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routing: Option<Routing>,
}

fn masked_value(field: Comparator, case: &Case, p: &Profile) -> Option<String> {
    match field {
        Comparator::NamePhone => {
            let name = p.name.as_ref().map(|n| n.masked());
            let phone = (!p.phones.is_empty()).then(|| {
                p.phones
                    .iter()
                    .map(|ph| ph.masked())
                    .collect::<Vec<_>>()
                    .join(", ")
            });
            if name.is_none() && phone.is_none() {
                return None;
            }
            Some(format!(
                "{} / {}",
                name.unwrap_or_else(|| "-".into()),
                phone.unwrap_or_else(|| "-".into())
            ))
        }
        Comparator::IdNumber => p.id_number.as_ref().map(|i| i.masked()),
        Comparator::Home => case.address.as_deref().map(|a| mask_middle(a, 6, 0)),
        Comparator::Place => case.location.clone(),
        Comparator::TimeGap => case.received_at.map(|t| t.to_rfc3339()),
        Comparator::Category => case.category.clone(),
        Comparator::Channel => case.channel.clone(),
        Comparator::Text => Some(p.text.chars().take(40).collect()),
        Comparator::Account | Comparator::Recurrence | Comparator::Object => None,
    }
}

fn verdict_of(same_person: bool, same_matter: bool) -> Verdict {
    match (same_person, same_matter) {
        (true, true) => Verdict::Duplicate,
        (false, true) => Verdict::Related,
        (true, false) => Verdict::SamePerson,
        (false, false) => Verdict::New,
    }
}

fn logistic2(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp2())
}

/// A candidate scored, before its evidence is written out.
struct Scoring<'a> {
    stored: &'a crate::index::StoredCase,
    text: TextSignature,
    verdict: Verdict,
    score: f64,
    text_similarity: f64,
    time: i64,
    scored: super::model::Scored,
    via_group: bool,
}

impl Scoring<'_> {
    fn into_match(self, case: &Case, profile: &Profile) -> Match {
        let stored = self.stored;
        let s = self.scored;
        let evidence = s
            .evidence
            .iter()
            .map(
                |Evidence {
                     field,
                     level,
                     person,
                     matter,
                 }| FieldEvidence {
                    field: *field,
                    level,
                    person: *person,
                    matter: *matter,
                    query: masked_value(*field, case, profile),
                    candidate: masked_value(*field, &stored.case, &stored.profile),
                },
            )
            .collect();
        Match {
            id: stored.case.id.clone(),
            location: stored.case.location.clone(),
            title: stored.case.title.clone(),
            summary: stored
                .case
                .content
                .as_deref()
                .unwrap_or("")
                .chars()
                .take(200)
                .collect(),
            verdict: self.verdict,
            score: self.score,
            via_group: self.via_group,
            person_score: (s.person * 1000.0).round() / 1000.0,
            matter_score: (s.matter * 1000.0).round() / 1000.0,
            text_similarity: self.text_similarity,
            received_at: stored.case.received_at.map(|t| t.to_rfc3339()),
            channel: stored.case.channel.clone(),
            handler: stored.case.handler.clone(),
            evidence,
        }
    }
}

/// 0..1 from the margins of the answers the verdict rests on.
fn match_score(model: &Model, verdict: Verdict, s: &super::model::Scored) -> f64 {
    let margin_p = s.person - model.person_threshold;
    let margin_m = s.matter - model.matter_threshold;
    let score = match verdict {
        Verdict::Duplicate => logistic2(margin_p.min(margin_m)),
        Verdict::Related => logistic2(margin_m),
        Verdict::SamePerson => logistic2(margin_p),
        Verdict::New => logistic2(margin_p.max(margin_m)),
    };
    (score * 10_000.0).round() / 10_000.0
}

/// Evidence over several cases of one matter on file. When no case alone is the same matter
/// as the submission, but at least `min` of the closest are each within the model's merge
/// slack of the matter threshold, form one matter among themselves (batch dedupe's rule:
/// average linkage with that slack) and average within half the slack of the threshold, the
/// submission joins that matter: those cases become RELATED (DUPLICATE where the person
/// matches too), marked `via_group`. A matter that runs for years meets a newcomer this way:
/// each old case a little too far in time or words, together unmistakable. Cases close to the
/// submission that are not one matter among themselves never add up.
fn join_matter_group(scored: &mut [Scoring<'_>], model: &Model, min: usize) {
    if min == 0 || scored.iter().any(|s| s.scored.same_matter) {
        return;
    }
    let slack = model.matter_merge_slack.max(0.0);
    let floor = model.matter_threshold - slack;
    let mut near: Vec<usize> = (0..scored.len())
        .filter(|&i| scored[i].scored.matter >= floor)
        .collect();
    if near.len() < min.max(2) {
        return;
    }
    // closest first, ties by id: the candidates come from the index in no fixed order
    near.sort_by(|&a, &b| {
        (scored[b].scored.matter.total_cmp(&scored[a].scored.matter))
            .then_with(|| scored[a].stored.case.id.cmp(&scored[b].stored.case.id))
    });
    near.truncate(GROUP_CANDIDATES);
    let prepared: Vec<Prepared<'_>> = near
        .iter()
        .map(|&i| {
            let s = &scored[i];
            Prepared::new(&s.stored.case, &s.stored.profile, &s.text)
        })
        .collect();
    let mut edges = Vec::new();
    for a in 0..prepared.len() {
        for b in a + 1..prepared.len() {
            let m = model.score(&compare(&prepared[a], &prepared[b])).matter;
            edges.push(Edge {
                a: a as u32,
                b: b as u32,
                score: (m - model.matter_threshold) as f32,
            });
        }
    }
    drop(prepared);
    let labels = cluster(
        near.len(),
        &edges,
        Linkage {
            threshold: 0.0,
            slack: slack as f32,
        },
        &Constraints::default(),
    );
    // the group with the best average link to the submission among those big enough
    let mut groups: std::collections::BTreeMap<u32, Vec<usize>> = Default::default();
    for (k, &label) in labels.iter().enumerate() {
        groups.entry(label).or_default().push(near[k]);
    }
    let mean =
        |g: &[usize]| g.iter().map(|&i| scored[i].scored.matter).sum::<f64>() / g.len() as f64;
    let best = groups
        .into_values()
        .filter(|g| g.len() >= min)
        .map(|g| (mean(&g), g))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let Some((avg, members)) = best else {
        return;
    };
    if avg < model.matter_threshold - slack / 2.0 {
        return;
    }
    for i in members {
        let s = &mut scored[i];
        s.verdict = verdict_of(s.scored.same_person, true);
        // the margin of the group's average, not of this one link
        let mut as_group = s.scored.clone();
        as_group.matter = avg + slack / 2.0;
        s.score = match_score(model, s.verdict, &as_group);
        s.via_group = true;
    }
}

/// Checks one submission against the index. The submission itself (same id) is never a match.
pub fn check_profile(
    index: &CaseIndex,
    model: &Model,
    case: &Case,
    profile: &Profile,
    opts: &CheckOptions,
) -> Result<CheckResult> {
    let searcher = index.searcher();
    let query_text =
        TextSignature::from_weighted(index.text_weights(&searcher, &profile.matter_text()));
    let query = Prepared::new(case, profile, &query_text);
    let candidates = index.candidates(profile, &opts.candidates)?;
    // score every candidate first; only the reported matches get their evidence and summary
    let mut scored: Vec<Scoring<'_>> = Vec::with_capacity(candidates.len());
    for (stored, _) in &candidates {
        if stored.case.id == case.id {
            continue;
        }
        let other_text = TextSignature::from_weighted(
            index.text_weights(&searcher, &stored.profile.matter_text()),
        );
        let other = Prepared::new(&stored.case, &stored.profile, &other_text);
        let cmp = compare(&query, &other);
        let s = model.score(&cmp);
        let verdict = verdict_of(s.same_person, s.same_matter);
        scored.push(Scoring {
            stored,
            verdict,
            score: match_score(model, verdict, &s),
            text_similarity: (cmp.text_similarity * 1000.0).round() / 1000.0,
            time: stored.case.timestamp().unwrap_or(i64::MAX),
            scored: s,
            text: other_text,
            via_group: false,
        });
    }
    join_matter_group(&mut scored, model, opts.group_min);
    // strongest relation first, then the more certain match
    scored.sort_by(|a, b| {
        b.verdict
            .rank()
            .cmp(&a.verdict.rank())
            .then(b.score.total_cmp(&a.score))
            .then(a.stored.case.id.cmp(&b.stored.case.id))
    });
    let verdict = scored.first().map_or(Verdict::New, |m| m.verdict);
    let routing = if matches!(verdict, Verdict::Duplicate | Verdict::Related) {
        let mut group: Vec<&Scoring<'_>> = scored.iter().filter(|m| m.verdict == verdict).collect();
        group.sort_by(|a, b| (a.time, &a.stored.case.id).cmp(&(b.time, &b.stored.case.id)));
        group.first().map(|first| Routing {
            original_id: first.stored.case.id.clone(),
            received_at: first.stored.case.received_at.map(|t| t.to_rfc3339()),
            // the first handler on record: the original's, else the earliest one known
            handler: group.iter().find_map(|m| m.stored.case.handler.clone()),
        })
    } else {
        None
    };
    let matches: Vec<Match> = scored
        .into_iter()
        .filter(|m| m.verdict != Verdict::New || m.text_similarity > 0.0)
        .take(opts.max_matches)
        .map(|m| m.into_match(case, profile))
        .collect();
    Ok(CheckResult {
        id: case.id.clone(),
        verdict,
        matches,
        routing,
    })
}
