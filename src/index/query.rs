//! The search syntax and its tantivy query.
//!
//! ```text
//! 噪音 扰民            both (as words, or each as a literal string anywhere)
//! "截止日期前"          the literal string (character bigrams, positions)
//! 物业 -停车           without 停车
//! 噪音 OR 油烟          either
//! title:电梯           in the title only (also content:, location:)
//! handler:岳麓区住建局  the first handler, exact
//! ```
//!
//! A unit matches when its jieba words all occur (title, content or location) or when it
//! occurs as a literal string (bigram phrase): every string of two or more characters of a
//! stored text finds its case. A word match outranks a literal-only match (a fixed score
//! tier), so 截止日 finds 截止日期 without pushing real word matches down. Synonyms from
//! `dictionaries/synonyms.txt` widen each word and each whole unit.

use super::bigram_tokenizer::bigrams;
use super::schema::CaseFields;
use crate::analysis::{analyze_terms, normalize};
use std::collections::HashMap;
use std::sync::LazyLock;
use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

/// A malformed query, with the character position where it goes wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("unclosed quote: the phrase starting at character {0} has no closing quote")]
    UnclosedQuote(usize),
    #[error("empty phrase \"\" at character {0}")]
    EmptyPhrase(usize),
    #[error("`-` at character {0} must be followed by a word (write -停车)")]
    DanglingMinus(usize),
    #[error("`OR` at character {0} needs a term on both sides (噪音 OR 油烟)")]
    DanglingOr(usize),
    #[error("a `-` exclusion cannot be part of an OR group (character {0})")]
    NegatedOr(usize),
    #[error(
        "unknown field `{field}:` at character {at}; the fields are title, content, location, handler"
    )]
    UnknownField { field: String, at: usize },
    #[error("`{field}:` at character {at} needs a value (title:电梯, handler:\"岳麓区住建局\")")]
    EmptyField { field: String, at: usize },
    #[error("a quote inside a word at character {0}; quote the whole phrase (\"...\")")]
    QuoteInWord(usize),
    #[error("parentheses at character {0} are not supported; use OR between terms")]
    Parenthesis(usize),
    #[error("the query excludes everything it names; add a word to look for")]
    OnlyExclusions,
}

/// Where a text unit is looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    Title,
    Content,
    Location,
}

/// One term of the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unit {
    /// words (each may be a literal string too)
    Words { scope: Scope, text: String },
    /// a quoted literal string
    Phrase { scope: Scope, text: String },
    /// `handler:` exact
    Handler(String),
}

/// An OR group of units, or one excluded unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub negated: bool,
    pub any_of: Vec<Unit>,
}

/// A parsed query: every clause must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    pub clauses: Vec<Clause>,
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}'
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '＂')
}

/// A raw token: text, quoted or not, negated, field, position.
struct Raw {
    at: usize,
    negated: bool,
    field: Option<String>,
    quoted: bool,
    text: String,
}

fn lex(q: &str) -> Result<Vec<Raw>, QueryError> {
    let chars: Vec<char> = q.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < chars.len() {
        if is_space(chars[i]) {
            i += 1;
            continue;
        }
        let (raw, next) = token(&chars, i)?;
        out.push(raw);
        i = next;
    }
    Ok(out)
}

/// The token starting at `at` (not a space), and the position after it.
fn token(chars: &[char], at: usize) -> Result<(Raw, usize), QueryError> {
    let mut i = at;
    let mut negated = false;
    if matches!(chars[i], '-' | '－') {
        negated = true;
        i += 1;
        if i >= chars.len() || is_space(chars[i]) {
            return Err(QueryError::DanglingMinus(at));
        }
    }
    let (field, i) = field_prefix(chars, at, i)?;
    if matches!(chars[i], '(' | ')') {
        return Err(QueryError::Parenthesis(i));
    }
    let quoted = is_quote(chars[i]);
    let (text, end) = if quoted {
        quoted_text(chars, i)?
    } else {
        bare_text(chars, i)?
    };
    Ok((
        Raw {
            at,
            negated,
            field,
            quoted,
            text,
        },
        end,
    ))
}

