//! The scoring model: for each comparator level, log2 of its frequency among candidate pairs
//! of each relation (DUPLICATE, RELATED, SAME_PERSON, DISTINCT), plus the relations' priors.
//!
//! Two questions are answered from it separately:
//! * same person? log-odds of {DUPLICATE, SAME_PERSON} against {RELATED, DISTINCT};
//! * same matter? log-odds of {DUPLICATE, RELATED} against {SAME_PERSON, DISTINCT};
//!
//! each compared with its own configurable threshold. Conditioning on all four relations
//! (rather than fitting the person and matter questions independently) lets the model learn
//! that a shared name means less among cases of one collective matter than elsewhere, and
//! that near-identical text means more between one person's submissions than between
//! strangers'. The parameters live in one TOML file (src/matching/model.toml by default,
//! written by `casematch fit`).

use super::comparison::{Comparison, unconditioned};
use super::levels::Comparator;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

const DEFAULT_MODEL: &str = include_str!("model.toml");

/// The four relations a candidate pair may stand in, named as in the model file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// same person, same matter
    Duplicate,
    /// same matter, another person
    Related,
    /// same person, another matter
    SamePerson,
    /// neither
    Distinct,
}

impl Relation {
    /// In the order of [`PerRelation::to_array`] and of every per-relation count.
    pub const ALL: [Relation; 4] = [
        Relation::Duplicate,
        Relation::Related,
        Relation::SamePerson,
        Relation::Distinct,
    ];

    /// The relation of a pair given its two answers.
    pub fn of(same_person: bool, same_matter: bool) -> Relation {
        match (same_person, same_matter) {
            (true, true) => Relation::Duplicate,
            (false, true) => Relation::Related,
            (true, false) => Relation::SamePerson,
            (false, false) => Relation::Distinct,
        }
    }

    /// Position in [`Relation::ALL`] (and in per-relation arrays).
    pub fn index(self) -> usize {
        self as usize
    }
}

// positions in per-relation arrays
const DUP: usize = Relation::Duplicate as usize;
const REL: usize = Relation::Related as usize;
const SP: usize = Relation::SamePerson as usize;
const DIST: usize = Relation::Distinct as usize;

/// log2 values per relation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct PerRelation {
    pub duplicate: f64,
    pub related: f64,
    pub same_person: f64,
    pub distinct: f64,
}

impl PerRelation {
    pub fn get(self, r: Relation) -> f64 {
        self.to_array()[r.index()]
    }
    /// The values in the order of [`Relation::ALL`].
    pub fn to_array(self) -> [f64; 4] {
        [
            self.duplicate,
            self.related,
            self.same_person,
            self.distinct,
        ]
    }
    pub fn from_array(a: [f64; 4]) -> PerRelation {
        PerRelation {
            duplicate: a[0],
            related: a[1],
            same_person: a[2],
            distinct: a[3],
        }
    }
}

/// The largest log2 ratio (bits) one level of each comparator may give between any two
/// relations. No field is a veto: a time gap, a category or a channel is weak evidence at
/// most; only identifiers may be decisive (two valid, different ID numbers).
pub const DEFAULT_CAPS: [(Comparator, f64); 11] = [
    (Comparator::NamePhone, 16.0),
    (Comparator::IdNumber, 24.0),
    (Comparator::Home, 8.0),
    (Comparator::Text, 14.0),
    (Comparator::Place, 6.0),
    (Comparator::TimeGap, 3.0),
    (Comparator::Category, 3.0),
    (Comparator::Channel, 2.0),
    (Comparator::Account, 12.0),
    (Comparator::Recurrence, 3.0),
    (Comparator::Object, 6.0),
];

/// The default of [`Model::matter_merge_slack`], in bits.
pub const DEFAULT_MATTER_MERGE_SLACK: f64 = 3.0;

fn default_matter_merge_slack() -> f64 {
    DEFAULT_MATTER_MERGE_SLACK
}

/// The default caps as the model keeps them.
pub fn default_caps() -> BTreeMap<Comparator, f64> {
    DEFAULT_CAPS.into_iter().collect()
}

