//! `ChineseTokenizer`: the one analyzer for indexing and queries, as a tantivy `Tokenizer`.
//!
//! normalise (width, case, simplified) → jieba → drop punctuation/space tokens. In index mode
//! the dictionary sub-words of a long word are emitted at the word's position too, so a search
//! for 处理 finds 待处理 and phrase queries over whole words still line up.
//! Offsets are bytes of the *original* text, so highlights cover the right characters.

use super::normalize::normalize_with_offsets;
use super::segmenter::{has_word, segment};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Tokens longer than this (in bytes) are dropped, as tantivy's RemoveLongFilter does.
const MAX_TOKEN_BYTES: usize = 64;

/// Whether sub-words are emitted (index) or only whole words (query).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenizerMode {
    Index,
    Query,
}

/// The Chinese analyzer. Cheap to clone: jieba and OpenCC are process-wide singletons.
#[derive(Debug, Clone)]
pub struct ChineseTokenizer {
    mode: TokenizerMode,
}

impl ChineseTokenizer {
    pub fn new(mode: TokenizerMode) -> Self {
        ChineseTokenizer { mode }
    }
}

fn is_word(w: &str) -> bool {
    w.chars().any(char::is_alphanumeric)
}

/// Runs the analyzer and returns the tokens (text, byte offsets into `text`, position).
pub fn analyze(text: &str, mode: TokenizerMode) -> Vec<Token> {
    let norm = normalize_with_offsets(text);
    let mut out = Vec::new();
    for (position, seg) in segment(&norm.text).into_iter().enumerate() {
        if !is_word(seg.word) || seg.word.len() > MAX_TOKEN_BYTES {
            continue;
        }
        let token = |from: usize, to: usize, text: &str| Token {
            offset_from: norm.offsets[from],
            offset_to: norm.offsets[to],
            position,
            text: text.to_string(),
            position_length: 1,
        };
        // the word first, then its sub-words by start: offsets never go backwards, which
        // tantivy's snippet generator relies on
        out.push(token(seg.char_start, seg.char_end, seg.word));
        let chars: Vec<(usize, char)> = seg.word.char_indices().collect();
        if mode == TokenizerMode::Index && chars.len() > 2 {
            for i in 0..chars.len() - 1 {
                for n in [2usize, 3] {
                    if i + n > chars.len() || n == chars.len() {
                        continue;
                    }
                    let from = chars[i].0;
                    let to = chars.get(i + n).map_or(seg.word.len(), |c| c.0);
                    let sub = &seg.word[from..to];
                    if has_word(sub) {
                        out.push(token(seg.char_start + i, seg.char_start + i + n, sub));
                    }
                }
            }
        }
    }
    out
}

/// The query-mode words of `text` (whole words, normalised), repeats kept.
pub fn analyze_words(text: &str) -> Vec<String> {
    analyze(text, TokenizerMode::Query)
        .into_iter()
        .map(|t| t.text)
        .collect()
}

/// The distinct query terms of `text`, in order of appearance.
pub fn analyze_terms(text: &str) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    analyze_words(text)
        .into_iter()
        .filter(|t| seen.insert(t.clone()))
        .collect()
}

/// Token stream over a precomputed token list.
pub struct ChineseTokenStream {
    tokens: Vec<Token>,
    index: usize,
    /// what `token()` shows before the first `advance()` or for an empty text
    empty: Token,
}

impl TokenStream for ChineseTokenStream {
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

impl Tokenizer for ChineseTokenizer {
    type TokenStream<'a> = ChineseTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ChineseTokenStream {
        ChineseTokenStream {
            tokens: analyze(text, self.mode),
            index: 0,
            empty: Token::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str, mode: TokenizerMode) -> Vec<String> {
        analyze(s, mode).into_iter().map(|t| t.text).collect()
    }

    fn assert_offsets_exact(s: &str) {
        for t in analyze(s, TokenizerMode::Index) {
            let orig = &s[t.offset_from..t.offset_to];
            assert_eq!(
                crate::analysis::normalize(orig),
                t.text,
                "token {:?} maps to {:?} in {s:?}",
                t.text,
                orig
            );
        }
    }

    #[test]
    fn traditional_input_gives_simplified_tokens() {
        let words = texts("會同縣噪音擾民", TokenizerMode::Query);
        assert!(words.contains(&"会同县".to_string()), "{words:?}");
        assert!(words.contains(&"噪音".to_string()), "{words:?}");
        assert_offsets_exact("會同縣噪音擾民，來電人訴求");
    }

    #[test]
    fn mixed_latin_and_digits() {
        let words = texts("小区ABC栋3号楼WiFi坏了", TokenizerMode::Query);
        assert!(words.contains(&"abc".to_string()), "{words:?}");
        assert!(words.contains(&"wifi".to_string()), "{words:?}");
        assert_offsets_exact("小区ABC栋3号楼WiFi坏了");
    }

    #[test]
    fn full_width_digits_fold_to_one_number() {
        let words = texts("欠薪２０２３元", TokenizerMode::Query);
        assert!(words.contains(&"2023".to_string()), "{words:?}");
        assert_offsets_exact("欠薪２０２３元，ＡＢＣ");
    }

    #[test]
    fn punctuation_only_and_empty_give_no_tokens() {
        assert!(analyze("，。！？……——", TokenizerMode::Index).is_empty());
        assert!(analyze("", TokenizerMode::Index).is_empty());
        assert!(analyze("   ", TokenizerMode::Index).is_empty());
    }

    #[test]
    fn emoji_do_not_break_offsets() {
        let s = "物业不作为😡😡请处理🙏";
        assert_offsets_exact(s);
        let words = texts(s, TokenizerMode::Query);
        assert!(words.contains(&"物业".to_string()), "{words:?}");
    }

    #[test]
    fn index_mode_adds_sub_words_at_the_word_position() {
        let toks = analyze("尚未处理完毕的待处理事项", TokenizerMode::Index);
        let whole = toks.iter().find(|t| t.text == "待处理");
        if let Some(whole) = whole {
            let sub = toks
                .iter()
                .find(|t| t.text == "处理" && t.position == whole.position)
                .expect("sub-word 处理 at the position of 待处理");
            assert!(sub.offset_from > whole.offset_from);
        } else {
            assert!(toks.iter().any(|t| t.text == "处理"));
        }
        let q = texts("待处理", TokenizerMode::Query);
        assert!(!q.contains(&"处理".to_string()) || q.len() > 1);
    }

    #[test]
    fn offsets_never_go_backwards() {
        let toks = analyze(
            "中华人民共和国待处理事项，请尽快处理完毕",
            TokenizerMode::Index,
        );
        for w in toks.windows(2) {
            assert!(
                w[1].offset_from >= w[0].offset_from,
                "{:?} then {:?}",
                w[0].text,
                w[1].text
            );
            assert!(w[1].position >= w[0].position);
        }
    }

    #[test]
    fn positions_count_punctuation_so_phrases_do_not_bridge_it() {
        let toks = analyze("噪音，扰民", TokenizerMode::Query);
        assert_eq!(toks.len(), 2);
        assert_eq!(toks[1].position - toks[0].position, 2);
    }

    #[test]
    fn token_stream_walks_all_tokens() {
        let mut tok = ChineseTokenizer::new(TokenizerMode::Query);
        let mut stream = tok.token_stream("噪音扰民");
        let mut seen = Vec::new();
        while stream.advance() {
            seen.push(stream.token().text.clone());
        }
        assert_eq!(seen, texts("噪音扰民", TokenizerMode::Query));
    }
}
