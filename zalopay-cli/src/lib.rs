//! `zalopay`: the ZaloPay gateway from the command line.
//!
//! Every subcommand is a thin layer over `zalopay-api`: the request types sign and encode,
//! the client sends, and the gateway's JSON answer is printed as received. `zalopay demo` runs
//! the local emulator with a small merchant shop ([`demo`]); tests start the same demo
//! in-process through [`demo::start`].

// Code reachable from user input never unwraps, expects or panics; tests may.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod args;
pub mod commands;
pub mod credentials;
pub mod demo;
pub mod error;
pub mod money;
pub mod signing;
pub mod verdict;

pub use args::Cli;
pub use commands::run;
pub use error::CliError;
