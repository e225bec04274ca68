//! The jieba segmenter, built once per process with the user dictionary of
//! dictionaries/user_dict.txt (division names and complaint vocabulary).

use jieba_rs::Jieba;
use std::io::BufReader;
use std::sync::LazyLock;

const USER_DICT: &str = include_str!("../../dictionaries/user_dict.txt");

static JIEBA: LazyLock<Jieba> = LazyLock::new(|| {
    let mut jieba = Jieba::new();
    // comment lines would be read as words with an unparseable frequency
    let body: String = USER_DICT
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .flat_map(|l| [l, "\n"])
        .collect();
    // the bundled dictionary is checked by a unit test, so a failure here cannot go unnoticed
    let _ = jieba.load_dict(&mut BufReader::new(body.as_bytes()));
    jieba
});

/// One word of a segmentation, with char offsets into the segmented text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment<'a> {
    pub word: &'a str,
    pub char_start: usize,
    pub char_end: usize,
}

/// Segments normalised text (accurate mode with HMM for unknown words).
pub fn segment(text: &str) -> Vec<Segment<'_>> {
    JIEBA
        .cut(text, true)
        .into_iter()
        .map(|t| Segment {
            word: t.word,
            char_start: t.start,
            char_end: t.end,
        })
        .collect()
}

/// Whether the dictionary knows `word`.
pub fn has_word(word: &str) -> bool {
    JIEBA.has_word(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_dictionary_loads_with_frequencies() {
        let mut jieba = Jieba::empty();
        for (n, line) in USER_DICT.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut parts = line.split_whitespace();
            let word = parts.next().unwrap();
            let freq: usize = parts
                .next()
                .unwrap_or_else(|| panic!("line {} has no frequency", n + 1))
                .parse()
                .unwrap_or_else(|_| panic!("line {} frequency is not a number", n + 1));
            assert!(freq > 0, "line {} has frequency 0", n + 1);
            jieba.add_word(word, Some(freq), None);
        }
        assert!(has_word("炮团侗族苗族乡"));
        assert!(has_word("首办单位"));
    }

    #[test]
    fn division_names_stay_whole() {
        let words: Vec<&str> = segment("湖南省怀化市会同县炮团侗族苗族乡")
            .iter()
            .map(|s| s.word)
            .collect();
        assert!(words.contains(&"会同县"), "{words:?}");
        assert!(words.contains(&"炮团侗族苗族乡"), "{words:?}");
    }
}
