//! The gazetteer of China's administrative divisions (province → city → county → town/street)
//! from dictionaries/divisions.tsv, and the parser that resolves a location or address to codes.
//!
//! Names match in full (长沙市, 岳麓区) or short (长沙, 岳麓). An ambiguous name (鼓楼区 is in
//! four cities) is resolved from context — the enclosing division named before it, or a hint
//! such as the ID number's region — and otherwise reported as ambiguous, never guessed.

use super::normalize::normalize;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::LazyLock;

const DIVISIONS: &str = include_str!("../../dictionaries/divisions.tsv");

const ETHNIC: [&str; 57] = [
    "维吾尔",
    "柯尔克孜",
    "乌孜别克",
    "哈萨克",
    "达斡尔",
    "鄂温克",
    "鄂伦春",
    "塔吉克",
    "俄罗斯",
    "塔塔尔",
    "土家",
    "哈尼",
    "傈僳",
    "拉祜",
    "纳西",
    "景颇",
    "布依",
    "朝鲜",
    "锡伯",
    "裕固",
    "保安",
    "东乡",
    "撒拉",
    "仡佬",
    "毛南",
    "仫佬",
    "独龙",
    "普米",
    "基诺",
    "布朗",
    "阿昌",
    "德昂",
    "门巴",
    "珞巴",
    "赫哲",
    "蒙古",
    "壮",
    "回",
    "藏",
    "苗",
    "彝",
    "侗",
    "瑶",
    "白",
    "傣",
    "黎",
    "佤",
    "满",
    "土",
    "羌",
    "水",
    "畲",
    "怒",
    "京",
    "各",
    "高山",
    "汉",
];
const SUFFIXES: [&str; 19] = [
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "街道办事处",
    "街道",
    "林区",
    "特区",
    "地区",
    "省",
    "市",
    "区",
    "县",
    "旗",
    "盟",
    "镇",
    "乡",
    "苏木",
];
/// Placeholder rows of the source that name no place.
const PLACEHOLDERS: [&str; 4] = [
    "市辖区",
    "县",
    "省直辖县级行政区划",
    "自治区直辖县级行政区划",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Province,
    City,
    County,
    Town,
}

impl Level {
    fn of_code(code: &str) -> Option<Level> {
        match code.len() {
            2 => Some(Level::Province),
            4 => Some(Level::City),
            6 => Some(Level::County),
            9 => Some(Level::Town),
            _ => None,
        }
    }
}

/// One administrative division.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    pub code: String,
    pub name: String,
    pub level: Level,
}

/// Where a text points: division codes from province down, as far as they could be resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub county: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub town: Option<String>,
    /// A name matched several divisions and context could not choose; resolution stopped there.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ambiguous: bool,
}

impl Place {
    fn from_code(code: &str) -> Place {
        let part = |n: usize| (code.len() >= n).then(|| code[..n].to_string());
        Place {
            province: part(2),
            city: part(4).filter(|c| c.len() == 4),
            county: part(6),
            town: part(9),
            ambiguous: false,
        }
    }

    /// The most specific code resolved.
    pub fn code(&self) -> Option<&str> {
        self.town
            .as_deref()
            .or(self.county.as_deref())
            .or(self.city.as_deref())
            .or(self.province.as_deref())
    }

    /// Every resolved code, province first (for indexing and filters).
    pub fn codes(&self) -> Vec<&str> {
        [&self.province, &self.city, &self.county, &self.town]
            .into_iter()
            .filter_map(|c| c.as_deref())
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.province.is_none()
    }
}

/// Strips the administrative suffix and ethnic names: 岳麓区 → 岳麓, 炮团侗族苗族乡 → 炮团.
fn short_name(name: &str) -> Option<String> {
    let suffix = SUFFIXES
        .iter()
        .find(|s| name.ends_with(*s) && name.len() > s.len())?;
    let mut base = &name[..name.len() - suffix.len()];
    'strip: loop {
        for e in ETHNIC {
            if let Some(rest) = base.strip_suffix("族").and_then(|b| b.strip_suffix(e))
                && !rest.is_empty()
            {
                base = rest;
                continue 'strip;
            }
        }
        break;
    }
    (base.chars().count() >= 2 && base != name).then(|| base.to_string())
}

