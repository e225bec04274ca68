//! `BigramTokenizer`: every overlapping pair of characters of the normalised text (width,
//! case, simplified), positioned by character, so that any literal string of two or more
//! characters is a phrase of bigrams, whatever jieba made of it (截止日 inside 截止日期).
//! Pairs holding whitespace are left out; queries skip them the same way and keep the gap.

use crate::analysis::normalize_with_offsets;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

#[derive(Debug, Clone, Copy, Default)]
pub struct BigramTokenizer;

/// The bigrams of `text`: (bigram, character position, original byte range).
pub fn bigrams(text: &str) -> Vec<(String, usize, std::ops::Range<usize>)> {
    let norm = normalize_with_offsets(text);
    let chars: Vec<char> = norm.text.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    for i in 0..chars.len().saturating_sub(1) {
        let (a, b) = (chars[i], chars[i + 1]);
        if a.is_whitespace() || b.is_whitespace() {
            continue;
        }
        let mut gram = String::with_capacity(8);
        gram.push(a);
        gram.push(b);
        // the normaliser maps one char to one char; guard anyway against a shorter map
        let from = norm.offsets.get(i).copied().unwrap_or(text.len());
        let to = norm.offsets.get(i + 2).copied().unwrap_or(text.len());
        out.push((gram, i, from..to));
    }
    out
}

pub struct BigramStream {
    tokens: Vec<Token>,
    index: usize,
    empty: Token,
}

impl TokenStream for BigramStream {
    fn advance(&mut self) -> bool {
        if self.index < self.tokens.len() {
            self.index += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        match self.index.checked_sub(1) {
            Some(i) => &self.tokens[i],
            None => &self.empty,
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        match self.index.checked_sub(1) {
            Some(i) => &mut self.tokens[i],
            None => &mut self.empty,
        }
    }
}

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = BigramStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BigramStream {
        let tokens = bigrams(text)
            .into_iter()
            .map(|(text, position, range)| Token {
                offset_from: range.start,
                offset_to: range.end,
                position,
                text,
                position_length: 1,
            })
            .collect();
        BigramStream {
            tokens,
            index: 0,
            empty: Token::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_pairs_of_the_normalised_text() {
        let g: Vec<(String, usize)> = bigrams("截止日期，ＡＢ")
            .into_iter()
            .map(|(t, p, _)| (t, p))
            .collect();
        let want = [
            ("截止", 0),
            ("止日", 1),
            ("日期", 2),
            ("期,", 3),
            (",a", 4),
            ("ab", 5),
        ];
        assert_eq!(g.len(), want.len());
        for ((t, p), (wt, wp)) in g.iter().zip(want) {
            assert_eq!((t.as_str(), *p), (wt, wp));
        }
    }

    #[test]
    fn traditional_folds_and_offsets_point_into_the_original() {
        let s = "會同縣 擾民";
        let g = bigrams(s);
        assert_eq!(g[0].0, "会同");
        assert_eq!(&s[g[0].2.clone()], "會同");
        // the pairs around the space are left out; positions keep counting
        assert!(g.iter().all(|(t, _, _)| !t.contains(' ')));
        assert_eq!(g.last().map(|x| x.1), Some(4));
    }
}