/// A field prefix at `i` (ASCII letters then a colon), lower-cased, and the position after
/// it (`i` when there is none); `at` is the token's start, for the error.
fn field_prefix(
    chars: &[char],
    at: usize,
    i: usize,
) -> Result<(Option<String>, usize), QueryError> {
    let mut j = i;
    while j < chars.len() && chars[j].is_ascii_alphabetic() {
        j += 1;
    }
    if j > i && j < chars.len() && matches!(chars[j], ':' | '：') {
        let field = chars[i..j].iter().collect::<String>().to_ascii_lowercase();
        let next = j + 1;
        if next >= chars.len() || is_space(chars[next]) {
            return Err(QueryError::EmptyField { field, at });
        }
        return Ok((Some(field), next));
    }
    Ok((None, i))
}

/// The phrase whose opening quote is at `start`, and the position after its closing quote.
fn quoted_text(chars: &[char], start: usize) -> Result<(String, usize), QueryError> {
    let mut i = start + 1;
    let mut text = String::new();
    while i < chars.len() && !is_quote(chars[i]) {
        text.push(chars[i]);
        i += 1;
    }
    if i >= chars.len() {
        return Err(QueryError::UnclosedQuote(start));
    }
    i += 1;
    if text.trim().is_empty() {
        return Err(QueryError::EmptyPhrase(start));
    }
    if i < chars.len() && !is_space(chars[i]) {
        return Err(QueryError::QuoteInWord(i));
    }
    Ok((text, i))
}

/// The unquoted text from `i` to the next space, and the position after it.
fn bare_text(chars: &[char], mut i: usize) -> Result<(String, usize), QueryError> {
    let mut text = String::new();
    while i < chars.len() && !is_space(chars[i]) {
        if is_quote(chars[i]) {
            return Err(QueryError::QuoteInWord(i));
        }
        if matches!(chars[i], '(' | ')') {
            return Err(QueryError::Parenthesis(i));
        }
        text.push(chars[i]);
        i += 1;
    }
    Ok((text, i))
}

fn unit_of(raw: Raw) -> Result<Unit, QueryError> {
    let scope = match raw.field.as_deref() {
        None => Scope::All,
        Some("title") => Scope::Title,
        Some("content") => Scope::Content,
        Some("location") => Scope::Location,
        Some("handler") => return Ok(Unit::Handler(raw.text.trim().to_string())),
        Some(other) => {
            return Err(QueryError::UnknownField {
                field: other.to_string(),
                at: raw.at,
            });
        }
    };
    Ok(if raw.quoted {
        Unit::Phrase {
            scope,
            text: raw.text,
        }
    } else {
        Unit::Words {
            scope,
            text: raw.text,
        }
    })
}

impl ParsedQuery {
    /// Parses the syntax; a malformed query is an error, never a guess.
    pub fn parse(q: &str) -> Result<ParsedQuery, QueryError> {
        let raws = lex(q)?;
        let mut clauses: Vec<Clause> = Vec::new();
        let mut pending_or: Option<usize> = None;
        for raw in raws {
            let is_or = !raw.quoted && !raw.negated && raw.field.is_none() && raw.text == "OR";
            if is_or {
                if pending_or.is_some() || clauses.is_empty() {
                    return Err(QueryError::DanglingOr(raw.at));
                }
                if clauses.last().is_some_and(|c| c.negated) {
                    return Err(QueryError::NegatedOr(raw.at));
                }
                pending_or = Some(raw.at);
                continue;
            }
            let is_and = !raw.quoted && !raw.negated && raw.field.is_none() && raw.text == "AND";
            if is_and && pending_or.is_none() && !clauses.is_empty() {
                continue;
            }
            let (at, negated) = (raw.at, raw.negated);
            let unit = unit_of(raw)?;
            if pending_or.take().is_some() {
                if negated {
                    return Err(QueryError::NegatedOr(at));
                }
                if let Some(last) = clauses.last_mut() {
                    last.any_of.push(unit);
                }
            } else {
                clauses.push(Clause {
                    negated,
                    any_of: vec![unit],
                });
            }
        }
        if let Some(at) = pending_or {
            return Err(QueryError::DanglingOr(at));
        }
        if !clauses.is_empty() && clauses.iter().all(|c| c.negated) {
            return Err(QueryError::OnlyExclusions);
        }
        Ok(ParsedQuery { clauses })
    }

    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    /// Whether some clause looks for text (not only filters).
    pub fn has_text(&self) -> bool {
        self.clauses
            .iter()
            .any(|c| !c.negated && c.any_of.iter().any(|u| !matches!(u, Unit::Handler(_))))
    }