/// The divisions and a name → divisions map (full and short names).
pub struct Gazetteer {
    divisions: Vec<Division>,
    by_code: HashMap<String, usize>,
    by_name: HashMap<String, Vec<usize>>,
    /// the keys of `by_name`, sorted: the names that start with a prefix are one run
    sorted_names: Vec<String>,
    max_name_chars: usize,
}

static GAZETTEER: LazyLock<Gazetteer> = LazyLock::new(|| Gazetteer::from_tsv(DIVISIONS));

impl Gazetteer {
    /// The bundled gazetteer, parsed once per process.
    pub fn global() -> &'static Gazetteer {
        &GAZETTEER
    }

    /// Parses `code<TAB>name` lines; `#` lines are comments, malformed lines are skipped.
    pub fn from_tsv(tsv: &str) -> Gazetteer {
        let mut g = Gazetteer {
            divisions: Vec::new(),
            by_code: HashMap::new(),
            by_name: HashMap::new(),
            sorted_names: Vec::new(),
            max_name_chars: 0,
        };
        for line in tsv.lines().filter(|l| !l.starts_with('#')) {
            let Some((code, name)) = line.split_once('\t') else {
                continue;
            };
            let Some(level) = Level::of_code(code) else {
                continue;
            };
            let idx = g.divisions.len();
            g.by_code.insert(code.to_string(), idx);
            g.divisions.push(Division {
                code: code.to_string(),
                name: name.to_string(),
                level,
            });
            if PLACEHOLDERS.contains(&name) {
                continue;
            }
            let mut names = vec![name.to_string()];
            names.extend(short_name(name));
            for n in names {
                g.max_name_chars = g.max_name_chars.max(n.chars().count());
                g.by_name.entry(n).or_default().push(idx);
            }
        }
        g.sorted_names = g.by_name.keys().cloned().collect();
        g.sorted_names.sort_unstable();
        g
    }

    pub fn len(&self) -> usize {
        self.divisions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.divisions.is_empty()
    }

    pub fn get(&self, code: &str) -> Option<&Division> {
        self.by_code.get(code).map(|&i| &self.divisions[i])
    }

    /// Display name of a code with its parents, e.g. 湖南省长沙市岳麓区.
    pub fn full_name(&self, code: &str) -> String {
        if !code.bytes().all(|b| b.is_ascii_digit()) {
            return String::new();
        }
        [2, 4, 6, 9]
            .iter()
            .filter(|&&n| n <= code.len())
            .filter_map(|&n| self.get(&code[..n]))
            .filter(|d| !PLACEHOLDERS.contains(&d.name.as_str()))
            .map(|d| d.name.as_str())
            .collect()
    }

    /// Resolves a place filter (a name or a code) to one division code. An ambiguous name is
    /// refused with its candidates listed, never guessed.
    pub fn resolve_filter(&self, raw: &str) -> Result<String, String> {
        let t = raw.trim();
        if t.chars().all(|c| c.is_ascii_digit()) && self.get(t).is_some() {
            return Ok(t.to_string());
        }
        let place = self.parse(t, None);
        if place.ambiguous {
            let names: Vec<String> = self
                .lookup(&normalize(t))
                .iter()
                .map(|d| format!("{} ({})", self.full_name(&d.code), d.code))
                .collect();
            return Err(format!(
                "place {t:?} is ambiguous: {}; name the city too or give a code",
                names.join(", ")
            ));
        }
        place
            .code()
            .map(str::to_string)
            .ok_or_else(|| format!("place {t:?} is not a known administrative division"))
    }

    /// Divisions whose name starts with `prefix` (autocomplete), shallowest levels first.
    pub fn suggest(&self, prefix: &str, limit: usize) -> Vec<&Division> {
        let p = normalize(prefix.trim());
        if p.is_empty() {
            return Vec::new();
        }
        // byte order keeps every name with the prefix in one run: a binary search, not a scan
        let start = self
            .sorted_names
            .partition_point(|n| n.as_str() < p.as_str());
        let mut found: Vec<&Division> = self.sorted_names[start..]
            .iter()
            .take_while(|name| name.starts_with(&p))
            .filter_map(|name| self.by_name.get(name))
            .flat_map(|ids| ids.iter().map(|&i| &self.divisions[i]))
            .collect();
        found.sort_by(|a, b| a.level.cmp(&b.level).then(a.code.cmp(&b.code)));
        found.dedup_by(|a, b| a.code == b.code);
        found.truncate(limit);
        found
    }

    /// Divisions whose full or short name is `name` (normalised).
    pub fn lookup(&self, name: &str) -> Vec<&Division> {
        self.by_name
            .get(name)
            .map(|v| v.iter().map(|&i| &self.divisions[i]).collect())
            .unwrap_or_default()
    }

    /// Resolves a location or address to division codes, reading names from the start of the
    /// text. `hint` (a code or code prefix, e.g. the ID number's region) only breaks ties.
    pub fn parse(&self, text: &str, hint: Option<&str>) -> Place {
        self.parse_with_rest(text, hint).0
    }

    /// Like [`parse`](Self::parse), also returning the normalised text after the last division
    /// name (street, number, building: 光明路235号2栋).
    pub fn parse_with_rest(&self, text: &str, hint: Option<&str>) -> (Place, String) {
        let norm = normalize(text);
        let chars: Vec<(usize, char)> = norm.char_indices().collect();
        let mut pos = 0;
        let mut current: Option<&Division> = None;
        let mut place = Place::default();
        let skippable =
            |c: char| c.is_whitespace() || c.is_ascii_punctuation() || "，、。：；（）".contains(c);
        if norm.starts_with("中国") {
            pos = 2;
        }
        loop {
            while pos < chars.len() && skippable(chars[pos].1) {
                pos += 1;
            }
            if pos >= chars.len() {
                break;
            }
            let mut found = None;
            let longest = self.max_name_chars.min(chars.len() - pos);
            for len in (2..=longest).rev() {
                let from = chars[pos].0;
                let to = chars.get(pos + len).map_or(norm.len(), |c| c.0);
                let cands: Vec<&Division> = self
                    .lookup(&norm[from..to])
                    .into_iter()
                    .filter(|d| match current {
                        Some(cur) => d.level > cur.level && d.code.starts_with(&cur.code),
                        None => d.level < Level::Town,
                    })
                    .collect();
                if !cands.is_empty() {
                    found = Some((len, cands));
                    break;
                }
            }
            let Some((len, mut cands)) = found else { break };
            // the shallowest level wins: 白银 is first the city, then 白银区 the county
            let top = cands.iter().map(|d| d.level).min().unwrap_or(Level::Town);
            cands.retain(|d| d.level == top);
            if cands.len() > 1
                && let Some(h) = hint
            {
                let shared = |d: &&Division| common_prefix(&d.code, h);
                let best = cands.iter().map(shared).max().unwrap_or(0);
                if best >= 2 {
                    cands.retain(|d| shared(d) == best);
                }
            }
            if cands.len() > 1 {
                let prefix = cands.iter().skip(1).fold(cands[0].code.as_str(), |p, d| {
                    &p[..common_prefix(p, &d.code)]
                });
                let keep = [9, 6, 4, 2]
                    .into_iter()
                    .find(|&n| prefix.len() >= n)
                    .unwrap_or(0);
                if keep > current.map_or(0, |c| c.code.len()) {
                    place = Place::from_code(&prefix[..keep]);
                }
                place.ambiguous = true;
                break;
            }
            let d = cands[0];
            place = Place::from_code(&d.code);
            current = Some(d);
            pos += len;
            if d.level == Level::Town {
                break;
            }
        }
        let rest = chars.get(pos).map_or("", |&(i, _)| &norm[i..]).to_string();
        (place, rest)
    }
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g() -> &'static Gazetteer {
        Gazetteer::global()
    }

    #[test]
    fn short_names() {
        assert_eq!(short_name("岳麓区").as_deref(), Some("岳麓"));
        assert_eq!(short_name("炮团侗族苗族乡").as_deref(), Some("炮团"));
        assert_eq!(short_name("广西壮族自治区").as_deref(), Some("广西"));
        assert_eq!(short_name("长沙市").as_deref(), Some("长沙"));
        assert_eq!(short_name("沙县"), None);
    }

    #[test]
    fn parses_full_and_short_forms() {
        let p = g().parse("湖南省长沙市岳麓区望月湖街道枫林一路", None);
        assert_eq!(p.county.as_deref(), Some("430104"));
        assert!(p.town.as_deref().is_some_and(|t| t.starts_with("430104")));
        let q = g().parse("长沙岳麓", None);
        assert_eq!(q.county.as_deref(), Some("430104"));
        let c = g().parse("长沙市", None);
        assert_eq!(c.city.as_deref(), Some("4301"));
        assert_eq!(c.county, None);
        let t = g().parse("懷化會同炮團侗族苗族鄉", None);
        assert_eq!(t.county.as_deref(), Some("431225"));
        assert!(t.town.is_some());
    }

    #[test]
    fn city_and_county_with_the_same_short_name() {
        let p = g().parse("白银白银区四龙镇", None);
        assert_eq!(p.city.as_deref(), Some("6204"));
        assert_eq!(p.county.as_deref(), Some("620402"));
        assert!(p.town.is_some());
    }

    #[test]
    fn ambiguous_county_is_flagged_not_guessed() {
        let p = g().parse("鼓楼区", None);
        assert!(p.ambiguous);
        assert_eq!(p.county, None);
        let nj = g().parse("南京市鼓楼区", None);
        assert_eq!(nj.county.as_deref(), Some("320106"));
        assert!(!nj.ambiguous);
        let fz = g().parse("鼓楼区", Some("350102"));
        assert_eq!(fz.county.as_deref(), Some("350102"));
    }

    #[test]
    fn municipality_skips_the_placeholder_city() {
        let p = g().parse("北京市朝阳区", None);
        assert_eq!(p.county.as_deref(), Some("110105"));
        assert_eq!(g().full_name("110105"), "北京市朝阳区");
        assert_eq!(g().full_name("未知"), "");
        let s = g().suggest("长沙", 5);
        assert_eq!(s[0].code, "4301");
        assert!(g().suggest("", 5).is_empty());
        assert!(g().parse("不是地名", None).is_empty());
        assert!(g().parse("", None).is_empty());
    }

    #[test]
    fn suggestions_from_the_sorted_names_are_those_of_a_full_scan() {
        let g = g();
        let scan = |p: &str, limit: usize| {
            let mut found: Vec<&Division> = g
                .by_name
                .iter()
                .filter(|(name, _)| name.starts_with(p))
                .flat_map(|(_, ids)| ids.iter().map(|&i| &g.divisions[i]))
                .collect();
            found.sort_by(|a, b| a.level.cmp(&b.level).then(a.code.cmp(&b.code)));
            found.dedup_by(|a, b| a.code == b.code);
            found.truncate(limit);
            found
                .into_iter()
                .map(|d| d.code.clone())
                .collect::<Vec<_>>()
        };
        let mut tried = 0;
        for name in g.sorted_names.iter().step_by(97) {
            for len in [1, 2, 3] {
                let prefix: String = name.chars().take(len).collect();
                let got: Vec<String> = g
                    .suggest(&prefix, 20)
                    .iter()
                    .map(|d| d.code.clone())
                    .collect();
                assert_eq!(got, scan(&prefix, 20), "{prefix}");
                tried += 1;
            }
        }
        assert!(tried > 1000, "{tried} prefixes");
        assert!(
            g.suggest("長沙", 5).iter().any(|d| d.code == "4301"),
            "folded like the names"
        );
    }
}
