//! Compile-fail and must-compile cases for `#[derive(ZaloPayRequest)]`.
//!
//! The `.stderr` files were blessed on rustc 1.95 (`TRYBUILD=overwrite cargo test --test
//! derive_ui`). Diagnostics are worded differently by other compilers, so on any other
//! toolchain this test is ignored and says why, rather than failing on wording.

#[rustversion::attr(
    not(stable(1.95)),
    ignore = "ui .stderr files were blessed on rustc 1.95; run with that toolchain"
)]
#[test]
fn derive_ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/fail/*.rs");
    cases.pass("tests/ui/pass/*.rs");
}
