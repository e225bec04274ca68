//! Text analysis: width folding, traditional→simplified, the jieba tokenizer for tantivy,
//! normalisers for names, ID numbers and phones, and the gazetteer of administrative divisions.

mod bigrams;
mod gazetteer;
mod id_number;
mod name;
mod normalize;
mod objects;
mod phone;
mod profile;
mod segmenter;
mod simplify;
mod tokenizer;
mod width;

pub use bigrams::{WeightedBigrams, bigram_hash, distinct_bigrams, idf, says_repeated};
pub use gazetteer::{Division, Gazetteer, Level, Place};
pub use id_number::{IdNumber, check_char as id_check_char, mask_middle};
pub use name::{NameForm, PersonName};
pub use normalize::{NormalizedText, normalize, normalize_with_offsets};
pub use objects::{ObjectName, object_names};
pub use phone::{Phone, PhoneKind};
pub use profile::Profile;
pub use segmenter::{Segment, has_word, segment};
pub use simplify::{to_simplified, to_traditional};
pub use tokenizer::{ChineseTokenizer, TokenizerMode, analyze, analyze_terms, analyze_words};
pub use width::{fold_width, fold_width_char};