/// Levels that mean "nothing to compare" (a value missing on either side). They weigh
/// nothing, whatever a model file says: absent evidence is neutral.
pub fn is_absent(level: &str) -> bool {
    matches!(level, "missing" | "unknown" | "name_missing+phone_missing")
}

/// Limits one level's weights so that no two relations differ by more than `cap` bits:
/// each weight is clamped to within cap/2 of the midpoint of the extremes (idempotent).
pub fn cap_weights(w: &mut PerRelation, cap: f64) {
    let a = w.to_array();
    let hi = a.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let lo = a.iter().copied().fold(f64::INFINITY, f64::min);
    if hi - lo <= cap {
        return;
    }
    let mid = 0.5 * (hi + lo);
    *w = PerRelation::from_array(a.map(|x| x.clamp(mid - cap / 2.0, mid + cap / 2.0)));
}

/// Weights per comparator and level, relation priors and the decision thresholds.
///
/// In the file, what `casematch fit` estimates (thresholds, priors, weights) is kept apart
/// from the hand-set `[settings]` (caps, merge slack), which a fit copies and never changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "ModelFile", into = "ModelFile")]
pub struct Model {
    /// How the parameters were obtained (data set, command).
    pub source: String,
    /// Person log-odds (log2) at or above which two cases come from one complainant.
    pub person_threshold: f64,
    /// Matter log-odds (log2) at or above which two cases concern one matter.
    pub matter_threshold: f64,
    /// How many bits the average link between two matter clusters may fall below the matter
    /// threshold and the clusters still merge in batch grouping (hand-set, not fitted; see
    /// `matching::cluster`). One matter's submissions years apart each lose up to the time-gap
    /// cap to their gap, so the default equals that cap: the gap alone never splits a matter.
    pub matter_merge_slack: f64,
    /// log2 prior of each relation among candidate pairs.
    pub priors: PerRelation,
    /// comparator → the largest ratio in bits one of its levels may give between two
    /// relations (hand-set; enforced on load)
    pub caps: BTreeMap<Comparator, f64>,
    /// comparator → level → log2 P(level | relation)
    pub weights: BTreeMap<Comparator, BTreeMap<String, PerRelation>>,
}

/// The hand-set part of a model file: rules a fit keeps as they are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Settings {
    #[serde(default = "default_matter_merge_slack")]
    matter_merge_slack: f64,
    #[serde(default = "default_caps")]
    caps: BTreeMap<Comparator, f64>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            matter_merge_slack: DEFAULT_MATTER_MERGE_SLACK,
            caps: default_caps(),
        }
    }
}

/// The model file's layout. Files written before `[settings]` existed have the slack and
/// the caps at the top level; they are read as if under `[settings]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ModelFile {
    #[serde(default)]
    source: String,
    person_threshold: f64,
    matter_threshold: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    matter_merge_slack: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    caps: Option<BTreeMap<Comparator, f64>>,
    #[serde(default)]
    settings: Option<Settings>,
    priors: PerRelation,
    weights: BTreeMap<Comparator, BTreeMap<String, PerRelation>>,
}

impl From<ModelFile> for Model {
    fn from(f: ModelFile) -> Model {
        let settings = f.settings.unwrap_or_default();
        Model {
            source: f.source,
            person_threshold: f.person_threshold,
            matter_threshold: f.matter_threshold,
            matter_merge_slack: f.matter_merge_slack.unwrap_or(settings.matter_merge_slack),
            priors: f.priors,
            caps: f.caps.unwrap_or(settings.caps),
            weights: f.weights,
        }
    }
}

impl From<Model> for ModelFile {
    fn from(m: Model) -> ModelFile {
        ModelFile {
            source: m.source,
            person_threshold: m.person_threshold,
            matter_threshold: m.matter_threshold,
            matter_merge_slack: None,
            caps: None,
            settings: Some(Settings {
                matter_merge_slack: m.matter_merge_slack,
                caps: m.caps,
            }),
            priors: m.priors,
            weights: m.weights,
        }
    }
}

