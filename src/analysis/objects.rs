//! Names of the specific objects a narrative is about: the estate, village, company, road,
//! school or project before one of the endings in `dictionaries/objects.txt`. Two
//! petitions about one matter name one object; two petitions written from one template
//! about two villages do not, however alike the rest of their words.
//!
//! Each name is read in its last two, three and four characters before the ending (金桂苑小区
//! gives 桂苑小区, 金桂苑小区 and, through 苑, 金桂苑), so that a name written longer in one
//! text and shorter in the other still meets. Whether a name is specific is decided later
//! from the collection: by the rarity of its rarest bigram.

use super::bigrams::bigram_hash;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::sync::LazyLock;

const OBJECTS_TXT: &str = include_str!("../../dictionaries/objects.txt");

/// Characters of a name before its ending, at most.
const MAX_NAME: usize = 4;

static ENDINGS: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    let endings: Vec<&str> = OBJECTS_TXT
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .build(endings)
        .ok()
});

/// One reading of an object name: its key and the keys of its bigrams.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectName {
    pub key: u32,
    pub bigrams: Box<[u32]>,
    /// which object of the text this reading names: readings of one mention, of mentions
    /// written one after the other (金桂苑小区 through 苑 and 小区) and of mentions sharing a
    /// reading (one name written twice) have one group; groups are numbered from 0 in the
    /// order of their first mention
    pub group: u16,
}

fn name_key(chars: &[char]) -> u32 {
    // FNV-1a over the characters, folded to 32 bits
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &c in chars {
        h ^= u64::from(c as u32);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h ^ (h >> 32)) as u32
}

/// The object names of normalised text (see `analysis::normalize`), sorted by key and
/// distinct.
pub fn object_names(normalized: &str) -> Vec<ObjectName> {
    let Some(endings) = ENDINGS.as_ref() else {
        return Vec::new();
    };
    let mut out: Vec<ObjectName> = Vec::new();
    // the group of each mention, as a union-find forest over mention numbers
    let mut parent: Vec<usize> = Vec::new();
    // an ending right after another (新湾村村委会, 金桂苑小区) reads a name only with at least
    // two characters before the first ending: 湾村村 would join any two X湾村
    let mut previous: Option<(usize, usize)> = None;
    for m in endings.find_iter(normalized) {
        let mention = parent.len();
        if mention >= usize::from(u16::MAX) {
            break;
        }
        let min_k = match previous {
            Some((end, len)) if end == m.start() => {
                // one name written through two endings: one object
                parent.push(mention - 1);
                len + 2
            }
            _ => {
                parent.push(mention);
                2
            }
        };
        previous = Some((m.end(), normalized[m.start()..m.end()].chars().count()));
        let before = &normalized[..m.start()];
        let mut prefix: Vec<char> = before
            .chars()
            .rev()
            .take_while(|c| c.is_alphanumeric())
            .take(MAX_NAME)
            .collect();
        prefix.reverse();
        let ending: Vec<char> = normalized[m.start()..m.end()].chars().collect();
        for k in min_k..=prefix.len() {
            let mut name: Vec<char> = prefix[prefix.len() - k..].to_vec();
            name.extend_from_slice(&ending);
            let bigrams: Box<[u32]> = name.windows(2).map(|w| bigram_hash(w[0], w[1])).collect();
            out.push(ObjectName {
                key: name_key(&name),
                bigrams,
                group: u16::try_from(mention).unwrap_or(u16::MAX),
            });
        }
    }
    out.sort_unstable_by_key(|o| (o.key, o.group));
    // one reading in two mentions joins them
    for w in out.windows(2) {
        if w[0].key == w[1].key {
            union(
                &mut parent,
                usize::from(w[0].group),
                usize::from(w[1].group),
            );
        }
    }
    out.dedup_by_key(|o| o.key);
    // groups numbered in the order of their first mention
    let mut number: Vec<Option<u16>> = vec![None; parent.len()];
    let mut next: u16 = 0;
    for mention in 0..parent.len() {
        let r = root(&mut parent, mention);
        if let Some(slot @ None) = number.get_mut(r) {
            *slot = Some(next);
            next = next.saturating_add(1);
        }
    }
    for o in &mut out {
        let r = root(&mut parent, usize::from(o.group));
        o.group = number.get(r).copied().flatten().unwrap_or(u16::MAX);
    }
    out
}

fn root(parent: &mut [usize], mut i: usize) -> usize {
    while let Some(&p) = parent.get(i) {
        if p == i {
            break;
        }
        // path halving
        let grand = parent.get(p).copied().unwrap_or(p);
        parent[i] = grand;
        i = grand;
    }
    i
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (root(parent, a), root(parent, b));
    if ra != rb {
        let (lo, hi) = (ra.min(rb), ra.max(rb));
        parent[hi] = lo;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::normalize;

    fn keys(text: &str) -> Vec<u32> {
        object_names(&normalize(text))
            .iter()
            .map(|o| o.key)
            .collect()
    }

    #[test]
    fn a_name_written_longer_or_shorter_still_meets() {
        let long = keys("我是金桂苑小区的业主，小区电梯坏了");
        let short = keys("金桂苑的电梯三个月没人修");
        assert!(long.iter().any(|k| short.contains(k)), "{long:?} {short:?}");
    }

    #[test]
    fn two_villages_of_one_template_name_two_villages() {
        let key = |s: &str| name_key(&s.chars().collect::<Vec<char>>());
        let a = keys("多吉新湾村村委会多年没有公开村级财务");
        let b = keys("株林东湾村村委会多年没有公开村级财务");
        assert!(
            a.contains(&key("吉新湾村")) && !b.contains(&key("吉新湾村")),
            "{a:?}"
        );
        assert!(
            b.contains(&key("林东湾村")) && !a.contains(&key("林东湾村")),
            "{b:?}"
        );
    }

    #[test]
    fn readings_of_one_object_share_a_group_and_other_objects_do_not() {
        let names = object_names(&normalize(
            "我住在翠湖花园，楼下的华信瑜伽馆很吵，华信瑜伽馆每天放音乐，金桂苑小区也受影响",
        ));
        let group = |s: &str| {
            let key = name_key(&s.chars().collect::<Vec<char>>());
            names.iter().find(|o| o.key == key).map(|o| o.group)
        };
        let (estate, gym) = (group("在翠湖"), group("华信瑜伽馆"));
        assert_eq!(estate, group("在翠湖花园"));
        let (garden, garden_estate) = (group("金桂苑"), group("金桂苑小区"));
        assert!(
            estate.is_some() && gym.is_some() && garden.is_some(),
            "{names:?}"
        );
        assert_ne!(estate, gym);
        assert_ne!(gym, garden);
        // written through two endings (苑, 小区): one object
        assert_eq!(garden, garden_estate);
        let mut groups: Vec<u16> = names.iter().map(|o| o.group).collect();
        groups.sort_unstable();
        groups.dedup();
        assert_eq!(groups, vec![0, 1, 2], "numbered by first mention");
        assert_eq!((estate, gym, garden), (Some(0), Some(1), Some(2)));
    }

    #[test]
    fn text_without_an_ending_names_nothing() {
        assert!(keys("我的工资被拖欠了三个月").is_empty());
        assert!(keys("").is_empty());
    }
}
