//! Clustering scored pairs without chaining.
//!
//! Connected components over edges above a threshold would merge a whole housing estate
//! through single weak links. Here clusters merge in order of their strongest link, but only
//! when the *average* of all observed scores between the two clusters clears the threshold
//! (average linkage over the sparse candidate graph): one good link cannot outvote the many
//! poor ones between two otherwise unrelated groups. The average may fall short of the
//! threshold by a set slack: the links between the two ends of a matter that runs for years
//! are each a little weaker (the time gap), and without slack such a matter breaks into one
//! group per season. Must-link pairs are merged first; cannot-link pairs are never put in one
//! cluster.

use std::collections::{HashMap, HashSet};

/// A scored pair of nodes.
#[derive(Debug, Clone, Copy)]
pub struct Edge {
    pub a: u32,
    pub b: u32,
    pub score: f32,
}

/// Pairs decided by a person: always together, or never.
#[derive(Debug, Clone, Default)]
pub struct Constraints {
    pub must_link: Vec<(u32, u32)>,
    pub cannot_link: Vec<(u32, u32)>,
}

/// Scores are clamped so one extreme pair does not dominate an average.
const SCORE_LIMIT: f32 = 30.0;

struct Clusters {
    parent: Vec<u32>,
    /// per root: neighbouring root → (sum of scores, count)
    links: Vec<HashMap<u32, (f64, u32)>>,
    /// per root: nodes it must never share a cluster with
    cannot: Vec<HashSet<u32>>,
}

impl Clusters {
    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }

    fn forbidden(&mut self, ra: u32, rb: u32) -> bool {
        let (small, other) = if self.cannot[ra as usize].len() <= self.cannot[rb as usize].len() {
            (ra, rb)
        } else {
            (rb, ra)
        };
        let partners: Vec<u32> = self.cannot[small as usize].iter().copied().collect();
        partners.into_iter().any(|p| self.find(p) == other)
    }

    fn merge(&mut self, ra: u32, rb: u32) {
        let (big, small) = if self.links[ra as usize].len() >= self.links[rb as usize].len() {
            (ra, rb)
        } else {
            (rb, ra)
        };
        let moved = std::mem::take(&mut self.links[small as usize]);
        self.links[big as usize].remove(&small);
        for (other, (sum, count)) in moved {
            if other == big {
                continue;
            }
            let e = self.links[big as usize].entry(other).or_insert((0.0, 0));
            e.0 += sum;
            e.1 += count;
            let back = &mut self.links[other as usize];
            back.remove(&small);
            let e = back.entry(big).or_insert((0.0, 0));
            e.0 += sum;
            e.1 += count;
        }
        let cannot = std::mem::take(&mut self.cannot[small as usize]);
        self.cannot[big as usize].extend(cannot);
        self.parent[small as usize] = big;
    }
}

/// When two clusters merge: their strongest link at or above `threshold`, and the average of
/// all their observed links at or above `threshold - slack`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Linkage {
    pub threshold: f32,
    pub slack: f32,
}

impl Linkage {
    /// Plain average linkage: the average must clear the threshold itself.
    pub fn strict(threshold: f32) -> Linkage {
        Linkage {
            threshold,
            slack: 0.0,
        }
    }
}

