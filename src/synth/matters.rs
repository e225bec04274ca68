//! Matters: the objects a matter is about (county, town, estate, companies …), its problem
//! and slot values, and when its submissions come and from whom.

use super::ident::Person;
use super::narratives::History;
use super::objects::{self, Kind, Named};
use super::problems::{PROBLEMS, Problem};
use super::profiles::{Knobs, Profile};
use super::{Generator, Rng, SynthRecord};
use crate::analysis::Gazetteer;
use chrono::{DateTime, Duration, FixedOffset};

/// The objects of a matter (county, town, named things); later matters reuse some of them
/// so that one estate has several matters.
#[derive(Debug, Clone)]
pub(super) struct Objects {
    county: (String, String),
    town: Option<String>,
    estate: Named,
    road: String,
    village: String,
    school: String,
    project: String,
    companies: Vec<Named>,
}

const COMPANY_SLOTS: [(&str, Kind); 17] = [
    ("cb", Kind::Build),
    ("cd", Kind::Develop),
    ("cp", Kind::Property),
    ("cf", Kind::Factory),
    ("ct", Kind::Training),
    ("ce", Kind::Employer),
    ("ch", Kind::Heat),
    ("cg", Kind::Gas),
    ("sg", Kind::Grocery),
    ("sr", Kind::Restaurant),
    ("sm", Kind::Membership),
    ("sf", Kind::Farm),
    ("cl", Kind::Clinic),
    ("hs", Kind::Hospital),
    ("nh", Kind::Nursing),
    ("tr", Kind::Transport),
    ("fi", Kind::Finance),
];

