//! Long runs of the property tests of `tests/it/properties.rs` (the same strategies and
//! checks): `cargo bench --bench fuzz` prints, per target, the cases run and the seconds
//! taken, or the smallest failing input. FUZZ_CASES sets the cases per target (200,000);
//! workbook targets run a tenth of that (each case parses a zip). Without `--bench` (as
//! `cargo test --benches` runs it) it does nothing.

#[allow(dead_code, unused_imports)]
#[path = "../tests/it/properties.rs"]
mod properties;

use properties::{check, inputs};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::cell::Cell;
use std::time::Instant;

/// Runs one property for `cases` cases and prints what happened.
fn run<S: Strategy>(
    name: &str,
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) -> bool {
    let config = Config {
        cases,
        failure_persistence: None,
        // filters (blank fields, unmasked names) reject a few inputs per thousand cases
        max_local_rejects: u32::MAX,
        max_global_rejects: u32::MAX,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    // counted, not taken from the config: the cases that really ran (shrinking included)
    let ran = Cell::new(0u64);
    let start = Instant::now();
    let result = runner.run(&strategy, |v| {
        ran.set(ran.get() + 1);
        test(v)
    });
    let secs = start.elapsed().as_secs_f64();
    let ran = ran.get();
    match result {
        Ok(()) => {
            println!("{name:<44} {ran:>9} cases {secs:>9.1} s");
            true
        }
        Err(e) => {
            println!("{name:<44} FAILED after {ran} cases, {secs:.1} s: {e}");
            false
        }
    }
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let n: u32 = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let book = (n / 10).max(1);
    let started = Instant::now();
    let results = [
        run("jsonl_lines", n, inputs::jsonl_file(), check::jsonl_lines),
        run("jsonl_bytes", n, inputs::bytes(), check::jsonl_lines),
        run(
            "jsonl_round_trip",
            n,
            vec(inputs::case(), 0..4),
            check::jsonl_round_trip,
        ),
        run("csv_bytes", n, inputs::bytes(), check::csv_bytes),
        run(
            "csv_round_trip",
            n,
            inputs::csv_rows(),
            check::csv_round_trip,
        ),
        run("xlsx_bytes", book, inputs::bytes(), check::xlsx_bytes),
        run("xlsx_damaged", book, inputs::damage(), check::xlsx_damaged),
        run("date_any", n, inputs::text(), check::date_any),
        run("date_forms", n, inputs::dated(), check::date_forms),
        run(
            "date_bound_whole_day (known bug)",
            n,
            inputs::dated(),
            check::date_bound_whole_day,
        ),
        run(
            "id_idempotent",
            n,
            prop_oneof![inputs::text(), inputs::id_like()],
            check::id_idempotent,
        ),
        run(
            "id_spellings",
            n,
            inputs::id_spelling(),
            check::id_spellings,
        ),
        run(
            "phone_idempotent",
            n,
            prop_oneof![inputs::text(), inputs::phone_like()],
            check::phone_idempotent,
        ),
        run(
            "mobile_spellings",
            n,
            inputs::mobile_spelling(),
            check::mobile_spellings,
        ),
        run(
            "mobile_glued_code_grouped (known bug)",
            n,
            inputs::glued_code_grouped_mobile(),
            check::mobile_spellings,
        ),
        run(
            "name_any",
            n,
            prop_oneof![inputs::text(), inputs::name_like()],
            check::name_any,
        ),
        run(
            "name_idempotent (known bug)",
            n,
            prop_oneof![inputs::text(), inputs::name_like()],
            check::name_idempotent,
        ),
        run(
            "masked_never_exact",
            n,
            inputs::masked_input(),
            check::masked_never_exact,
        ),
        run(
            "tokens_in_bounds",
            n,
            inputs::text(),
            check::tokens_in_bounds,
        ),
    ];
    let failed = results.iter().filter(|ok| !**ok).count();
    println!(
        "{} targets, {failed} failed, {:.1} s in all",
        results.len(),
        started.elapsed().as_secs_f64()
    );
}