    /// The positive words (with synonyms) and literal strings, for highlights.
    pub fn highlight_terms(&self) -> (Vec<String>, Vec<String>) {
        let mut words = Vec::new();
        let mut literals = Vec::new();
        for c in self.clauses.iter().filter(|c| !c.negated) {
            for u in &c.any_of {
                match u {
                    Unit::Words { text, .. } => {
                        for w in analyze_terms(text) {
                            words.extend(synonyms_of(&w));
                            words.push(w);
                        }
                        literals.push(normalize(text));
                        literals.extend(synonyms_of(&normalize(text)));
                    }
                    Unit::Phrase { text, .. } => literals.push(normalize(text)),
                    Unit::Handler(_) => {}
                }
            }
        }
        (words, literals)
    }
}

/// How the clauses are weighed: the ranking choices the relevance benchmark compares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranking {
    /// boost of a title word match over a content one
    pub title_boost: f32,
    pub location_boost: f32,
    /// boost of the literal (bigram phrase) clause
    pub bigram_weight: f32,
    /// word matches rank first: a long term's cases holding all its words get this added;
    /// a short term's word BM25 is multiplied by it (one pass over the postings), far above
    /// what its literal string scores
    pub word_tier: f32,
    /// match literal strings at all (off: words only, as before bigrams)
    pub literals: bool,
    /// share of a long term's words (`LONG_TERM_WORDS` or more) that must occur: 1.0 all of
    /// them; less lets a pasted title or sentence find cases that word it differently
    pub min_word_share: f32,
    /// how many of the first stage's best hits the second stage reorders (0: none)
    pub rerank_depth: usize,
    /// second stage: weight of the idf-weighted text similarity of query and narrative
    pub rerank_text: f32,
    /// second stage: weight of the first stage's score (scaled to 0..=1 over the hits)
    pub rerank_first: f32,
    /// second stage: added when query and narrative name one specific object
    pub rerank_objects: f32,
    /// second stage keeps the word tiers (word matches before literal-only ones)
    pub rerank_tiers: bool,
    /// a long term also matches cases holding one of its rare bigrams: those in at most
    /// this share of the cases (0: off); a retold narrative keeps the estate's or company's
    /// name, not the title's words
    pub rare_bigram_share: f32,
}

/// A term of this many query words or more is long (a pasted title or sentence): it needs
/// only `min_word_share` of them.
pub const LONG_TERM_WORDS: usize = 4;

impl Default for Ranking {
    fn default() -> Self {
        Ranking {
            title_boost: 2.0,
            location_boost: 1.0,
            bigram_weight: 0.3,
            word_tier: 1000.0,
            literals: true,
            min_word_share: 0.5,
            rerank_depth: 200,
            rerank_text: 1.0,
            rerank_first: 1.0,
            rerank_objects: 0.3,
            rerank_tiers: false,
            rare_bigram_share: 0.01,
        }
    }
}

/// `物业 物管` lines: each word finds the others.
const SYNONYMS_TXT: &str = include_str!("../../dictionaries/synonyms.txt");

static SYNONYMS: LazyLock<HashMap<String, Vec<String>>> = LazyLock::new(|| {
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for line in SYNONYMS_TXT.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let group: Vec<String> = line.split_whitespace().map(normalize).collect();
        if group.len() < 2 {
            continue;
        }
        for w in &group {
            let e = map.entry(w.clone()).or_default();
            for other in &group {
                if other != w && !e.contains(other) {
                    e.push(other.clone());
                }
            }
        }
    }
    map
});

/// The other words of a normalised word's synonym groups.
pub fn synonyms_of(word: &str) -> Vec<String> {
    SYNONYMS.get(word).cloned().unwrap_or_default()
}

fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn any(clauses: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    match clauses.len() {
        0 => Box::new(EmptyQuery),
        1 => clauses
            .into_iter()
            .next()
            .unwrap_or_else(|| Box::new(EmptyQuery)),
        _ => Box::new(BooleanQuery::new(
            clauses.into_iter().map(|c| (Occur::Should, c)).collect(),
        )),
    }
}

