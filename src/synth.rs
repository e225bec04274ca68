//! Synthetic complaint records for demos, tests, benchmarks and model fitting: repeat
//! submissions of one matter across channels and years, collective complaints, complainants
//! with several matters, and the degraded fields real exports have (traditional characters,
//! full-width digits, masked or 15-digit IDs, formatted, masked and multiple phones, honorific,
//! masked and pinyin names, county-only places). Profiles (`Profile`) change the place mix,
//! the channel mix, the identifier forms and how matters recur. No downloads.

mod ident;
mod objects;
mod phrases;
mod problems;

use crate::analysis::Gazetteer;
use crate::model::Case;
use chrono::{DateTime, Datelike, Duration, FixedOffset, TimeZone};
use ident::{IdentForms, Person};
use objects::{Kind, Named};
use phrases::*;
use problems::{PROBLEMS, Problem};

/// SplitMix64: small, fast and stable across versions, so a seed always gives the same data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A family of generated data: where matters happen, through which channels they come, how
/// identifiers are written and how matters recur.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// Petition-office mix: all channels alike, mostly complete identifiers.
    #[default]
    Default,
    /// 12345-hotline exports: mostly calls, sparse and masked identifiers, several numbers in
    /// a phone field, landlines, honorific and pinyin names; other provinces.
    Hotline,
    /// Long-running matters (积案): returns months to years later with follow-up phrases,
    /// freely restated narratives, residents writing their own texts; other provinces.
    Longrun,
    /// Each matter drawn from one of the other profiles, places from all provinces.
    Mixed,
}

impl Profile {
    pub const ALL: [Profile; 4] = [
        Profile::Default,
        Profile::Hotline,
        Profile::Longrun,
        Profile::Mixed,
    ];

    pub fn from_name(name: &str) -> Option<Profile> {
        Profile::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name.trim()))
    }

    pub fn name(self) -> &'static str {
        match self {
            Profile::Default => "default",
            Profile::Hotline => "hotline",
            Profile::Longrun => "longrun",
            Profile::Mixed => "mixed",
        }
    }

    fn provinces(self) -> &'static [&'static str] {
        match self {
            Profile::Default => &["43", "32", "35", "42", "44", "51", "37", "33", "41", "13"],
            Profile::Hotline => &[
                "11", "12", "31", "50", "21", "22", "23", "14", "15", "45", "52",
            ],
            Profile::Longrun => &["53", "62", "64", "65", "46", "34", "63", "36", "61", "54"],
            Profile::Mixed => &[
                "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
                "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
                "63", "64", "65",
            ],
        }
    }

    fn knobs(self) -> Knobs {
        match self {
            Profile::Default | Profile::Mixed => Knobs {
                // 网上 电话 来信 来访 微信 手机APP 短信
                channels: [20, 18, 14, 14, 14, 12, 8],
                forms: IdentForms {
                    name_missing: 0.1,
                    id_missing: 0.3,
                    phone_missing: 0.1,
                    address_missing: 0.3,
                    name_variant: 0.2,
                    platform_forms: 0.05,
                    pinyin: 0.005,
                },
                long_gap: 0.03,
                reword: 0.15,
                other_filer: 0.03,
                collective_shared: 0.5,
                traditional: 0.05,
            },
            Profile::Hotline => Knobs {
                channels: [12, 60, 2, 3, 11, 8, 4],
                forms: IdentForms {
                    name_missing: 0.3,
                    id_missing: 0.7,
                    phone_missing: 0.03,
                    address_missing: 0.6,
                    name_variant: 0.45,
                    platform_forms: 0.5,
                    pinyin: 0.04,
                },
                long_gap: 0.05,
                reword: 0.3,
                other_filer: 0.04,
                collective_shared: 0.3,
                traditional: 0.02,
            },
            Profile::Longrun => Knobs {
                channels: [24, 16, 22, 20, 8, 6, 4],
                forms: IdentForms {
                    name_missing: 0.08,
                    id_missing: 0.35,
                    phone_missing: 0.1,
                    address_missing: 0.3,
                    name_variant: 0.2,
                    platform_forms: 0.12,
                    pinyin: 0.01,
                },
                long_gap: 0.34,
                reword: 0.65,
                other_filer: 0.12,
                collective_shared: 0.0,
                traditional: 0.05,
            },
        }
    }
}

