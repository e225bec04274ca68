//! Synthetic complaint records for demos, tests, benchmarks and model fitting: repeat
//! submissions of one matter across channels and years, collective complaints, complainants
//! with several matters, and the degraded fields real exports have (traditional characters,
//! full-width digits, masked or 15-digit IDs, formatted, masked and multiple phones, honorific,
//! masked and pinyin names, county-only places). Profiles (`Profile`) change the place mix,
//! the channel mix, the identifier forms and how matters recur. No downloads.
//!
//! A record is made in three steps: `matters` draws a matter (problem, objects, slot values)
//! and when its submissions come, `people` who files them, `narratives` the text and fields of
//! each submission.

mod ident;
mod matters;
mod narratives;
mod objects;
mod people;
mod phrases;
mod problems;
mod profiles;
mod rng;

pub use profiles::{GeneratorConfig, Profile};
pub use rng::Rng;

use crate::analysis::Gazetteer;
use crate::model::Case;
use chrono::{DateTime, Duration, FixedOffset, TimeZone};
use ident::Person;
use matters::Objects;

/// A generated record with its truth labels.
#[derive(Debug, Clone)]
pub struct SynthRecord {
    pub case: Case,
    pub person: String,
    pub matter: String,
}

/// An endless stream of synthetic records; use `take(n)`.
pub struct Generator {
    rng: Rng,
    cfg: GeneratorConfig,
    counties: Vec<(String, String)>,
    persons: Vec<Person>,
    /// per remembered complainant, the problem and objects of their latest matter
    homes: Vec<Option<(usize, Objects)>>,
    recent: Vec<(usize, Objects)>,
    queue: std::collections::VecDeque<SynthRecord>,
    next_person: u64,
    next_matter: u64,
    next_record: u64,
    clock: DateTime<FixedOffset>,
    /// mean minutes between two matters
    pace: u64,
    origin: DateTime<FixedOffset>,
    /// minutes per record, so that the expected number of records spans the years
    per_record: f64,
    /// the export date: submissions after it are not in the data (unless more records are
    /// taken than expected and the clock itself has passed it)
    horizon: DateTime<FixedOffset>,
}

const CST: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(o) => o,
    None => panic!("UTC+8 is a valid offset"),
};

impl Generator {
    pub fn new(cfg: GeneratorConfig) -> Generator {
        let mut rng = Rng::new(cfg.seed);
        let counties = pick_counties(&mut rng, cfg.profile);
        // mean records per matter, to pace the clock
        let per_matter =
            (1.0 - cfg.collective_rate) * cfg.mean_repeats.max(1.0) + cfg.collective_rate * 30.0;
        let matters = (cfg.expected_records.max(1) as f64 / per_matter).max(1.0);
        let span_minutes = 3.5 * 365.0 * 24.0 * 60.0;
        let pace = (span_minutes / matters).max(1.0) as u64;
        let clock = CST
            .with_ymd_and_hms(2022, 1, 1, 8, 0, 0)
            .single()
            .unwrap_or_default();
        let per_record = span_minutes / cfg.expected_records.max(1) as f64;
        Generator {
            rng,
            cfg,
            counties,
            persons: Vec::new(),
            homes: Vec::new(),
            recent: Vec::new(),
            queue: Default::default(),
            next_person: 0,
            next_matter: 0,
            next_record: 0,
            clock,
            pace,
            origin: clock,
            per_record,
            horizon: clock + Duration::minutes(span_minutes as i64) + Duration::days(120),
        }
    }

    /// A town of `county` from the gazetteer, if one of a few draws names one.
    fn town_of(&mut self, county: &str) -> Option<String> {
        let g = Gazetteer::global();
        for _ in 0..4 {
            let code = format!("{county}{:03}", 1 + self.rng.below(12));
            if let Some(d) = g.get(&code) {
                return Some(d.name.clone());
            }
        }
        None
    }
}

/// Up to 300 counties (code, full name) of the profile's provinces where matters happen.
fn pick_counties(rng: &mut Rng, profile: Profile) -> Vec<(String, String)> {
    let g = Gazetteer::global();
    let mut counties: Vec<(String, String)> = Vec::new();
    if profile == Profile::Default {
        // always 长沙 so demos have a familiar place
        for code in [
            "430102", "430103", "430104", "430105", "430111", "430112", "320106", "350102",
        ] {
            if let Some(d) = g.get(code) {
                counties.push((d.code.clone(), g.full_name(&d.code)));
            }
        }
    }
    let mut province_codes: Vec<&str> = profile.provinces().to_vec();
    province_codes.retain(|p| g.get(p).is_some());
    let mut tries = 0;
    while counties.len() < 300 && tries < 100_000 && !province_codes.is_empty() {
        tries += 1;
        let p = *rng.pick(&province_codes);
        let city = format!("{p}{:02}", 1 + rng.below(12));
        let county = format!("{city}{:02}", 1 + rng.below(20));
        if let Some(d) = g.get(&county)
            && !counties.iter().any(|(c, _)| *c == d.code)
        {
            counties.push((d.code.clone(), g.full_name(&d.code)));
        }
    }
    if counties.is_empty() {
        counties.push(("430104".into(), "湖南省长沙市岳麓区".into()));
    }
    counties
}