fn all(clauses: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    match clauses.len() {
        1 => clauses
            .into_iter()
            .next()
            .unwrap_or_else(|| Box::new(EmptyQuery)),
        _ => Box::new(BooleanQuery::new(
            clauses.into_iter().map(|c| (Occur::Must, c)).collect(),
        )),
    }
}

/// The literal string as a bigram phrase in `field`; `None` under two characters.
///
/// Every overlapping bigram is indexed at its character position, so every second bigram
/// (and the last) already pins every character: 维修基金 is 维修 at p and 基金 at p + 2.
/// Half the terms means half the position lists read.
pub fn literal_query(field: Field, text: &str) -> Option<Box<dyn Query>> {
    let grams = bigrams(text);
    match grams.len() {
        0 => None,
        1 => Some(term(field, &grams[0].0)),
        _ => {
            let first = grams[0].1;
            let mut covered = None;
            let mut terms = Vec::with_capacity(grams.len() / 2 + 1);
            let last = grams.len() - 1;
            for (i, (g, pos, _)) in grams.into_iter().enumerate() {
                // a bigram is needed when the one before it leaves a character uncovered
                // (a gap at whitespace included), and the last always
                if i == last || covered.is_none_or(|c| pos > c) {
                    covered = Some(pos + 1);
                    terms.push((pos - first, Term::from_field_text(field, &g)));
                }
            }
            Some(Box::new(PhraseQuery::new_with_offset(terms)))
        }
    }
}

/// A rare bigram is in at most `rare_bigram_share` of the cases, or this many in a small index.
const RARE_BIGRAM_MIN_DF: u64 = 20;

struct Builder<'a> {
    f: &'a CaseFields,
    rank: Ranking,
    /// document frequencies for the rare bigrams of long terms (none: not looked for)
    searcher: Option<&'a tantivy::Searcher>,
}