/// What a profile sets per matter.
#[derive(Debug, Clone, Copy)]
struct Knobs {
    /// weights of the channels in `CHANNELS` order
    channels: [u32; 7],
    forms: IdentForms,
    /// share of repeat submissions that come 3 months to 3 years after the previous one
    long_gap: f64,
    /// share of repeat submissions written anew (sentences dropped, reordered, restated)
    reword: f64,
    /// share of repeat submissions of a one-person matter filed by someone else (family,
    /// neighbour)
    other_filer: f64,
    /// share of residents of a collective matter who send the shared text
    collective_shared: f64,
    traditional: f64,
}

/// Channel, platforms, id prefix, whether the platform has user accounts.
const CHANNELS: [(&str, &[&str], &str, bool); 7] = [
    (
        "网上",
        &[
            "省网上信访平台",
            "国家网上信访平台",
            "市长信箱",
            "领导留言板",
        ],
        "WEB",
        true,
    ),
    (
        "电话",
        &["12345热线", "信访热线", "12345政务服务便民热线"],
        "TEL",
        false,
    ),
    ("来信", &["信访局来信登记"], "LET", false),
    ("来访", &["信访局来访登记", "联合接访中心"], "VIS", false),
    ("微信", &["微信公众号", "政务微信小程序"], "WX", true),
    ("手机APP", &["手机信访APP", "政务服务APP"], "APP", true),
    ("短信", &["短信平台"], "SMS", false),
];
const WEB: usize = 0;
const TEL: usize = 1;
const LET: usize = 2;
const VIS: usize = 3;
const SMS: usize = 6;

/// A generated record with its truth labels.
#[derive(Debug, Clone)]
pub struct SynthRecord {
    pub case: Case,
    pub person: String,
    pub matter: String,
}

#[derive(Debug, Clone)]
pub struct GeneratorConfig {
    pub seed: u64,
    pub profile: Profile,
    /// share of matters filed by a crowd of residents
    pub collective_rate: f64,
    /// share of matters filed by a complainant seen before
    pub returning_rate: f64,
    /// mean number of submissions per single-person matter
    pub mean_repeats: f64,
    /// how many records will be taken: paces the clock so they span about three and a half
    /// years whatever their number
    pub expected_records: usize,
}

impl GeneratorConfig {
    /// The rates a profile comes with.
    pub fn for_profile(profile: Profile) -> GeneratorConfig {
        let (collective_rate, returning_rate, mean_repeats) = match profile {
            Profile::Default => (0.02, 0.12, 1.6),
            Profile::Hotline => (0.015, 0.15, 1.5),
            Profile::Longrun => (0.03, 0.12, 2.4),
            Profile::Mixed => (0.02, 0.13, 1.8),
        };
        GeneratorConfig {
            seed: 42,
            profile,
            collective_rate,
            returning_rate,
            mean_repeats,
            expected_records: 10_000,
        }
    }
}

impl Default for GeneratorConfig {
    fn default() -> Self {
        GeneratorConfig::for_profile(Profile::Default)
    }
}

