//! Full-width → half-width folding (ＡＢＣ１２３ → ABC123, ideographic space → space).
//! One char in, one char out, so byte offsets can be mapped back.

/// Folds one full-width ASCII variant to its half-width form; other chars pass through.
pub fn fold_width_char(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Folds a whole string.
pub fn fold_width(s: &str) -> String {
    s.chars().map(fold_width_char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_full_width_ascii_only() {
        assert_eq!(fold_width("２０２３年ＡＢＣ，ｘ　１"), "2023年ABC,x 1");
        assert_eq!(fold_width("＋８６"), "+86");
        assert_eq!(fold_width("中文。"), "中文。");
        assert_eq!(fold_width(""), "");
    }
}
