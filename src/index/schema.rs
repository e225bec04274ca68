//! The tantivy schema: analysed narrative fields, exact keys for filters and blocking, and the
//! stored record (case plus its normalised profile) as one JSON value.

use crate::analysis::{ChineseTokenizer, Profile, TokenizerMode};
use crate::model::Case;
use serde::{Deserialize, Serialize};
use tantivy::schema::{
    DateOptions, FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions,
};
use tantivy::{DateTime, Index, TantivyDocument};

pub const ZH_INDEX: &str = "zh";
pub const ZH_QUERY: &str = "zh_query";
/// Overlapping character bigrams of the normalised text, positioned by character.
pub const ZH_BIGRAM: &str = "zh_bigram";

/// What the index stores per case: the record as received and its normalised forms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredCase {
    pub case: Case,
    pub profile: Profile,
}

/// Field handles of the schema.
#[derive(Debug, Clone)]
pub struct CaseFields {
    pub id: Field,
    pub title: Field,
    pub content: Field,
    pub location: Field,
    pub channel: Field,
    pub platform: Field,
    pub category: Field,
    pub handler: Field,
    pub status: Field,
    pub received_at: Field,
    /// Division codes (province, city, county, town) of the matter's place.
    pub place: Field,
    /// the matter's county code as a number (fast field for per-county counts)
    pub county: Field,
    pub id_key: Field,
    pub phone_key: Field,
    /// `platform:account`: the poster's user id on its platform.
    pub account_key: Field,
    /// `county:name` for the matter's and the home county: name blocking within a county.
    pub name_place: Field,
    /// Distinct character bigrams of the narrative (formula phrases cut): their document
    /// frequencies weigh the text comparator.
    pub bigram: Field,
    /// Every overlapping character bigram of the title, content and location (positions
    /// are character offsets): any literal string of two or more characters is a phrase.
    pub title_bi: Field,
    pub content_bi: Field,
    pub location_bi: Field,
    /// The complainant's normalised full name (simplified; Latin names as `latin:…`).
    pub name_key: Field,
    /// A masked name on file (`张**`, `张*明`): the pattern.
    pub name_mask: Field,
    /// A masked phone on file (`157****5598`): `digits:head:tail` of its single masked run.
    pub phone_mask: Field,
    /// A masked ID number on file (`4301**********2329`): `18:head:tail` of its 18-char form.
    pub id_mask: Field,
    pub record: Field,
}

impl CaseFields {
    pub fn schema() -> (Schema, CaseFields) {
        let mut b = Schema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ZH_INDEX)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let bigrams = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ZH_BIGRAM)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let fields = CaseFields {
            id: b.add_text_field("id", STRING | STORED),
            title: b.add_text_field("title", text.clone()),
            content: b.add_text_field("content", text.clone()),
            location: b.add_text_field("location", text),
            // fast: facet counts per channel, category and handler
            channel: b.add_text_field("channel", STRING | FAST),
            platform: b.add_text_field("platform", STRING),
            category: b.add_text_field("category", STRING | FAST),
            handler: b.add_text_field("handler", STRING | FAST),
            status: b.add_text_field("status", STRING),
            received_at: b.add_date_field(
                "received_at",
                DateOptions::default().set_indexed().set_fast(),
            ),
            place: b.add_text_field("place", STRING),
            county: b.add_u64_field("county", FAST),
            id_key: b.add_text_field("id_key", STRING),
            phone_key: b.add_text_field("phone_key", STRING),
            name_place: b.add_text_field("name_place", STRING),
            account_key: b.add_text_field("account_key", STRING),
            bigram: b.add_text_field(
                "bigram",
                TextOptions::default().set_indexing_options(
                    TextFieldIndexing::default()
                        .set_tokenizer("raw")
                        .set_index_option(IndexRecordOption::Basic),
                ),
            ),
            title_bi: b.add_text_field("title_bi", bigrams.clone()),
            content_bi: b.add_text_field("content_bi", bigrams.clone()),
            location_bi: b.add_text_field("location_bi", bigrams),
            name_key: b.add_text_field("name_key", STRING),
            name_mask: b.add_text_field("name_mask", STRING),
            phone_mask: b.add_text_field("phone_mask", STRING),
            id_mask: b.add_text_field("id_mask", STRING),
            record: b.add_text_field("record", STORED),
        };
        (b.build(), fields)
    }

    /// Registers the Chinese analyzers on an index.
    pub fn register_tokenizers(index: &Index) {
        let tokenizers = index.tokenizers();
        tokenizers.register(ZH_INDEX, ChineseTokenizer::new(TokenizerMode::Index));
        tokenizers.register(ZH_QUERY, ChineseTokenizer::new(TokenizerMode::Query));
        tokenizers.register(ZH_BIGRAM, super::bigram_tokenizer::BigramTokenizer);
    }

    /// The tantivy document of a case.
    pub fn document(&self, stored: &StoredCase) -> serde_json::Result<TantivyDocument> {
        let case = &stored.case;
        let p = &stored.profile;
        let mut doc = TantivyDocument::default();
        doc.add_text(self.id, &case.id);
        for (field, value) in [
            (self.title_bi, &case.title),
            (self.content_bi, &case.content),
            (self.location_bi, &case.location),
        ] {
            if let Some(v) = value {
                doc.add_text(field, v);
            }
        }
        super::person::add_person_keys(self, p, &mut doc);
        let texts = [
            (self.title, &case.title),
            (self.content, &case.content),
            (self.location, &case.location),
            (self.channel, &case.channel),
            (self.platform, &case.platform),
            (self.category, &case.category),
            (self.handler, &case.handler),
        ];
        for (field, value) in texts {
            if let Some(v) = value {
                doc.add_text(field, v);
            }
        }
        if let Some(s) = case.status {
            doc.add_text(self.status, s.label());
        }
        if let Some(ts) = case.timestamp() {
            doc.add_date(self.received_at, DateTime::from_timestamp_secs(ts));
        }
        if let Some(c) = p
            .place
            .county
            .as_deref()
            .and_then(|c| c.parse::<u64>().ok())
        {
            doc.add_u64(self.county, c);
        }
        for code in p.place.codes() {
            doc.add_text(self.place, code);
        }
        if let Some(key) = p.id_key() {
            doc.add_text(self.id_key, key);
        }
        for key in p.phone_keys() {
            doc.add_text(self.phone_key, key);
        }
        for key in p.name_place_keys() {
            doc.add_text(self.name_place, &key);
        }
        if let Some(a) = &p.account {
            doc.add_text(self.account_key, a);
        }
        let mut gram = String::with_capacity(8);
        for (_, a, b) in crate::analysis::distinct_bigrams(&p.matter_text()) {
            gram.clear();
            gram.push(a);
            gram.push(b);
            doc.add_text(self.bigram, &gram);
        }
        doc.add_text(self.record, serde_json::to_string(stored)?);
        Ok(doc)
    }
}