/// Clusters `n` nodes; returns each node's cluster as the index of one of its members.
pub fn cluster(n: usize, edges: &[Edge], linkage: Linkage, constraints: &Constraints) -> Vec<u32> {
    let threshold = linkage.threshold;
    let floor = f64::from(threshold) - f64::from(linkage.slack.max(0.0));
    let mut c = Clusters {
        parent: (0..n as u32).collect(),
        links: vec![HashMap::new(); n],
        cannot: vec![HashSet::new(); n],
    };
    // merges only ever happen inside components of the positive (and must-link) graph, so
    // links between components are never read: leave them out and save the memory
    let mut reach = Clusters {
        parent: (0..n as u32).collect(),
        links: Vec::new(),
        cannot: Vec::new(),
    };
    let positive = edges
        .iter()
        .filter(|e| e.score >= threshold)
        .map(|e| (e.a, e.b));
    for (a, b) in positive.chain(constraints.must_link.iter().copied()) {
        if (a as usize) < n && (b as usize) < n {
            let (ra, rb) = (reach.find(a), reach.find(b));
            if ra != rb {
                reach.parent[ra as usize] = rb;
            }
        }
    }
    for e in edges {
        if e.a == e.b
            || e.a as usize >= n
            || e.b as usize >= n
            || reach.find(e.a) != reach.find(e.b)
        {
            continue;
        }
        let s = f64::from(e.score.clamp(-SCORE_LIMIT, SCORE_LIMIT));
        for (x, y) in [(e.a, e.b), (e.b, e.a)] {
            let l = c.links[x as usize].entry(y).or_insert((0.0, 0));
            l.0 += s;
            l.1 += 1;
        }
    }
    for &(a, b) in &constraints.cannot_link {
        if (a as usize) < n && (b as usize) < n {
            c.cannot[a as usize].insert(b);
            c.cannot[b as usize].insert(a);
        }
    }
    for &(a, b) in &constraints.must_link {
        if (a as usize) < n && (b as usize) < n {
            let (ra, rb) = (c.find(a), c.find(b));
            if ra != rb {
                c.merge(ra, rb);
            }
        }
    }
    let mut order: Vec<&Edge> = edges.iter().filter(|e| e.score >= threshold).collect();
    order.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    for e in order {
        if e.a as usize >= n || e.b as usize >= n {
            continue;
        }
        let (ra, rb) = (c.find(e.a), c.find(e.b));
        if ra == rb {
            continue;
        }
        let Some(&(sum, count)) = c.links[ra as usize].get(&rb) else {
            continue;
        };
        if (sum / f64::from(count)) < floor || c.forbidden(ra, rb) {
            continue;
        }
        c.merge(ra, rb);
    }
    (0..n as u32).map(|x| c.find(x)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(a: u32, b: u32, score: f32) -> Edge {
        Edge { a, b, score }
    }

    fn same(labels: &[u32], a: usize, b: usize) -> bool {
        labels[a] == labels[b]
    }

    #[test]
    fn strong_links_merge() {
        let l = cluster(
            4,
            &[e(0, 1, 10.0), e(1, 2, 8.0), e(0, 2, 9.0)],
            Linkage::strict(0.0),
            &Constraints::default(),
        );
        assert!(same(&l, 0, 1) && same(&l, 1, 2));
        assert!(!same(&l, 0, 3));
    }

    /// two tight groups {0,1,2} and {3,4,5} and the given links between them
    fn two_groups(across: &[Edge]) -> Vec<Edge> {
        let mut edges: Vec<Edge> = [(0, 1), (0, 2), (1, 2), (3, 4), (3, 5), (4, 5)]
            .iter()
            .map(|&(a, b)| e(a, b, 10.0))
            .collect();
        edges.extend_from_slice(across);
        edges
    }

    #[test]
    fn one_weak_link_does_not_chain_two_groups() {
        // one weak positive link 2-3, the other observed links between the groups negative
        let edges = two_groups(&[e(2, 3, 0.5), e(1, 3, -8.0), e(2, 4, -8.0), e(0, 5, -8.0)]);
        let l = cluster(6, &edges, Linkage::strict(0.0), &Constraints::default());
        assert!(same(&l, 0, 2) && same(&l, 3, 5));
        assert!(!same(&l, 2, 3), "single linkage would chain here");
        // connected components at the same threshold would have merged everything
    }

    /// two seasons of one matter: tight inside, links across a little below the threshold
    /// (each loses a few bits to the gap), one across clearly above it
    fn two_seasons(across: f32) -> Vec<Edge> {
        two_groups(&[
            e(2, 3, 2.0),
            e(0, 3, across),
            e(1, 4, across),
            e(2, 5, across),
        ])
    }

    #[test]
    fn slack_keeps_a_long_matter_together_but_not_strangers() {
        let slack = Linkage {
            threshold: 0.0,
            slack: 3.0,
        };
        // average across: (2 - 2 - 2 - 2) / 4 = -1: apart when strict, one matter with slack
        let l = cluster(
            6,
            &two_seasons(-2.0),
            Linkage::strict(0.0),
            &Constraints::default(),
        );
        assert!(!same(&l, 2, 3));
        let l = cluster(6, &two_seasons(-2.0), slack, &Constraints::default());
        assert!(same(&l, 0, 5));
        // average across (2 - 3·8) / 4 = -5.5: beyond the slack, two groups stay two
        let l = cluster(6, &two_seasons(-8.0), slack, &Constraints::default());
        assert!(same(&l, 0, 2) && same(&l, 3, 5) && !same(&l, 2, 3));
    }

    #[test]
    fn constraints_are_honoured() {
        let edges = [e(0, 1, 10.0), e(1, 2, 10.0), e(0, 2, 10.0)];
        let c = Constraints {
            must_link: vec![(3, 4)],
            cannot_link: vec![(0, 2)],
        };
        let l = cluster(5, &edges, Linkage::strict(0.0), &c);
        assert!(same(&l, 3, 4));
        assert!(!same(&l, 0, 2));
    }
}
