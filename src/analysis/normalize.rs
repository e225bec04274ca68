//! The text normalisation shared by indexing, queries and comparators:
//! width folding, lowercasing and traditional→simplified, one char for one char.

use super::simplify::to_simplified;
use super::width::fold_width_char;

/// Normalised text plus, for each of its chars, the byte offset of that char in the original.
#[derive(Debug, Clone)]
pub struct NormalizedText {
    pub text: String,
    /// `offsets[k]` is the original byte offset of char `k`; one extra entry holds the length.
    pub offsets: Vec<usize>,
}

fn fold_char(c: char) -> char {
    let c = fold_width_char(c);
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// Normalises `s` and keeps the char → original byte offset map.
pub fn normalize_with_offsets(s: &str) -> NormalizedText {
    let mut folded = String::with_capacity(s.len());
    let mut offsets = Vec::with_capacity(s.len() + 1);
    for (i, c) in s.char_indices() {
        offsets.push(i);
        folded.push(fold_char(c));
    }
    offsets.push(s.len());
    NormalizedText {
        text: to_simplified(&folded),
        offsets,
    }
}

/// Normalises `s` (width, case, simplified).
pub fn normalize(s: &str) -> String {
    let folded: String = s.chars().map(fold_char).collect();
    to_simplified(&folded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_point_into_the_original() {
        let s = "Ａ會同縣１號";
        let n = normalize_with_offsets(s);
        assert_eq!(n.text, "a会同县1号");
        assert_eq!(n.offsets.len(), n.text.chars().count() + 1);
        assert_eq!(&s[n.offsets[1]..n.offsets[4]], "會同縣");
        assert_eq!(*n.offsets.last().unwrap(), s.len());
    }
}
