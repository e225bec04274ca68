//! What batch dedupe keeps of a narrative: its distinct bigram keys in one boxed slice and
//! no weights. A bigram's weight is a function of its key alone (its idf over the batch),
//! so the weights are held once for the batch in a [`Vocabulary`], and a record's
//! [`TextSignature`] is rebuilt from the two when one of its pairs is scored: the same
//! keys, weights and order as a signature weighted in place, so the same scores bit for bit.

use crate::analysis::{
    ObjectName, WeightedBigrams, distinct_bigrams, idf, object_names, says_repeated,
};
use crate::matching::TextSignature;
use std::collections::HashMap;

/// A narrative's sorted distinct bigram keys, its object names, and whether it says it was
/// filed before.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Narrative {
    /// sorted distinct bigram hashes (their ranks in the vocabulary while dedupe scores)
    bigrams: Box<[u32]>,
    /// every reading of the object names mentioned, flattened: `key, group << 16 | n, n
    /// bigram keys` per reading (one allocation, not one per reading); dropped when the
    /// model does not weigh the object comparator
    objects: Box<[u32]>,
    pub says_repeated: bool,
}

impl Narrative {
    /// The narrative of normalised text (see `analysis::normalize`).
    pub fn of(normalized: &str) -> Narrative {
        Narrative {
            bigrams: distinct_bigrams(normalized)
                .into_iter()
                .map(|g| g.0)
                .collect(),
            objects: flatten(&object_names(normalized)),
            says_repeated: says_repeated(normalized),
        }
    }

    /// The hashed bigrams, sorted and distinct.
    pub fn bigrams(&self) -> &[u32] {
        &self.bigrams
    }

    pub fn len(&self) -> usize {
        self.bigrams.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bigrams.is_empty()
    }

    /// The signature with each bigram weighted by `weight(key)`.
    pub fn signature(&self, weight: impl Fn(u32) -> f32) -> TextSignature {
        TextSignature::from_weighted(WeightedBigrams {
            keys: self.bigrams.to_vec(),
            weights: self.bigrams.iter().map(|&h| weight(h)).collect(),
            objects: unflatten(&self.objects),
            says_repeated: self.says_repeated,
        })
    }

    /// Forgets the object names (a model whose object comparator weighs nothing).
    pub(super) fn drop_objects(&mut self) {
        self.objects = Box::default();
    }

    /// Replaces each key by its rank in `vocab` (every key must be in it); order is kept, as
    /// ranks follow the keys.
    pub(super) fn rank(&mut self, vocab: &Vocabulary) {
        for b in self.bigrams.iter_mut() {
            *b = vocab.keys.binary_search(b).unwrap_or(0) as u32;
        }
    }

    /// Back from ranks to keys.
    pub(super) fn unrank(&mut self, vocab: &Vocabulary) {
        for b in self.bigrams.iter_mut() {
            *b = vocab.keys.get(*b as usize).copied().unwrap_or(0);
        }
    }

    /// The signature of a ranked narrative, weighted by the batch.
    pub(super) fn ranked_signature(&self, vocab: &Vocabulary) -> TextSignature {
        let r = |i: u32| i as usize;
        TextSignature::from_weighted(WeightedBigrams {
            keys: self.bigrams.iter().map(|&i| vocab.keys[r(i)]).collect(),
            weights: self.bigrams.iter().map(|&i| vocab.weights[r(i)]).collect(),
            objects: unflatten(&self.objects),
            says_repeated: self.says_repeated,
        })
    }
}

fn flatten(objects: &[ObjectName]) -> Box<[u32]> {
    let mut out = Vec::with_capacity(objects.iter().map(|o| 2 + o.bigrams.len()).sum());
    for o in objects {
        out.push(o.key);
        let n = o.bigrams.len().min(0xffff) as u32;
        out.push(u32::from(o.group) << 16 | n);
        out.extend_from_slice(&o.bigrams);
    }
    out.into_boxed_slice()
}

fn unflatten(mut flat: &[u32]) -> Vec<ObjectName> {
    let mut out = Vec::new();
    while let [key, packed, rest @ ..] = flat {
        let n = ((*packed & 0xffff) as usize).min(rest.len());
        out.push(ObjectName {
            key: *key,
            bigrams: rest[..n].into(),
            group: (*packed >> 16) as u16,
        });
        flat = &rest[n..];
    }
    out
}