/// One comparator's contribution to the two answers (log2 likelihood ratios).
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub field: Comparator,
    pub level: &'static str,
    /// toward the same person (given the matter answer)
    pub person: f64,
    /// toward the same matter (given the person answer)
    pub matter: f64,
}

/// A pair's two answers and the evidence behind them.
#[derive(Debug, Clone, Serialize)]
pub struct Scored {
    /// log2 odds of the same person
    pub person: f64,
    /// log2 odds of the same matter
    pub matter: f64,
    pub same_person: bool,
    pub same_matter: bool,
    pub evidence: Vec<Evidence>,
}

fn log2_sum(a: f64, b: f64) -> f64 {
    let m = a.max(b);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + ((a - m).exp2() + (b - m).exp2()).log2()
}

impl Model {
    /// The model shipped with the binary.
    pub fn bundled() -> Result<Model> {
        Self::from_toml(DEFAULT_MODEL).map_err(|reason| Error::Config {
            path: "src/matching/model.toml".into(),
            reason,
        })
    }

    pub fn from_toml(text: &str) -> std::result::Result<Model, String> {
        let mut m: Model = toml::from_str(text).map_err(|e| e.to_string())?;
        m.enforce_rules();
        Ok(m)
    }

    /// The two rules every model obeys, however it was made: absent levels weigh nothing,
    /// and no level exceeds its comparator's cap.
    pub fn enforce_rules(&mut self) {
        for (comparator, levels) in &mut self.weights {
            let cap = self.caps.get(comparator).copied();
            for (level, w) in levels.iter_mut() {
                if is_absent(level) {
                    *w = PerRelation::default();
                } else if let Some(cap) = cap {
                    cap_weights(w, cap);
                }
            }
        }
    }

    pub fn load(path: &Path) -> Result<Model> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::from_toml(&text).map_err(|reason| Error::Config {
            path: path.to_path_buf(),
            reason,
        })
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }

    /// log2 P(level | relation); absent and unknown levels weigh nothing.
    pub fn weight(&self, c: Comparator, level: &str) -> PerRelation {
        if is_absent(level) {
            return PerRelation::default();
        }
        // a model file from before the text levels were joint with the place class (or the
        // home levels with the name class) has the level alone
        self.weights
            .get(&c)
            .and_then(|l| {
                l.get(level)
                    .or_else(|| unconditioned(c, level).and_then(|alone| l.get(alone)))
            })
            .copied()
            .unwrap_or_default()
    }

    /// Scores a comparison on both questions.
    pub fn score(&self, cmp: &Comparison) -> Scored {
        let levels: Vec<(Comparator, &'static str, PerRelation)> = Comparator::ALL
            .iter()
            .map(|&c| {
                let level = cmp.level(c);
                (c, level, self.weight(c, level))
            })
            .collect();
        // k: the person fields' log-likelihood per relation, l: the matter fields'
        let (mut k, mut l) = ([0.0; 4], [0.0; 4]);
        for (c, _, w) in &levels {
            let t = if c.is_person() { &mut k } else { &mut l };
            for (x, v) in t.iter_mut().zip(w.to_array()) {
                *x += v;
            }
        }
        let p = self.priors.to_array();
        let joint = |f: &[f64; 4]| [p[0] + f[0], p[1] + f[1], p[2] + f[2], p[3] + f[3]];
        // what each group of fields alone says of the other question (log2 probabilities)
        let jm = joint(&l);
        let (m_yes, m_no) = (log2_sum(jm[DUP], jm[REL]), log2_sum(jm[SP], jm[DIST]));
        let (sm, not_sm) = (m_yes - log2_sum(m_yes, m_no), m_no - log2_sum(m_yes, m_no));
        let jp = joint(&k);
        let (p_yes, p_no) = (log2_sum(jp[DUP], jp[SP]), log2_sum(jp[REL], jp[DIST]));
        let (sp, not_sp) = (p_yes - log2_sum(p_yes, p_no), p_no - log2_sum(p_yes, p_no));
        // the person question from the person fields, given how likely the matter fields make
        // the same matter; the matter question the other way round. A field of one group never
        // speaks to the other question directly: low text similarity does not make two cases
        // one person's, however often the candidate generator met such pairs.
        let given = |r: usize, a: usize, b: usize| p[r] - log2_sum(p[a], p[b]);
        let person = log2_sum(
            sm + given(DUP, DUP, REL) + k[DUP],
            not_sm + given(SP, SP, DIST) + k[SP],
        ) - log2_sum(
            sm + given(REL, DUP, REL) + k[REL],
            not_sm + given(DIST, SP, DIST) + k[DIST],
        );
        let matter = log2_sum(
            sp + given(DUP, DUP, SP) + l[DUP],
            not_sp + given(REL, REL, DIST) + l[REL],
        ) - log2_sum(
            sp + given(SP, DUP, SP) + l[SP],
            not_sp + given(DIST, REL, DIST) + l[DIST],
        );
        let same_person = person >= self.person_threshold;
        let same_matter = matter >= self.matter_threshold;
        let evidence = evidence(levels, same_person, same_matter);
        Scored {
            person,
            matter,
            same_person,
            same_matter,
            evidence,
        }
    }
}