impl Iterator for Generator {
    type Item = SynthRecord;
    fn next(&mut self) -> Option<SynthRecord> {
        while self.queue.is_empty() {
            self.new_matter();
        }
        self.queue.pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{IdNumber, Profile as Fields};
    use std::collections::{HashMap, HashSet};

    /// `n` records of `profile` from seed 5.
    pub(super) fn records(profile: Profile, n: usize) -> Vec<SynthRecord> {
        Generator::new(GeneratorConfig {
            seed: 5,
            expected_records: n,
            ..GeneratorConfig::for_profile(profile)
        })
        .take(n)
        .collect()
    }

    /// Share of `recs` whose case satisfies `f`.
    pub(super) fn share(recs: &[SynthRecord], f: impl Fn(&Case) -> bool) -> f64 {
        recs.iter().filter(|r| f(&r.case)).count() as f64 / recs.len() as f64
    }

    #[test]
    fn same_seed_same_records() {
        let a: Vec<String> = Generator::new(GeneratorConfig::default())
            .take(50)
            .map(|r| r.case.id)
            .collect();
        let b: Vec<String> = Generator::new(GeneratorConfig::default())
            .take(50)
            .map(|r| r.case.id)
            .collect();
        assert_eq!(a, b);
        let c: Vec<String> = Generator::new(GeneratorConfig {
            seed: 7,
            ..GeneratorConfig::default()
        })
        .take(50)
        .map(|r| r.case.content.unwrap_or_default())
        .collect();
        assert_ne!(
            c,
            Generator::new(GeneratorConfig::default())
                .take(50)
                .map(|r| r.case.content.unwrap_or_default())
                .collect::<Vec<_>>()
        );
        for p in Profile::ALL {
            let json = |recs: Vec<SynthRecord>| -> Vec<String> {
                recs.iter()
                    .map(|r| {
                        let case = serde_json::to_string(&r.case).unwrap_or_default();
                        format!("{case}\t{}\t{}", r.person, r.matter)
                    })
                    .collect()
            };
            assert_eq!(json(records(p, 300)), json(records(p, 300)), "{}", p.name());
        }
    }

    #[test]
    fn records_have_repeats_collectives_and_valid_ids() {
        let recs: Vec<SynthRecord> = Generator::new(GeneratorConfig {
            collective_rate: 0.1,
            ..GeneratorConfig::default()
        })
        .take(2000)
        .collect();
        let ids: HashSet<_> = recs.iter().map(|r| &r.case.id).collect();
        assert_eq!(ids.len(), recs.len(), "ids are unique");
        let mut per_matter: HashMap<&str, HashSet<&str>> = Default::default();
        for r in &recs {
            per_matter.entry(&r.matter).or_default().insert(&r.person);
        }
        assert!(
            per_matter.values().any(|p| p.len() >= 10),
            "a collective matter"
        );
        let valid = recs
            .iter()
            .filter(|r| matches!(Fields::of(&r.case).id_number, Some(IdNumber::Valid(_))))
            .count();
        assert!(valid > recs.len() / 3, "{valid} valid ids");
        assert!(
            recs.iter()
                .any(|r| r.case.id_number.as_deref().is_some_and(|i| i.contains('*')))
        );
    }

    #[test]
    fn every_profile_has_unique_ids_collectives_and_same_person_matters() {
        for p in Profile::ALL {
            let recs = records(p, 4000);
            let ids: HashSet<_> = recs.iter().map(|r| &r.case.id).collect();
            assert_eq!(ids.len(), recs.len(), "{}: ids are unique", p.name());
            let mut persons: HashMap<&str, HashSet<&str>> = Default::default();
            let mut matters: HashMap<&str, HashSet<&str>> = Default::default();
            for r in &recs {
                persons.entry(&r.matter).or_default().insert(&r.person);
                matters.entry(&r.person).or_default().insert(&r.matter);
            }
            assert!(persons.values().any(|s| s.len() >= 10), "{}", p.name());
            assert!(matters.values().any(|s| s.len() >= 2), "{}", p.name());
            let dated = share(&recs, |c| c.received_at.is_some());
            assert!((0.95..1.0).contains(&dated), "{}: {dated}", p.name());
        }
    }

    #[test]
    fn a_million_records_are_cheap() {
        // a smoke test of speed in debug builds: 20k records well within a few seconds
        let t = std::time::Instant::now();
        let n = Generator::new(GeneratorConfig::for_profile(Profile::Mixed))
            .take(20_000)
            .count();
        assert_eq!(n, 20_000);
        assert!(t.elapsed().as_secs() < 30, "{:?}", t.elapsed());
    }
}