/// The objects of a matter (county, town, named things); later matters reuse some of them
/// so that one estate has several matters.
#[derive(Debug, Clone)]
struct Objects {
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
struct Matter {
    key: String,
    problem: &'static Problem,
    knobs: Knobs,
    slots: Vec<(&'static str, String)>,
    /// the same slots with short forms of the names (金桂小区 for 金桂花园二期)
    short: Vec<(&'static str, String)>,
    place: String,
    county_full: String,
    handler: String,
    /// seed of the first narrative; copies of it reuse it
    base_seed: u64,
    /// what residents of a collective matter call the place and themselves
    group: (String, &'static str),
}

/// Share of a returning complainant's new matters that are another problem of the objects
/// (estate, village, employer …) of their previous matter: people write about where they
/// live and work.
const OWN_OBJECTS_AGAIN: f64 = 0.4;
/// Least share of a collective matter's residents who first write months or years after it
/// began (a profile's `long_gap` raises it).
const LATE_RESIDENTS: f64 = 0.1;

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

/// Appends `template` with `{key}` slots replaced; unknown slots stay as they are.
fn fill_into(out: &mut String, template: &str, slots: &[(&str, String)]) {
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let Some(j) = after.find('}') else {
            out.push_str(&rest[i..]);
            return;
        };
        let key = &after[..j];
        match slots.iter().find(|(k, _)| *k == key) {
            Some((_, v)) => out.push_str(v),
            None => out.push_str(&rest[i..i + j + 2]),
        }
        rest = &after[j + 1..];
    }
    out.push_str(rest);
}

fn fill(template: &str, slots: &[(&str, String)]) -> String {
    let mut s = String::with_capacity(template.len() + 32);
    fill_into(&mut s, template, slots);
    s
}

fn full_width_digits(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                char::from_u32(c as u32 + 0xFEE0).unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

/// One of the phrases, uniformly.
fn one(r: &mut Rng, phrases: &[&'static str]) -> &'static str {
    phrases[r.below(phrases.len())]
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Index drawn with the given weights.
fn weighted(r: &mut Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut x = r.below(total.max(1) as usize) as u32;
    for (i, &w) in weights.iter().enumerate() {
        if x < w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

fn month_text(r: &mut Rng, d: DateTime<FixedOffset>, now: DateTime<FixedOffset>) -> String {
    match r.below(10) {
        0..=5 => format!("{}年{}月", d.year(), d.month()),
        6..=8 => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        _ if d.year() + 1 == now.year() => format!("去年{}月", d.month()),
        _ => format!("{}年{}月份", d.year(), d.month()),
    }
}

fn gap_text(days: i64) -> String {
    const CN: [&str; 11] = [
        "零", "一", "两", "三", "四", "五", "六", "七", "八", "九", "十",
    ];
    match days {
        ..=13 => format!("{}天", days.max(1)),
        14..=59 => "一个多月".to_string(),
        60..=364 => {
            let m = (days / 30) as usize;
            if m == 6 {
                "半年多".to_string()
            } else {
                format!("{}个多月", CN[m.min(10)])
            }
        }
        _ => format!("{}年多", CN[((days / 365) as usize).min(10)]),
    }
}

/// What came before a submission of the same person on the same matter.
struct History {
    /// 0 for the first submission
    k: usize,
    first: DateTime<FixedOffset>,
    prev: DateTime<FixedOffset>,
}

impl Generator {
    pub fn new(cfg: GeneratorConfig) -> Generator {
        let g = Gazetteer::global();
        let mut rng = Rng::new(cfg.seed);
        let mut counties: Vec<(String, String)> = Vec::new();
        if cfg.profile == Profile::Default {
            // always 长沙 so demos have a familiar place
            for code in [
                "430102", "430103", "430104", "430105", "430111", "430112", "320106", "350102",
            ] {
                if let Some(d) = g.get(code) {
                    counties.push((d.code.clone(), g.full_name(&d.code)));
                }
            }
        }
        let mut province_codes: Vec<&str> = cfg.profile.provinces().to_vec();
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

    fn new_person(&mut self, county: Option<(String, String)>) -> Person {
        let (code, county_name) = county.unwrap_or_else(|| self.rng.pick(&self.counties).clone());
        let (name, surname, given) = ident::name(&mut self.rng);
        let birth_year = 1942 + self.rng.below(63);
        let birth = format!(
            "{birth_year}{:02}{:02}",
            1 + self.rng.below(12),
            1 + self.rng.below(28)
        );
        let seq = self.rng.below(1000);
        let first17 = format!("{code}{birth}{seq:03}");
        let check = crate::analysis::id_check_char(&first17).unwrap_or('0');
        let mobile = ident::mobile(&mut self.rng);
        let mobile2 = self.rng.chance(0.1).then(|| ident::mobile(&mut self.rng));
        let landline = self
            .rng
            .chance(0.35)
            .then(|| ident::landline(&mut self.rng, &code[..2]));
        let town = self.town_of(&code).unwrap_or_default();
        let address = match self.rng.below(10) {
            0 => county_name.clone(),
            1..=2 => format!(
                "{county_name}{town}{}{}组{}号",
                objects::village(&mut self.rng),
                1 + self.rng.below(12),
                1 + self.rng.below(60)
            ),
            3..=5 => format!(
                "{county_name}{town}{}{}号{}栋{}单元{}0{}室",
                objects::road(&mut self.rng),
                1 + self.rng.below(300),
                1 + self.rng.below(30),
                1 + self.rng.below(6),
                1 + self.rng.below(30),
                1 + self.rng.below(4)
            ),
            _ => format!(
                "{county_name}{town}{}{}号{}栋{}单元",
                objects::road(&mut self.rng),
                1 + self.rng.below(300),
                1 + self.rng.below(30),
                1 + self.rng.below(6)
            ),
        };
        self.next_person += 1;
        Person {
            key: format!("P{:07}", self.next_person),
            name,
            surname,
            given,
            id18: format!("{first17}{check}"),
            birth_year,
            male: seq % 2 == 1,
            mobile,
            mobile2,
            landline,
            address,
            seed: self.rng.next_u64(),
            two_accounts: self.rng.chance(0.04),
        }
    }

    /// Keeps `p` among the complainants who may come back; returns its slot.
    fn remember(&mut self, p: &Person) -> usize {
        if self.persons.len() < 20_000 {
            self.persons.push(p.clone());
            self.homes.push(None);
            self.persons.len() - 1
        } else {
            let i = self.rng.below(self.persons.len());
            self.persons[i] = p.clone();
            self.homes[i] = None;
            i
        }
    }

    /// The complainant of a one-person matter (one seen before, or new) and their slot.
    fn person(&mut self, county: &(String, String)) -> (Person, usize) {
        if !self.persons.is_empty() && self.rng.chance(self.cfg.returning_rate) {
            let i = self.rng.below(self.persons.len());
            return (self.persons[i].clone(), i);
        }
        let local = self.rng.chance(0.8);
        let p = self.new_person(local.then(|| county.clone()));
        let slot = self.remember(&p);
        (p, slot)
    }

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
    fn new_matter(&mut self) {
        self.next_matter += 1;
        let key = format!("M{:07}", self.next_matter);
        let knobs = self.knobs();
        // objects: fresh, or those of a recent matter (another problem of the same estate),
        // or the problem of a recent matter at other objects (a look-alike matter)
        let roll = self.rng.below(100);
        let (problem_idx, objs) = if roll < 12 && !self.recent.is_empty() {
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
        };
        let collective = self.rng.chance(self.cfg.collective_rate);
        let single = (!collective).then(|| self.person(&objs.county));
        // a complainant seen before often comes back about another problem of their own
        // estate, village or employer
        let (problem_idx, objs) = match single.as_ref().and_then(|(_, slot)| {
            self.homes
                .get(*slot)
                .cloned()
                .flatten()
                .filter(|_| self.rng.chance(OWN_OBJECTS_AGAIN))
        }) {
            Some((pi, home)) => {
                let p = (pi + 1 + self.rng.below(PROBLEMS.len() - 1)) % PROBLEMS.len();
                (p, home)
            }
            None => (problem_idx, objs),
        };
        if let Some(home) = single
            .as_ref()
            .and_then(|(_, slot)| self.homes.get_mut(*slot))
        {
            *home = Some((problem_idx, objs.clone()));
        }
        if self.recent.len() < 400 {
            self.recent.push((problem_idx, objs.clone()));
        } else {
            let i = self.rng.below(400);
            self.recent[i] = (problem_idx, objs.clone());
        }
        let problem = &PROBLEMS[problem_idx];
        let g = Gazetteer::global();
        let county_short = g
            .get(&objs.county.0)
            .map(|d| d.name.clone())
            .unwrap_or_default();
        let town = objs.town.clone().unwrap_or_default();
        let place = format!("{}{}", objs.county.1, town);
        let r = &mut self.rng;
        let mut slots: Vec<(&'static str, String)> = vec![
            ("place", place.clone()),
            ("county", county_short.clone()),
            (
                "town",
                if town.is_empty() {
                    county_short.clone()
                } else {
                    town.clone()
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
        let mut short = slots.clone();
        for (k, v) in short.iter_mut() {
            if *k == "estate" {
                *v = objs.estate.short.clone();
            } else if let Some(i) = COMPANY_SLOTS.iter().position(|(c, _)| c == k) {
                *v = objs.companies[i].short.clone();
            }
        }
        let core = problem.groups[0].join("");
        let group = if core.contains("{village}") {
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
        };
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
        let matter = Matter {
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
        };
        // the clock follows the records made so far, whatever the matters' sizes
        let target = self.origin
            + Duration::minutes((self.next_record as f64 * self.per_record) as i64)
            + Duration::minutes(self.rng.below(self.pace as usize + 1) as i64);
        self.clock = self.clock.max(target) + Duration::minutes(1 + self.rng.below(30) as i64);
        let start = self.clock;
        if collective {
            let n = 10 + self.rng.below(30);
            for _ in 0..n {
                let person = self.new_person(Some(objs.county.clone()));
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
                self.person_submissions(&matter, &person, repeats, start + offset, true, shared);
            }
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
                    let county = self
                        .counties
                        .iter()
                        .find(|(_, n)| *n == m.county_full)
                        .cloned();
                    let mut other = self.new_person(county);
                    if self.rng.chance(0.5) {
                        other.address = person.address.clone();
                    }
                    let _ = self.remember(&other);
                    filer = other;
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

/// The sentences of one narrative, before channel framing.
struct Core {
    title: String,
    sentences: Vec<String>,
    details: Vec<String>,
    ask: String,
}

/// The core of a narrative: the same seed gives the same sentences; details are added until
/// the text reaches `budget` characters.
fn core_text(m: &Matter, seed: u64, reword: bool, budget: usize) -> Core {
    let mut r = Rng::new(seed);
    let slots = if reword && r.chance(0.4) {
        &m.short
    } else {
        &m.slots
    };
    let p = m.problem;
    let mut order: Vec<usize> = (0..p.groups.len()).collect();
    if reword {
        order.retain(|&i| i == 0 || !r.chance(0.3));
        if r.chance(0.6) {
            for i in (2..order.len()).rev() {
                let j = 1 + r.below(i);
                order.swap(i, j);
            }
        }
    }
    let restate = |r: &mut Rng, s: &mut String, first: bool| {
        for _ in 0..3 {
            let (a, b) = *r.pick(REWORDS);
            if s.contains(a) && r.chance(0.7) {
                *s = s.replacen(a, b, 1);
            }
        }
        if !first && r.chance(0.12) {
            s.insert_str(0, one(r, LEADS));
        }
    };
    let mut sentences = Vec::with_capacity(order.len());
    for (n, &g) in order.iter().enumerate() {
        let alts = p.groups[g];
        let mut s = fill(alts[r.below(alts.len())], slots);
        if reword {
            restate(&mut r, &mut s, n == 0);
        }
        sentences.push(s);
    }
    let mut title = fill(p.titles[r.below(p.titles.len())], slots);
    if reword || r.chance(0.2) {
        title = match r.below(6) {
            0 => format!("反映{title}"),
            1 => format!("关于{title}的问题"),
            2 => format!("投诉{title}"),
            3 => format!("请求解决{title}问题"),
            4 => format!("{title}，望解决"),
            _ => title,
        };
    }
    let mut ask = fill(p.asks[r.below(p.asks.len())], slots);
    if reword {
        restate(&mut r, &mut ask, true);
    }
    let mut len: usize = sentences.iter().map(|s| chars(s)).sum();
    let mut idx: Vec<u8> = (0..DETAILS.len() as u8).collect();
    let mut details = Vec::new();
    for i in 0..idx.len() {
        if len >= budget {
            break;
        }
        let j = i + r.below(idx.len() - i);
        idx.swap(i, j);
        let mut s = fill(DETAILS[idx[i] as usize], slots);
        if reword {
            restate(&mut r, &mut s, false);
        }
        len += chars(&s);
        details.push(s);
    }
    Core {
        title,
        sentences,
        details,
        ask,
    }
}

impl Generator {
    fn followup(&mut self, h: &History, when: DateTime<FixedOffset>) -> Option<String> {
        if h.k == 0 {
            return None;
        }
        let days = (when - h.prev).num_days();
        let r = &mut self.rng;
        if days >= 90 {
            if !r.chance(0.92) {
                return None;
            }
            let slots = [
                ("prev", month_text(r, h.prev, when)),
                ("first", month_text(r, h.first, when)),
                ("gap", gap_text(days)),
                ("gapf", gap_text((when - h.first).num_days())),
                ("ord", ORDINALS[h.k.min(8)].to_string()),
            ];
            let a = r.below(LONG_FOLLOWUPS.len());
            let mut s = fill(LONG_FOLLOWUPS[a], &slots);
            if r.chance(0.35) {
                let b = (a + 1 + r.below(LONG_FOLLOWUPS.len() - 1)) % LONG_FOLLOWUPS.len();
                fill_into(&mut s, LONG_FOLLOWUPS[b], &slots);
            }
            Some(s)
        } else {
            r.chance(0.7).then(|| r.pick(SHORT_FOLLOWUPS).to_string())
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn submission(
        &mut self,
        m: &Matter,
        p: &Person,
        seed: u64,
        reword: bool,
        collective: bool,
        h: &History,
        when: DateTime<FixedOffset>,
    ) -> Case {
        let knobs = m.knobs;
        let ch = if self.rng.chance(0.45) {
            weighted(&mut Rng::new(p.seed), &knobs.channels)
        } else {
            weighted(&mut self.rng, &knobs.channels)
        };
        let (channel, platforms, prefix, has_accounts) = CHANNELS[ch];
        let platform = if platforms.len() == 1 || self.rng.chance(0.8) {
            platforms[((p.seed >> 7) ^ ch as u64) as usize % platforms.len()]
        } else {
            *self.rng.pick(platforms)
        };
        // letters are registered and visits received in office hours
        let when = if ch == LET || ch == VIS {
            let day = when.date_naive();
            let minutes = if ch == VIS { 8 * 60 + 30 } else { 9 * 60 } + self.rng.below(8 * 60);
            day.and_hms_opt(0, 0, 0)
                .and_then(|d| CST.from_local_datetime(&d).single())
                .map_or(when, |d| d + Duration::minutes(minutes as i64))
        } else {
            when
        };
        self.next_record += 1;
        let id = format!("{prefix}-{}-{:07}", when.format("%Y"), self.next_record);
        let forms = knobs.forms;
        let name = ident::render_name(&mut self.rng, p, &forms);
        let id_number = ident::render_id(&mut self.rng, p, &forms);
        let phone = ident::render_phone(&mut self.rng, p, &forms);
        let account = (has_accounts && self.rng.chance(0.97)).then(|| {
            let which = u64::from(p.two_accounts && self.rng.chance(0.3));
            ident::account(p, platform, which)
        });
        let budget = match ch {
            LET => 500 + self.rng.below(500),
            WEB => 450 + self.rng.below(500),
            TEL => 150 + self.rng.below(250),
            VIS => 200 + self.rng.below(300),
            SMS => 50 + self.rng.below(90),
            _ => 150 + self.rng.below(450),
        };
        let core = core_text(m, seed, reword, budget);
        let follow = self.followup(h, when);
        let content = self.frame(m, p, &core, follow, ch, collective, when, budget);
        let r = &mut self.rng;
        let headcount = if collective && ch != TEL && ch != SMS && r.chance(0.25) {
            3 + r.below(60)
        } else {
            1
        };
        let location = match r.below(100) {
            0..=2 => None,
            3..=30 => Some(m.county_full.clone()),
            _ => Some(m.place.clone()),
        };
        let address = if r.chance(forms.address_missing) {
            None
        } else if r.chance(0.1) {
            Some(m.county_full.clone())
        } else {
            Some(p.address.clone())
        };
        let title = (ch != TEL && ch != SMS && r.chance(0.85)).then_some(core.title);
        let mut case = Case {
            id,
            platform: Some(platform.to_string()),
            channel: r.chance(0.98).then(|| channel.to_string()),
            received_at: r.chance(0.98).then_some(when),
            name,
            id_number,
            phone,
            address,
            location,
            headcount: Some(headcount as u32),
            title,
            content: Some(content),
            category: r.chance(0.9).then(|| m.problem.category.to_string()),
            handler: r.chance(0.85).then(|| m.handler.clone()),
            account,
            ..Case::default()
        };
        if r.chance(knobs.traditional) {
            case.content = case.content.map(|c| crate::analysis::to_traditional(&c));
            case.location = case.location.map(|c| crate::analysis::to_traditional(&c));
        }
        case
    }

    /// The content of a submission: the core sentences framed the way the channel writes.
    #[allow(clippy::too_many_arguments)]
    fn frame(
        &mut self,
        m: &Matter,
        p: &Person,
        core: &Core,
        follow: Option<String>,
        ch: usize,
        collective: bool,
        when: DateTime<FixedOffset>,
        budget: usize,
    ) -> String {
        let r = &mut self.rng;
        let who = if r.chance(0.85) {
            p.name.clone()
        } else {
            format!("{}{}", p.name.chars().next().unwrap_or('王'), "某")
        };
        let addr = if r.chance(0.5) {
            m.place.clone()
        } else {
            p.address.clone()
        };
        let mut out = String::with_capacity(budget * 4);
        match ch {
            LET => {
                out.push_str(one(r, LETTER_OPENINGS));
                out.push('\n');
                fill_into(
                    &mut out,
                    one(r, LETTER_INTROS),
                    &[("who", who.clone()), ("addr", addr)],
                );
                out.push('\n');
            }
            WEB => {
                out.push_str(one(r, WEB_OPENINGS));
                if r.chance(0.3) {
                    out.push_str(&format!("我是{addr}的居民，"));
                }
            }
            TEL => {
                out.push_str(one(r, PHONE_OPENINGS));
                if r.chance(0.7) {
                    out.push_str(&m.place);
                    out.push('，');
                }
            }
            VIS => fill_into(&mut out, one(r, VISIT_OPENINGS), &[("who", who.clone())]),
            SMS => {}
            _ => out.push_str(one(r, CHAT_OPENINGS)),
        }
        if collective && ch != TEL && r.chance(0.6) {
            fill_into(
                &mut out,
                one(r, COLLECTIVE_INTROS),
                &[
                    ("obj", m.group.0.clone()),
                    ("who", m.group.1.to_string()),
                    ("n", format!("{}", 10 + r.below(90))),
                ],
            );
        }
        let follow_front = r.chance(0.5);
        if follow_front && let Some(f) = &follow {
            out.push_str(f);
        }
        let start = chars(&out);
        let mut len = 0;
        let third_person = ch == TEL && r.chance(0.4);
        // call summaries keep to the matter: at most three of the details
        let details = if ch == TEL { 3 } else { core.details.len() };
        for s in core
            .sentences
            .iter()
            .chain(core.details.iter().take(details))
        {
            if len > 0 && (len >= budget || ch == SMS) {
                break;
            }
            if third_person {
                out.push_str(
                    &s.replace("本人", "来电人")
                        .replace("我们", "他们")
                        .replace('我', "其"),
                );
            } else {
                out.push_str(s);
            }
            len = chars(&out) - start;
            if ch == LET && r.chance(0.15) {
                out.push('\n');
            }
        }
        if !follow_front && let Some(f) = &follow {
            out.push_str(f);
        }
        match ch {
            TEL => out.push_str(one(r, PHONE_ASK_LEADS)),
            VIS => out.push_str(one(r, VISIT_ASK_LEADS)),
            _ => {}
        }
        out.push_str(&core.ask);
        match ch {
            LET => {
                out.push('\n');
                out.push_str(one(r, LETTER_CLOSINGS));
                let date = format!("{}年{}月{}日", when.year(), when.month(), when.day());
                let date = if r.chance(0.5) {
                    full_width_digits(&date)
                } else {
                    date
                };
                out.push_str(&format!("\n反映人：{who}\n{date}"));
            }
            WEB => out.push_str(one(r, WEB_CLOSINGS)),
            _ => {}
        }
        out
    }
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

    fn records(profile: Profile, n: usize) -> Vec<SynthRecord> {
        Generator::new(GeneratorConfig {
            seed: 5,
            expected_records: n,
            ..GeneratorConfig::for_profile(profile)
        })
        .take(n)
        .collect()
    }

    fn share(recs: &[SynthRecord], f: impl Fn(&Case) -> bool) -> f64 {
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
    fn profile_names_round_trip() {
        for p in Profile::ALL {
            assert_eq!(Profile::from_name(p.name()), Some(p));
        }
        assert_eq!(Profile::from_name("HOTLINE"), Some(Profile::Hotline));
        assert_eq!(Profile::from_name("nope"), None);
        assert_eq!(GeneratorConfig::default().profile, Profile::Default);
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
    fn narratives_are_as_long_as_real_ones() {
        for p in Profile::ALL {
            let recs = records(p, 3000);
            let mean = |channel: &str| {
                let lens: Vec<usize> = recs
                    .iter()
                    .filter(|r| r.case.channel.as_deref() == Some(channel))
                    .map(|r| r.case.content.as_deref().map_or(0, chars))
                    .collect();
                lens.iter().sum::<usize>() / lens.len().max(1)
            };
            assert!(
                mean("来信") >= 500,
                "{}: letters {}",
                p.name(),
                mean("来信")
            );
            assert!(mean("网上") >= 500, "{}: web {}", p.name(), mean("网上"));
            let tel = mean("电话");
            assert!((150..=400).contains(&tel), "{}: calls {tel}", p.name());
        }
    }

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
    fn hotline_has_calls_masks_and_several_numbers() {
        let recs = records(Profile::Hotline, 3000);
        let calls = share(&recs, |c| c.channel.as_deref() == Some("电话"));
        assert!(calls >= 0.5, "{calls} calls");
        let phone = |c: &Case, f: &dyn Fn(&str) -> bool| c.phone.as_deref().is_some_and(f);
        assert!(share(&recs, |c| phone(c, &|p| p.contains("****"))) > 0.02);
        assert!(share(&recs, |c| phone(c, &|p| p.contains("-XXXX-"))) > 0.01);
        let several = share(&recs, |c| {
            phone(c, &|p| {
                p.contains('/') || p.contains('、') || p.contains('；') || p.contains('，')
            })
        });
        assert!(several > 0.02, "{several} fields with several numbers");
        assert!(share(&recs, |c| phone(c, &|p| p.contains('转'))) > 0.002);
        assert!(share(&recs, |c| phone(c, &|p| p.starts_with('('))) > 0.002);
        let no_id = share(&recs, |c| c.id_number.is_none());
        assert!((0.6..0.8).contains(&no_id), "{no_id} without id");
        let name = |c: &Case, f: &dyn Fn(&str) -> bool| c.name.as_deref().is_some_and(f);
        assert!(share(&recs, |c| name(c, &|n| n.contains('某'))) > 0.01);
        assert!(share(&recs, |c| name(c, &|n| n.ends_with('*'))) > 0.005);
        assert!(share(&recs, |c| name(c, &|n| n.is_ascii())) > 0.01);
        assert!(share(&recs, |c| name(c, &|n| n.ends_with("女士"))) > 0.01);
        assert!(
            share(&recs, |c| c
                .id_number
                .as_deref()
                .is_some_and(|i| i.contains("******")))
                > 0.02
        );
        // other provinces than the default profile
        let default_places: HashSet<String> = records(Profile::Default, 1000)
            .iter()
            .filter_map(|r| {
                r.case
                    .location
                    .as_deref()
                    .map(|l| l.chars().take(2).collect())
            })
            .collect();
        let shared = share(&recs, |c| {
            c.location
                .as_deref()
                .is_some_and(|l| default_places.contains(&l.chars().take(2).collect::<String>()))
        });
        assert!(shared < 0.01, "{shared} in default provinces");
        // a person with a mobile and a landline uses either
        let mut kinds: HashMap<&str, HashSet<bool>> = Default::default();
        for r in &recs {
            if let Some(p) = r.case.phone.as_deref() {
                let mobile =
                    p.contains("1") && p.chars().filter(|c| c.is_ascii_digit()).count() >= 11;
                kinds.entry(&r.person).or_default().insert(mobile);
            }
        }
        assert!(kinds.values().any(|k| k.len() == 2));
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

    #[test]
    fn accounts_are_stable_per_person_and_platform() {
        let recs = records(Profile::Mixed, 4000);
        let mut accounts: HashMap<(&str, &str), HashSet<&str>> = Default::default();
        let mut owner: HashMap<&str, &str> = Default::default();
        let (mut online, mut with_account) = (0, 0);
        for r in &recs {
            let c = &r.case;
            let web = matches!(c.channel.as_deref(), Some("网上" | "微信" | "手机APP"));
            online += usize::from(web);
            if let (Some(a), Some(p)) = (c.account.as_deref(), c.platform.as_deref()) {
                with_account += 1;
                accounts.entry((&r.person, p)).or_default().insert(a);
                assert_eq!(*owner.entry(a).or_insert(&r.person), r.person.as_str());
            }
        }
        assert!(with_account as f64 > 0.85 * online as f64);
        assert!(accounts.values().all(|a| a.len() <= 2));
        let repeated = accounts.values().filter(|a| a.len() == 1).count();
        assert!(repeated as f64 > 0.9 * accounts.len() as f64);
        assert!(
            recs.iter()
                .filter(|r| r.case.channel.as_deref() == Some("电话"))
                .all(|r| r.case.account.is_none())
        );
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