/// Each field's ratio between the two relations the other question's answer leaves open: a
/// person field's between DUPLICATE and RELATED when the cases share a matter (SAME_PERSON and
/// DISTINCT when not), a matter field's likewise given the person answer; rounded to 0.01 bit.
fn evidence(
    levels: Vec<(Comparator, &'static str, PerRelation)>,
    same_person: bool,
    same_matter: bool,
) -> Vec<Evidence> {
    use Relation::{Distinct, Duplicate, Related, SamePerson};
    let (p_yes, p_no) = if same_matter {
        (Duplicate, Related)
    } else {
        (SamePerson, Distinct)
    };
    let (m_yes, m_no) = if same_person {
        (Duplicate, SamePerson)
    } else {
        (Related, Distinct)
    };
    let round = |x: f64| (x * 100.0).round() / 100.0;
    levels
        .into_iter()
        .map(|(c, level, w)| {
            let (person, matter) = if c.is_person() {
                (round(w.get(p_yes) - w.get(p_no)), 0.0)
            } else {
                (0.0, round(w.get(m_yes) - w.get(m_no)))
            };
            Evidence {
                field: c,
                level,
                person,
                matter,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_model_has_weights_for_every_comparator() {
        let m = Model::bundled().unwrap();
        for c in Comparator::ALL {
            assert!(m.weights.contains_key(&c), "{c}");
        }
        let back = Model::from_toml(&m.to_toml()).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn absent_levels_weigh_nothing_whatever_the_file_says() {
        let mut m = Model::bundled().unwrap();
        let bogus = PerRelation::from_array([9.0, -3.0, 4.0, -8.0]);
        for levels in m.weights.values_mut() {
            for (level, w) in levels.iter_mut() {
                if is_absent(level) {
                    *w = bogus;
                }
            }
        }
        let reloaded = Model::from_toml(&m.to_toml()).unwrap();
        for c in Comparator::ALL {
            for level in ["missing", "unknown", "name_missing+phone_missing"] {
                assert_eq!(
                    reloaded.weight(c, level),
                    PerRelation::default(),
                    "{c:?} {level}"
                );
                assert_eq!(m.weight(c, level), PerRelation::default(), "{c:?} {level}");
            }
        }
    }

    #[test]
    fn caps_bound_every_ratio_and_are_idempotent() {
        let m = Model::bundled().unwrap();
        for (c, levels) in &m.weights {
            let cap = m.caps[c];
            for (level, w) in levels {
                let a = [w.duplicate, w.related, w.same_person, w.distinct];
                let spread = a.iter().copied().fold(f64::MIN, f64::max)
                    - a.iter().copied().fold(f64::MAX, f64::min);
                assert!(spread <= cap + 1e-9, "{c} {level}: {spread} > {cap}");
            }
        }
        let mut w = PerRelation::from_array([2.0, -30.0, 1.0, 0.0]);
        cap_weights(&mut w, 3.0);
        let once = w;
        cap_weights(&mut w, 3.0);
        assert_eq!(w, once);
        assert!((w.duplicate - w.related - 3.0).abs() < 1e-9);
    }

    #[test]
    fn a_model_file_with_text_levels_alone_still_weighs_text() {
        let mut m = Model::bundled().unwrap();
        let text = m.weights.get_mut(&Comparator::Text).unwrap();
        text.clear();
        text.insert(
            "high".into(),
            PerRelation::from_array([-1.0, -2.0, -3.0, -4.0]),
        );
        let w = m.weight(Comparator::Text, "high+place_consistent");
        assert_eq!(w, PerRelation::from_array([-1.0, -2.0, -3.0, -4.0]));
        assert_eq!(
            m.weight(Comparator::Text, "none+place_apart"),
            PerRelation::default()
        );
    }

    #[test]
    fn the_file_keeps_the_hand_set_settings_apart_and_reads_the_old_layout() {
        let m = Model::bundled().unwrap();
        let text = m.to_toml();
        let file: toml::Table = toml::from_str(&text).unwrap();
        assert!(file.get("caps").is_none() && file.get("matter_merge_slack").is_none());
        let settings = file["settings"].as_table().unwrap();
        assert_eq!(
            settings["matter_merge_slack"].as_float(),
            Some(m.matter_merge_slack)
        );
        assert_eq!(settings["caps"]["time_gap"].as_float(), Some(3.0));
        assert!(file["weights"].get("name_phone").is_some());
        // the layout before [settings]: slack and caps at the top level
        let mut old = file.clone();
        let mut moved = old.remove("settings").unwrap().as_table().unwrap().clone();
        moved.insert("matter_merge_slack".into(), toml::Value::Float(1.5));
        moved
            .get_mut("caps")
            .unwrap()
            .as_table_mut()
            .unwrap()
            .insert("time_gap".into(), toml::Value::Float(2.0));
        old.extend(moved);
        let read = Model::from_toml(&toml::to_string(&old).unwrap()).unwrap();
        assert_eq!(read.matter_merge_slack, 1.5);
        assert_eq!(read.caps[&Comparator::TimeGap], 2.0);
        assert_eq!(
            read.weights,
            Model::from_toml(&text)
                .unwrap()
                .weights
                .into_iter()
                .map(|(c, mut l)| {
                    if c == Comparator::TimeGap {
                        l.values_mut().for_each(|w| cap_weights(w, 2.0));
                    }
                    (c, l)
                })
                .collect()
        );
        // a file without settings gets the defaults; a comparator it misspells is an error
        let mut bare = file.clone();
        bare.remove("settings");
        let read = Model::from_toml(&toml::to_string(&bare).unwrap()).unwrap();
        assert_eq!(read.caps, default_caps());
        assert_eq!(read.matter_merge_slack, DEFAULT_MATTER_MERGE_SLACK);
        let mut typo = file;
        let w = typo.get_mut("weights").unwrap().as_table_mut().unwrap();
        let np = w.remove("name_phone").unwrap();
        w.insert("namephone".into(), np);
        let err = Model::from_toml(&toml::to_string(&typo).unwrap()).unwrap_err();
        assert!(err.contains("namephone"), "{err}");
    }

    #[test]
    fn relations_index_their_per_relation_values() {
        let w = PerRelation::from_array([1.0, 2.0, 3.0, 4.0]);
        for (i, r) in Relation::ALL.into_iter().enumerate() {
            assert_eq!(r.index(), i);
            assert_eq!(w.get(r), (i + 1) as f64);
        }
        assert_eq!(Relation::of(true, true), Relation::Duplicate);
        assert_eq!(Relation::of(false, true), Relation::Related);
        assert_eq!(Relation::of(true, false), Relation::SamePerson);
        assert_eq!(Relation::of(false, false), Relation::Distinct);
        assert_eq!(
            serde_json::to_string(&Relation::SamePerson).unwrap(),
            "\"same_person\""
        );
    }

    #[test]
    fn log2_sum_adds_probabilities() {
        assert!((log2_sum(1.0, 1.0) - 2.0).abs() < 1e-12);
        assert_eq!(log2_sum(f64::NEG_INFINITY, 3.0), 3.0);
    }
}
