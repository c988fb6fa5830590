//! The fuzz harness, shared by the cargo-fuzz targets (fuzz_targets/) and by the stable replay
//! of the committed corpus (tests/fuzz_corpus.rs, which includes harness.rs by path).
pub mod harness;
