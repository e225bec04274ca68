//! Highlighted snippets. Query words of two or more characters and literal strings (a bigram
//! match such as 截止日 inside 截止日期) are marked where they occur in the normalised text
//! (sub-words inside a word too: 处理 in 待处理), found by string search rather than by
//! segmenting each hit again; one-character words only where jieba makes them words.

use crate::analysis::{TokenizerMode, analyze, normalize_with_offsets};
use std::collections::HashSet;
use std::ops::Range;

/// A window of `text` around the densest run of matches, with the matched byte ranges
/// (relative to the window, merged, in order). `None` when nothing matches.
pub fn snippet(
    text: &str,
    terms: &HashSet<String>,
    literals: &[String],
    max_chars: usize,
) -> Option<(Range<usize>, Vec<Range<usize>>)> {
    // a word of two or more characters is marked wherever its string occurs (a sub-word
    // inside a longer word included): one scan of the normalised text, no segmentation
    let mut strings: Vec<String> = terms
        .iter()
        .filter(|t| t.chars().count() >= 2)
        .cloned()
        .collect();
    strings.extend(literals.iter().cloned());
    let mut hits = literal_ranges(text, &strings);
    // a one-character word only where jieba makes it a word (not inside every other word)
    if terms.iter().any(|t| t.chars().count() == 1) {
        hits.extend(
            analyze(text, TokenizerMode::Index)
                .into_iter()
                .filter(|t| t.text.chars().count() == 1 && terms.contains(&t.text))
                .map(|t| t.offset_from..t.offset_to),
        );
    }
    if hits.is_empty() {
        return None;
    }
    hits.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(hits.len());
    for r in hits {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    // char index of every byte offset we need
    let char_starts: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    let char_at = |byte: usize| char_starts.partition_point(|&b| b < byte);
    // the window of max_chars that starts at a match and holds the most matches
    let mut best = (0usize, 0usize);
    for (i, r) in merged.iter().enumerate() {
        let limit = char_at(r.start) + max_chars;
        let count = merged[i..]
            .iter()
            .take_while(|m| char_at(m.end) <= limit)
            .count();
        if count > best.1 {
            best = (i, count);
        }
    }
    let first = &merged[best.0];
    // start a little before the first match, on a char boundary
    let start_char = char_at(first.start).saturating_sub(max_chars / 8);
    let end_char = (start_char + max_chars).min(char_starts.len() - 1);
    let window = char_starts[start_char]..char_starts[end_char];
    let ranges = merged
        .into_iter()
        .filter(|m| m.start >= window.start && m.end <= window.end)
        .map(|m| m.start - window.start..m.end - window.start)
        .collect();
    Some((window, ranges))
}

/// Byte ranges of `text` where a normalised literal occurs (after width/traditional folding).
fn literal_ranges(text: &str, literals: &[String]) -> Vec<Range<usize>> {
    let literals: Vec<&String> = literals.iter().filter(|l| l.chars().count() >= 2).collect();
    if literals.is_empty() {
        return Vec::new();
    }
    let norm = normalize_with_offsets(text);
    // char index of each byte offset of the normalised text
    let starts: Vec<usize> = norm.text.char_indices().map(|(i, _)| i).collect();
    let char_of = |byte: usize| starts.partition_point(|&b| b < byte);
    let mut out = Vec::new();
    for lit in literals {
        for (at, _) in norm.text.match_indices(lit.as_str()) {
            let from = char_of(at);
            let to = from + lit.chars().count();
            if let (Some(&a), Some(&b)) = (norm.offsets.get(from), norm.offsets.get(to)) {
                out.push(a..b);
            }
        }
    }
    out
}

/// Wraps the ranges of `fragment` in `<em>` and escapes HTML.
pub fn to_html(fragment: &str, ranges: &[Range<usize>]) -> String {
    fn escape(s: &str, out: &mut String) {
        for c in s.chars() {
            match c {
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '&' => out.push_str("&amp;"),
                '"' => out.push_str("&quot;"),
                _ => out.push(c),
            }
        }
    }
    let mut out = String::with_capacity(fragment.len() + ranges.len() * 9);
    let mut last = 0;
    for r in ranges {
        escape(&fragment[last..r.start], &mut out);
        out.push_str("<em>");
        escape(&fragment[r.clone()], &mut out);
        out.push_str("</em>");
        last = r.end;
    }
    escape(&fragment[last..], &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(t: &[&str]) -> HashSet<String> {
        t.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn highlights_words_and_sub_words() {
        let text = "物业待处理的报修一直没人来，请尽快处理。";
        let (w, r) = snippet(text, &terms(&["处理"]), &[], 80).unwrap();
        let frag = &text[w];
        assert_eq!(r.len(), 2);
        for x in &r {
            assert_eq!(&frag[x.clone()], "处理");
        }
        assert_eq!(to_html(frag, &r).matches("<em>处理</em>").count(), 2);
    }

    #[test]
    fn window_stays_on_char_boundaries_and_within_text() {
        let text = "前言".repeat(100) + "噪音扰民" + &"后记".repeat(100);
        let (w, r) = snippet(&text, &terms(&["噪音"]), &[], 30).unwrap();
        let frag = &text[w.clone()];
        assert!(frag.chars().count() <= 30);
        assert_eq!(&frag[r[0].clone()], "噪音");
        assert!(snippet(&text, &terms(&["不存在"]), &[], 30).is_none());
        assert_eq!(to_html("a<b", &[]), "a&lt;b");
    }

    #[test]
    fn literal_strings_are_marked_in_the_original_text() {
        let text = "申報截止日期已過";
        let (w, r) = snippet(text, &terms(&[]), &["截止日".to_string()], 80).unwrap();
        let frag = &text[w];
        assert_eq!(r.len(), 1);
        assert_eq!(&frag[r[0].clone()], "截止日");
        let (w, r) = snippet(text, &terms(&[]), &["报截".to_string()], 80).unwrap();
        assert_eq!(&text[w][r[0].clone()], "報截");
    }
}