impl Builder<'_> {
    /// (word field, bigram field, boost) of a scope.
    fn fields(&self, scope: Scope) -> Vec<(Field, Field, f32)> {
        let f = self.f;
        let all = [
            (Scope::Title, f.title, f.title_bi, self.rank.title_boost),
            (Scope::Content, f.content, f.content_bi, 1.0),
            (
                Scope::Location,
                f.location,
                f.location_bi,
                self.rank.location_boost,
            ),
        ];
        all.into_iter()
            .filter(|(s, ..)| scope == Scope::All || *s == scope)
            .map(|(_, w, b, boost)| (w, b, boost))
            .collect()
    }

    /// One word (or any of its synonyms) in any field of the scope.
    fn word(&self, scope: Scope, w: &str) -> Box<dyn Query> {
        let mut alternatives = vec![w.to_string()];
        alternatives.extend(synonyms_of(w));
        let mut clauses = Vec::new();
        for (field, bi, boost) in self.fields(scope) {
            for (k, alt) in alternatives.iter().enumerate() {
                let q = term(field, alt);
                clauses.push(boosted(q, boost));
                // a multi-word synonym (违章建筑) may be two jieba words: its literal string
                if k > 0
                    && self.rank.literals
                    && let Some(l) = literal_query(bi, alt)
                {
                    clauses.push(boosted(l, boost));
                }
            }
        }
        any(clauses)
    }

    fn literal(&self, scope: Scope, text: &str) -> Option<Box<dyn Query>> {
        let clauses: Vec<Box<dyn Query>> = self
            .fields(scope)
            .into_iter()
            .filter_map(|(_, bi, boost)| literal_query(bi, text).map(|q| boosted(q, boost)))
            .collect();
        (!clauses.is_empty()).then(|| any(clauses))
    }

    /// Any of the rare bigrams of `text` in the scope's bigram fields.
    fn rare_bigrams(&self, scope: Scope, text: &str) -> Option<Box<dyn Query>> {
        let searcher = self.searcher?;
        if self.rank.rare_bigram_share <= 0.0 {
            return None;
        }
        let docs = searcher.num_docs();
        let cap =
            ((docs as f64 * f64::from(self.rank.rare_bigram_share)) as u64).max(RARE_BIGRAM_MIN_DF);
        let mut seen = std::collections::HashSet::new();
        let mut clauses = Vec::new();
        for (gram, _, _) in bigrams(text) {
            if !gram.chars().all(char::is_alphanumeric) || !seen.insert(gram.clone()) {
                continue;
            }
            for (_, bi, boost) in self.fields(scope) {
                let t = Term::from_field_text(bi, &gram);
                let df = searcher.doc_freq(&t).unwrap_or(0);
                if df > 0 && df <= cap {
                    let q: Box<dyn Query> =
                        Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs));
                    clauses.push(boosted(q, boost));
                }
            }
        }
        (!clauses.is_empty()).then(|| any(clauses))
    }

    /// Words all present, or the unit (or a synonym of it) as a literal string.
    fn words(&self, scope: Scope, text: &str) -> Box<dyn Query> {
        let words = analyze_terms(text);
        let word_qs: Vec<Box<dyn Query>> = words.iter().map(|w| self.word(scope, w)).collect();
        let n = word_qs.len();
        let need = if n >= LONG_TERM_WORDS && self.rank.min_word_share < 1.0 {
            ((self.rank.min_word_share.max(0.0) * n as f32).ceil() as usize).clamp(1, n)
        } else {
            n
        };
        // the tier goes to cases holding every word; a long term's share scores the rest
        let word_q = (n > 0).then(|| all(word_qs.iter().map(|q| q.box_clone()).collect()));
        let share_q: Option<Box<dyn Query>> = (need < n).then(|| {
            Box::new(BooleanQuery::union_with_minimum_required_clauses(
                word_qs, need,
            )) as Box<dyn Query>
        });
        let mut literals: Vec<Box<dyn Query>> = Vec::new();
        if self.rank.literals {
            let norm = normalize(text);
            for t in std::iter::once(norm.clone()).chain(synonyms_of(&norm)) {
                if let Some(q) = self.literal(scope, &t) {
                    literals.push(q);
                }
            }
        }
        let mut out: Vec<Box<dyn Query>> = Vec::new();
        if let Some(w) = word_q {
            match share_q {
                // a long term: the tier for all its words, BM25 for the share
                Some(share) => {
                    if self.rank.word_tier > 0.0 {
                        out.push(Box::new(ConstScoreQuery::new(w, self.rank.word_tier)));
                    }
                    out.push(share);
                }
                // the words' BM25 scaled far above any literal's: one pass over the postings
                // (a constant tier beside it would read them twice, and a wrapper would
                // hide the term scorers from tantivy's fast unions)
                None if self.rank.word_tier > 0.0 => out.push(boosted(w, self.rank.word_tier)),
                None => out.push(w),
            }
        }
        if !literals.is_empty() {
            out.push(boosted(any(literals), self.rank.bigram_weight));
        }
        if n >= LONG_TERM_WORDS
            && let Some(rare) = self.rare_bigrams(scope, text)
        {
            out.push(boosted(rare, self.rank.bigram_weight));
        }
        any(out)
    }

    fn phrase(&self, scope: Scope, text: &str) -> Box<dyn Query> {
        match self.literal(scope, text) {
            // a one-character phrase: the word
            None => self.words(scope, text),
            Some(l) => {
                // the literal decides; its words weigh the ranking
                let words: Vec<Box<dyn Query>> = analyze_terms(text)
                    .iter()
                    .map(|w| self.word(scope, w))
                    .collect();
                if words.is_empty() {
                    return l;
                }
                let mut clauses = vec![(Occur::Must, l)];
                clauses.extend(words.into_iter().map(|w| (Occur::Should, w)));
                Box::new(BooleanQuery::new(clauses))
            }
        }
    }

    fn unit(&self, u: &Unit) -> Box<dyn Query> {
        match u {
            Unit::Words { scope, text } => self.words(*scope, text),
            Unit::Phrase { scope, text } => self.phrase(*scope, text),
            Unit::Handler(h) => Box::new(ConstScoreQuery::new(term(self.f.handler, h), 0.0)),
        }
    }
}

fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON {
        q
    } else {
        Box::new(BoostQuery::new(q, boost))
    }
}

