//! Compile-fail and must-compile cases for `#[derive(ZaloPayRequest)]`.
//!
//! The must-compile cases run on every compiler: code that compiles on the blessed toolchain
//! must compile on any other the crate supports. The compile-fail cases compare the
//! compiler's diagnostics with `.stderr` files blessed on rustc 1.95 (`TRYBUILD=overwrite
//! cargo test --test derive_ui`); other compilers word them differently, so only that
//! comparison is tied to 1.95 (ignored elsewhere, saying why).

#[test]
fn derive_ui_must_compile() {
    trybuild::TestCases::new().pass("tests/ui/pass/*.rs");
}

#[rustversion::attr(
    not(stable(1.95)),
    ignore = "ui .stderr files were blessed on rustc 1.95; run with that toolchain"
)]
#[test]
fn derive_ui_must_fail() {
    trybuild::TestCases::new().compile_fail("tests/ui/fail/*.rs");
}
