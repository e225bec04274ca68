//! Long runs of the property tests of `tests/it/properties.rs` (filled in next).

fn main() {}