/// The query of a parsed query: every clause required (`any_clause`: at least one
/// positive clause, the fallback when nothing matches them all). With a searcher, long
/// terms also match their rare bigrams (see `Ranking::rare_bigram_share`).
pub fn build(
    f: &CaseFields,
    q: &ParsedQuery,
    rank: Ranking,
    any_clause: bool,
    searcher: Option<&tantivy::Searcher>,
) -> Box<dyn Query> {
    let b = Builder { f, rank, searcher };
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut positive = 0;
    for c in &q.clauses {
        let query = any(c.any_of.iter().map(|u| b.unit(u)).collect());
        if c.negated {
            clauses.push((Occur::MustNot, query));
        } else {
            positive += 1;
            clauses.push((
                if any_clause {
                    Occur::Should
                } else {
                    Occur::Must
                },
                query,
            ));
        }
    }
    if positive == 0 {
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }
    Box::new(BooleanQuery::new(clauses))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(scope: Scope, t: &str) -> Unit {
        Unit::Words {
            scope,
            text: t.into(),
        }
    }

    #[test]
    fn parses_the_documented_syntax() {
        let q = ParsedQuery::parse(
            r#"噪音 "截止 日期" -停车 油烟 OR 异味 title:电梯 handler:"岳麓区 住建局""#,
        )
        .unwrap();
        assert_eq!(q.clauses.len(), 6);
        assert_eq!(q.clauses[0].any_of, vec![words(Scope::All, "噪音")]);
        assert_eq!(
            q.clauses[1].any_of,
            vec![Unit::Phrase {
                scope: Scope::All,
                text: "截止 日期".into()
            }]
        );
        assert!(q.clauses[2].negated);
        assert_eq!(
            q.clauses[3].any_of,
            vec![words(Scope::All, "油烟"), words(Scope::All, "异味")]
        );
        assert_eq!(q.clauses[4].any_of, vec![words(Scope::Title, "电梯")]);
        assert_eq!(
            q.clauses[5].any_of,
            vec![Unit::Handler("岳麓区 住建局".into())]
        );
        let h = ParsedQuery::parse(r#"handler:"岳麓区 住建局""#).unwrap();
        assert_eq!(
            h.clauses[0].any_of,
            vec![Unit::Handler("岳麓区 住建局".into())]
        );
        // Chinese quotes and a full-width minus
        let zh = ParsedQuery::parse("“噪音扰民” －物业").unwrap();
        assert!(matches!(zh.clauses[0].any_of[0], Unit::Phrase { .. }));
        assert!(zh.clauses[1].negated);
        // text with a colon that is not a field prefix stays text
        assert_eq!(
            ParsedQuery::parse("12:30").unwrap().clauses[0].any_of,
            vec![words(Scope::All, "12:30")]
        );
    }

    #[test]
    fn malformed_queries_are_errors() {
        use QueryError::*;
        let cases = [
            (r#"噪音 "扰民"#, UnclosedQuote(3)),
            (r#""""#, EmptyPhrase(0)),
            ("噪音 -", DanglingMinus(3)),
            ("OR 噪音", DanglingOr(0)),
            ("噪音 OR", DanglingOr(3)),
            ("噪音 OR OR 油烟", DanglingOr(6)),
            ("噪音 OR -油烟", NegatedOr(6)),
            ("-噪音 OR 油烟", NegatedOr(4)),
            (
                "foo:bar",
                UnknownField {
                    field: "foo".into(),
                    at: 0,
                },
            ),
            (
                "title: 电梯",
                EmptyField {
                    field: "title".into(),
                    at: 0,
                },
            ),
            (r#"噪"音""#, QuoteInWord(1)),
            ("(噪音 OR 油烟)", Parenthesis(0)),
            ("-噪音", OnlyExclusions),
        ];
        for (q, want) in cases {
            assert_eq!(ParsedQuery::parse(q), Err(want), "{q}");
        }
        assert!(ParsedQuery::parse("").unwrap().is_empty());
        assert!(ParsedQuery::parse("噪音 or 油烟").unwrap().clauses.len() == 3);
    }

    #[test]
    fn synonyms_go_both_ways() {
        assert!(synonyms_of("物业").contains(&"物管".to_string()));
        assert!(synonyms_of("物管").contains(&"物业".to_string()));
        assert!(synonyms_of("欠薪").contains(&"拖欠工资".to_string()));
        assert!(synonyms_of("不在词表里").is_empty());
    }
}