/// One matter: its problem, objects and slot values, shared by all its submissions.
pub(super) struct Matter {
    pub(super) key: String,
    pub(super) problem: &'static Problem,
    pub(super) knobs: Knobs,
    pub(super) slots: Vec<(&'static str, String)>,
    /// the same slots with short forms of the names (金桂小区 for 金桂花园二期)
    pub(super) short: Vec<(&'static str, String)>,
    pub(super) place: String,
    pub(super) county_full: String,
    pub(super) handler: String,
    /// seed of the first narrative; copies of it reuse it
    pub(super) base_seed: u64,
    /// what residents of a collective matter call the place and themselves
    pub(super) group: (String, &'static str),
}

/// Share of a returning complainant's new matters that are another problem of the objects
/// (estate, village, employer …) of their previous matter: people write about where they
/// live and work.
const OWN_OBJECTS_AGAIN: f64 = 0.4;
/// Least share of a collective matter's residents who first write months or years after it
/// began (a profile's `long_gap` raises it).
const LATE_RESIDENTS: f64 = 0.1;

impl Generator {
    /// Fresh objects in a county drawn at random.
    fn new_objects(&mut self) -> Objects {
        let county = self.rng.pick(&self.counties).clone();
        let town = self.town_of(&county.0);
        let g = Gazetteer::global();
        let short = g.get(&county.0).map(|d| d.name.clone()).unwrap_or_default();
        let road = objects::road(&mut self.rng);
        let companies = COMPANY_SLOTS
            .iter()
            .map(|&(_, kind)| objects::company(&mut self.rng, kind, &short))
            .collect();
        Objects {
            estate: objects::estate(&mut self.rng),
            village: objects::village(&mut self.rng),
            school: objects::school(&mut self.rng, &short),
            project: objects::project(&mut self.rng, &road),
            road,
            companies,
            county,
            town,
        }
    }

    /// The knobs of a new matter: the profile's, for `Mixed` those of one of the others.
    fn knobs(&mut self) -> Knobs {
        match self.cfg.profile {
            Profile::Mixed => {
                let p = [Profile::Default, Profile::Hotline, Profile::Longrun][self.rng.below(3)];
                p.knobs()
            }
            p => p.knobs(),
        }
    }

    /// One matter and all its submissions, queued.
    /// One matter and all its submissions, queued.
    pub(super) fn new_matter(&mut self) {
        self.next_matter += 1;
        let key = format!("M{:07}", self.next_matter);
        let knobs = self.knobs();
        let (problem_idx, objs) = self.matter_objects();
        let collective = self.rng.chance(self.cfg.collective_rate);
        let single = (!collective).then(|| self.person(&objs.county));
        let slot = single.as_ref().map(|&(_, slot)| slot);
        let (problem_idx, objs) = self.own_objects_again(slot).unwrap_or((problem_idx, objs));
        self.keep_objects(slot, problem_idx, &objs);
        let matter = Matter::new(&mut self.rng, key, knobs, &PROBLEMS[problem_idx], &objs);
        let start = self.next_start();
        if collective {
            self.collective_submissions(&matter, &objs.county, start);
        } else {
            let mut repeats = 1;
            while repeats < 9 && self.rng.chance(1.0 - 1.0 / self.cfg.mean_repeats.max(1.0)) {
                repeats += 1;
            }
            if let Some((person, _)) = single {
                self.person_submissions(&matter, &person, repeats, start, false, true);
            }
        }
    }

    /// The problem and objects of a new matter: fresh, or those of a recent matter (another
    /// problem of the same estate), or the problem of a recent matter at other objects (a
    /// look-alike matter).
    fn matter_objects(&mut self) -> (usize, Objects) {
        let roll = self.rng.below(100);
        if roll < 12 && !self.recent.is_empty() {
            let (pi, o) = self.recent[self.rng.below(self.recent.len())].clone();
            let mut p = self.rng.below(PROBLEMS.len());
            if p == pi {
                p = (p + 1 + self.rng.below(PROBLEMS.len() - 1)) % PROBLEMS.len();
            }
            (p, o)
        } else if roll < 20 && !self.recent.is_empty() {
            let (pi, o) = self.recent[self.rng.below(self.recent.len())].clone();
            let mut fresh = self.new_objects();
            fresh.county = o.county;
            fresh.town = o.town;
            (pi, fresh)
        } else {
            (self.rng.below(PROBLEMS.len()), self.new_objects())
        }
    }

    /// Another problem of the objects of the latest matter of the complainant in `slot`: a
    /// complainant seen before often comes back about their own estate, village or employer.
    fn own_objects_again(&mut self, slot: Option<usize>) -> Option<(usize, Objects)> {
        let (pi, home) = self.homes.get(slot?).cloned().flatten()?;
        if !self.rng.chance(OWN_OBJECTS_AGAIN) {
            return None;
        }
        let p = (pi + 1 + self.rng.below(PROBLEMS.len() - 1)) % PROBLEMS.len();
        Some((p, home))
    }

    /// Keeps a matter's problem and objects as the latest of the complainant in `slot` and
    /// among the recent ones that later matters reuse.
    fn keep_objects(&mut self, slot: Option<usize>, problem_idx: usize, objs: &Objects) {
        if let Some(home) = slot.and_then(|slot| self.homes.get_mut(slot)) {
            *home = Some((problem_idx, objs.clone()));
        }
        if self.recent.len() < 400 {
            self.recent.push((problem_idx, objs.clone()));
        } else {
            let i = self.rng.below(400);
            self.recent[i] = (problem_idx, objs.clone());
        }
    }

    /// Moves the clock to the start of the next matter: it follows the records made so far,
    /// whatever the matters' sizes.
    fn next_start(&mut self) -> DateTime<FixedOffset> {
        let target = self.origin
            + Duration::minutes((self.next_record as f64 * self.per_record) as i64)
            + Duration::minutes(self.rng.below(self.pace as usize + 1) as i64);
        self.clock = self.clock.max(target) + Duration::minutes(1 + self.rng.below(30) as i64);
        self.clock
    }

    /// The residents of a collective matter and their submissions, queued.
    fn collective_submissions(
        &mut self,
        m: &Matter,
        county: &(String, String),
        start: DateTime<FixedOffset>,
    ) {
        let knobs = m.knobs;
        let n = 10 + self.rng.below(30);
        for _ in 0..n {
            let person = self.new_person(Some(county.clone()));
            let repeats = 1
                + usize::from(self.rng.chance(0.2))
                + usize::from(knobs.long_gap > 0.2 && self.rng.chance(0.3));
            // most residents write within weeks; some take the matter up months or
            // years later, while it drags on
            let offset = if self.rng.chance(knobs.long_gap.max(LATE_RESIDENTS)) {
                Duration::hours((24 * (90 + self.rng.below(2 * 365 - 90))) as i64)
            } else {
                Duration::hours(self.rng.below(24 * 20) as i64)
            };
            let shared = self.rng.chance(knobs.collective_shared);
            self.person_submissions(m, &person, repeats, start + offset, true, shared);
        }
    }

    /// The submissions of one person on one matter, queued.
    fn person_submissions(
        &mut self,
        m: &Matter,
        person: &Person,
        repeats: usize,
        start: DateTime<FixedOffset>,
        collective: bool,
        shared: bool,
    ) {
        let first_seed = if shared {
            m.base_seed
        } else {
            self.rng.next_u64()
        };
        let mut when = start;
        let mut prev = start;
        let mut filer = person.clone();
        for k in 0..repeats {
            if k > 0 {
                let long = self.rng.chance(m.knobs.long_gap);
                let hours = if long {
                    24 * (90 + self.rng.below(3 * 365 - 90)) + self.rng.below(24)
                } else {
                    1 + self.rng.below(24 * 60)
                };
                prev = when;
                when += Duration::hours(hours as i64);
                // someone else (family, neighbour) takes the matter up
                if !collective && self.rng.chance(m.knobs.other_filer) {
                    filer = self.someone_close_to(person, &m.county_full);
                }
            }
            if when > self.horizon && start <= self.horizon {
                break;
            }
            let hist = History {
                k,
                first: start,
                prev,
            };
            let reword = if k == 0 {
                !shared
            } else {
                filer.key != person.key || self.rng.chance(m.knobs.reword)
            };
            let seed = if reword && k > 0 {
                self.rng.next_u64()
            } else {
                first_seed
            };
            let case = self.submission(m, &filer, seed, reword, collective, &hist, when);
            self.queue.push_back(SynthRecord {
                case,
                person: filer.key.clone(),
                matter: m.key.clone(),
            });
        }
    }
}

impl Matter {
    /// The matter of `problem` at `objs`: slot values drawn, the group residents name, the
    /// handling department.
    fn new(
        r: &mut Rng,
        key: String,
        knobs: Knobs,
        problem: &'static Problem,
        objs: &Objects,
    ) -> Matter {
        let g = Gazetteer::global();
        let county_short = g
            .get(&objs.county.0)
            .map(|d| d.name.clone())
            .unwrap_or_default();
        let town = objs.town.clone().unwrap_or_default();
        let place = format!("{}{}", objs.county.1, town);
        let mut slots = slot_values(r, objs, &place, &county_short, &town);
        let mut short = slots.clone();
        for (k, v) in short.iter_mut() {
            if *k == "estate" {
                *v = objs.estate.short.clone();
            } else if let Some(i) = COMPANY_SLOTS.iter().position(|(c, _)| c == k) {
                *v = objs.companies[i].short.clone();
            }
        }
        let group = group_of(r, problem, objs);
        slots.push(("obj", group.0.clone()));
        short.push(("obj", group.0.clone()));
        let handler = if r.chance(0.15) {
            let city = g
                .get(&objs.county.0[..4])
                .map(|d| d.name.clone())
                .unwrap_or_default();
            format!("{city}{}", problem.department)
        } else {
            format!("{county_short}{}", problem.department)
        };
        Matter {
            key,
            problem,
            knobs,
            slots,
            short,
            place,
            county_full: objs.county.1.clone(),
            handler,
            base_seed: r.next_u64(),
            group,
        }
    }
}

/// The values of a matter's slots: the objects' full names and drawn numbers.
fn slot_values(
    r: &mut Rng,
    objs: &Objects,
    place: &str,
    county_short: &str,
    town: &str,
) -> Vec<(&'static str, String)> {
    let mut slots: Vec<(&'static str, String)> = vec![
        ("place", place.to_string()),
        ("county", county_short.to_string()),
        (
            "town",
            if town.is_empty() {
                county_short.to_string()
            } else {
                town.to_string()
            },
        ),
        ("estate", objs.estate.full.clone()),
        ("road", objs.road.clone()),
        ("village", objs.village.clone()),
        ("school", objs.school.clone()),
        ("project", objs.project.clone()),
        ("bld", format!("{}", 1 + r.below(30))),
        ("n", format!("{}", 2 + r.below(40))),
        ("big", format!("{}", 50 + r.below(12) * 50)),
        ("h", format!("{}", 1 + r.below(4))),
        ("m", format!("{}", 2 + r.below(17))),
        ("amount", format!("{}", (1 + r.below(500)) * 100)),
        ("year", format!("{}", 2016 + r.below(6))),
        ("line", format!("{}", 1 + r.below(160))),
    ];
    for (i, (k, _)) in COMPANY_SLOTS.iter().enumerate() {
        slots.push((k, objs.companies[i].full.clone()));
    }
    slots
}

/// What residents of a collective matter call the place and themselves: the object the
/// problem's first sentence names.
fn group_of(r: &mut Rng, problem: &Problem, objs: &Objects) -> (String, &'static str) {
    let core = problem.groups[0].join("");
    if core.contains("{village}") {
        (objs.village.clone(), "村民")
    } else if core.contains("{estate}") {
        (
            objs.estate.full.clone(),
            if r.chance(0.5) { "业主" } else { "居民" },
        )
    } else if let Some(i) = COMPANY_SLOTS
        .iter()
        .position(|(k, _)| core.contains(&format!("{{{k}}}")))
    {
        (objs.companies[i].full.clone(), "职工")
    } else {
        (objs.road.clone(), "居民")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::tests::records;
    use std::collections::{HashMap, HashSet};

    #[test]
    fn matters_vary_in_problem_and_object() {
        assert!(PROBLEMS.len() >= 40);
        let recs = records(Profile::Default, 4000);
        let titles: HashSet<_> = recs
            .iter()
            .filter_map(|r| r.case.title.as_deref())
            .collect();
        assert!(titles.len() > 1500, "{} distinct titles", titles.len());
        // one estate, several matters of different problems
        let mut by_estate: HashMap<String, HashSet<(&str, &str)>> = Default::default();
        for r in &recs {
            let content = r.case.content.as_deref().unwrap_or_default();
            for p in objects::ESTATE_PREFIX {
                for s in objects::ESTATE_SUFFIX {
                    let e = format!("{p}{s}");
                    if content.contains(&e) {
                        let category = r.case.category.as_deref().unwrap_or("");
                        by_estate
                            .entry(e)
                            .or_default()
                            .insert((&r.matter, category));
                    }
                }
            }
        }
        assert!(
            by_estate.values().any(|m| {
                let cats: HashSet<_> = m.iter().map(|(_, c)| c).collect();
                m.len() >= 2 && cats.len() >= 2
            }),
            "an estate with matters of two kinds"
        );
    }

    #[test]
    fn complainants_come_back_about_their_own_estate_and_residents_join_late() {
        use crate::analysis::{normalize, object_names};
        let recs = records(Profile::Default, 20_000);
        let mut named: HashMap<&str, HashSet<u32>> = Default::default();
        let mut matters: HashMap<&str, Vec<&str>> = Default::default();
        for r in &recs {
            let text = normalize(r.case.content.as_deref().unwrap_or_default());
            named
                .entry(&r.matter)
                .or_default()
                .extend(object_names(&text).iter().map(|o| o.key));
            let m = matters.entry(&r.person).or_default();
            if !m.contains(&r.matter.as_str()) {
                m.push(&r.matter);
            }
        }
        // specific names only (in at most 1% of matters): 金桂苑小区, not 小区
        let mut df: HashMap<u32, usize> = HashMap::new();
        for keys in named.values() {
            for &k in keys {
                *df.entry(k).or_default() += 1;
            }
        }
        let most = named.len() / 100;
        for keys in named.values_mut() {
            keys.retain(|k| df[k] <= most);
        }
        let share = |pairs: &[(&str, &str)]| {
            let shared = pairs
                .iter()
                .filter(|(a, b)| !named[a].is_disjoint(&named[b]))
                .count();
            shared as f64 / pairs.len().max(1) as f64
        };
        let own: Vec<(&str, &str)> = matters
            .values()
            .flat_map(|m| m.windows(2).map(|w| (w[0], w[1])))
            .collect();
        let all: Vec<&str> = named.keys().copied().collect();
        let strangers: Vec<(&str, &str)> = all.windows(2).map(|w| (w[0], w[1])).collect();
        assert!(own.len() > 100, "{} returning complainants", own.len());
        let (own_share, stranger_share) = (share(&own), share(&strangers));
        assert!(
            own_share > 0.12 && own_share > 5.0 * stranger_share,
            "one person's matters name one object in {own_share:.3}, strangers' in {stranger_share:.3}"
        );
        // residents of a collective matter who first write months after it began
        let mut first: HashMap<&str, HashMap<&str, DateTime<FixedOffset>>> = Default::default();
        for r in &recs {
            if let Some(t) = r.case.received_at {
                let e = first
                    .entry(&r.matter)
                    .or_default()
                    .entry(&r.person)
                    .or_insert(t);
                *e = (*e).min(t);
            }
        }
        let (mut residents, mut late) = (0, 0);
        for persons in first.values().filter(|p| p.len() >= 10) {
            let Some(start) = persons.values().min() else {
                continue;
            };
            residents += persons.len();
            late += persons
                .values()
                .filter(|t| (**t - *start).num_days() > 80)
                .count();
        }
        let late_share = late as f64 / residents.max(1) as f64;
        assert!(
            (0.03..0.3).contains(&late_share),
            "{late} of {residents} residents late"
        );
    }

    #[test]
    fn longrun_returns_after_months_with_follow_ups() {
        let recs = records(Profile::Longrun, 4000);
        let mut by_chain: HashMap<(&str, &str), Vec<&SynthRecord>> = Default::default();
        for r in &recs {
            by_chain.entry((&r.matter, &r.person)).or_default().push(r);
        }
        let (mut repeats, mut long, mut phrased) = (0, 0, 0);
        for chain in by_chain.values_mut() {
            chain.retain(|r| r.case.received_at.is_some());
            chain.sort_by_key(|r| r.case.received_at);
            for w in chain.windows(2) {
                repeats += 1;
                let (Some(a), Some(b)) = (w[0].case.received_at, w[1].case.received_at) else {
                    continue;
                };
                if (b - a).num_days() > 90 {
                    long += 1;
                    let text = w[1].case.content.as_deref().unwrap_or_default();
                    if ["反映", "回复", "下文", "石沉大海"]
                        .iter()
                        .any(|p| text.contains(p))
                        && text.contains('年')
                    {
                        phrased += 1;
                    }
                }
            }
        }
        let long_share = long as f64 / repeats as f64;
        assert!((0.2..0.5).contains(&long_share), "{long} of {repeats} long");
        assert!(phrased as f64 > 0.8 * long as f64, "{phrased} of {long}");
        assert!(recs.iter().any(|r| {
            r.case
                .content
                .as_deref()
                .is_some_and(|c| c.contains("曾反映过此事"))
        }));
        // restated: repeats of one matter rarely share their first sentence
        let mut firsts: HashMap<&str, HashSet<String>> = Default::default();
        for r in &recs {
            let c = r.case.content.as_deref().unwrap_or_default();
            let s: String = c.chars().skip(8).take(30).collect();
            firsts.entry(&r.matter).or_default().insert(s);
        }
        let multi: Vec<_> = by_chain.values().filter(|c| c.len() >= 3).collect();
        assert!(!multi.is_empty());
        let restated = multi
            .iter()
            .filter(|c| firsts[c[0].matter.as_str()].len() >= 2)
            .count();
        assert!(restated * 2 > multi.len(), "{restated} of {}", multi.len());
    }
}
