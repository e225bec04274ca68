//! Analysis throughput: the Chinese tokenizer (normalise + jieba) and the profile
//! (names, IDs, phones, gazetteer), in MB/s of narrative text.

use casematch::analysis::{ChineseTokenizer, Profile, TokenizerMode};
use casematch::synth::{Generator, GeneratorConfig};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tantivy::tokenizer::{TokenStream, Tokenizer};

fn bench(c: &mut Criterion) {
    let cases: Vec<_> = Generator::new(GeneratorConfig::default())
        .take(2000)
        .map(|r| r.case)
        .collect();
    let texts: Vec<String> = cases.iter().map(|c| c.narrative()).collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut g = c.benchmark_group("analysis");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    g.bench_function("tokenize_index_mode", |b| {
        let mut tok = ChineseTokenizer::new(TokenizerMode::Index);
        b.iter(|| {
            let mut n = 0usize;
            for t in &texts {
                let mut s = tok.token_stream(t);
                while s.advance() {
                    n += 1;
                }
            }
            n
        })
    });
    g.bench_function("profile", |b| {
        b.iter(|| cases.iter().map(Profile::of).count())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