/// The batch's distinct bigram keys, sorted, with the idf weight of each.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    keys: Vec<u32>,
    weights: Vec<f32>,
    docs: u64,
}

impl Vocabulary {
    /// The vocabulary of `narratives`: each key weighted by its idf over them.
    pub fn of<'a>(narratives: impl Iterator<Item = &'a Narrative>) -> Vocabulary {
        let mut df: HashMap<u32, u32> = HashMap::new();
        let mut docs = 0u64;
        for n in narratives {
            docs += 1;
            for &h in n.bigrams() {
                *df.entry(h).or_default() += 1;
            }
        }
        let mut counts: Vec<(u32, u32)> = df.into_iter().collect();
        counts.sort_unstable();
        Vocabulary {
            keys: counts.iter().map(|c| c.0).collect(),
            weights: counts
                .iter()
                .map(|&(_, d)| idf(u64::from(d), docs))
                .collect(),
            docs,
        }
    }

    /// The weight of a bigram key (one no narrative has weighs as a bigram seen nowhere).
    pub fn weight(&self, key: u32) -> f32 {
        self.keys
            .binary_search(&key)
            .map_or_else(|_| idf(0, self.docs), |i| self.weights[i])
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::normalize;
    use crate::matching::{LevelName, text_similarity};

    const TEXTS: [&str; 4] = [
        "金桂苑小区的电梯坏了三个月没人修，老人上下楼很不方便，物业不管。",
        "我住在金桂苑小区，电梯一直停用，找物业多次没有结果，请帮忙解决。此事已反映多次。",
        "翠湖雅苑的电梯坏了三个月没人修，老人上下楼很不方便，物业不管。",
        "",
    ];

    #[test]
    fn ranked_signatures_are_those_weighted_in_place_and_keys_come_back() {
        let mut narratives: Vec<Narrative> =
            TEXTS.iter().map(|t| Narrative::of(&normalize(t))).collect();
        let before = narratives.clone();
        // the signatures as a signature weighted in place by the batch's df gives them
        let mut df: HashMap<u32, u64> = HashMap::new();
        for n in &narratives {
            for &h in n.bigrams() {
                *df.entry(h).or_default() += 1;
            }
        }
        let docs = narratives.len() as u64;
        let expected: Vec<TextSignature> = TEXTS
            .iter()
            .map(|t| {
                let mut s = TextSignature::of(&normalize(t));
                s.reweight(|h| idf(df[&h], docs));
                s
            })
            .collect();
        let vocab = Vocabulary::of(narratives.iter());
        assert_eq!(vocab.len(), df.len());
        narratives.iter_mut().for_each(|n| n.rank(&vocab));
        assert_ne!(narratives, before);
        let sig = |i: usize| narratives[i].ranked_signature(&vocab);
        assert_eq!(before[1].signature(|h| vocab.weight(h)), expected[1]);
        for (i, e) in expected.iter().enumerate() {
            assert_eq!(&sig(i), e);
            for (j, f) in expected.iter().enumerate() {
                let got = text_similarity(&sig(i), &sig(j));
                assert_eq!(got.to_bits(), text_similarity(e, f).to_bits());
            }
        }
        narratives.iter_mut().for_each(|n| n.unrank(&vocab));
        assert_eq!(narratives, before);
        assert!(narratives[1].says_repeated && !narratives[0].says_repeated);
    }

    #[test]
    fn a_signature_without_objects_names_none() {
        let mut a = Narrative::of(&normalize(TEXTS[0]));
        let b = Narrative::of(&normalize(TEXTS[1]));
        assert!(!a.objects.is_empty());
        let readings = object_names(&normalize(TEXTS[0]));
        assert!(readings.len() >= 2);
        assert_eq!(unflatten(&a.objects), readings);
        // every bigram rare: 金桂苑小区 is specific in both
        let (sa, sb) = (a.signature(|_| 9.0), b.signature(|_| 9.0));
        assert_eq!(sa.objects(&sb).name(), "same");
        let keys = a.bigrams().to_vec();
        a.drop_objects();
        assert_eq!(a.bigrams(), &keys[..]);
        assert_eq!(a.signature(|_| 9.0).objects(&sb).name(), "missing");
    }
}
