//! Tracker benchmarks (see BENCHMARKS.md).
fn main() {}
