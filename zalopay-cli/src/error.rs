//! The CLI's error: one line for stderr.

use std::fmt;

/// The exit code of a command stopped by Ctrl-C (`order query --wait`): 128 + SIGINT, as
/// shells report it.
pub const EXIT_INTERRUPTED: u8 = 130;

/// `--wait` / `--verdict`: the payment, refund or top-up failed (the gateway's final no).
pub const EXIT_FAILED: u8 = 3;
/// `--wait` / `--verdict`: the order was cancelled.
pub const EXIT_CANCELLED: u8 = 4;
/// `--wait` / `--verdict`: the order expired unpaid.
pub const EXIT_EXPIRED: u8 = 5;
/// `--wait` / `--verdict`: ZaloPay does not know the id (yet); not a failure.
pub const EXIT_NOT_FOUND: u8 = 6;
/// `--wait` / `--verdict`: not final (still processing, pending, or waiting gave up).
pub const EXIT_NOT_FINAL: u8 = 7;
/// A request that moves money may have reached ZaloPay, but its answer was lost: query it or
/// re-send the same request (the message says how).
pub const EXIT_MAY_HAVE_BEEN_SENT: u8 = 8;
/// A re-send was answered as a duplicate: the first request got through; nothing was done
/// twice (the message says how to query it).
pub const EXIT_DUPLICATE: u8 = 9;

/// `tracker backlog`: work is stuck (a due query or a pending event older than the limit).
pub const EXIT_STUCK: u8 = 10;

/// Why a command failed, as one line for stderr (never containing a key), and the process's
/// exit code (1 unless said otherwise).
#[derive(Debug)]
pub struct CliError(String, u8);

impl CliError {
    /// An error with this message (exit code 1).
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into(), 1)
    }

    /// The same error with another exit code.
    #[must_use]
    pub fn with_exit_code(self, code: u8) -> Self {
        Self(self.0, code)
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.0
    }

    /// The exit code the binary ends with.
    pub fn exit_code(&self) -> u8 {
        self.1
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One line, whatever the source said.
        f.write_str(&self.0.replace('\n', " "))
    }
}

impl std::error::Error for CliError {}

macro_rules! from_display {
    ($($ty:ty),* $(,)?) => {$(
        impl From<$ty> for CliError {
            fn from(error: $ty) -> Self {
                Self::new(error.to_string())
            }
        }
    )*};
}

from_display!(
    zalopay_api::Error,
    zalopay_api::KeyError,
    zalopay_api::ids::IdError,
    zalopay_api::callback::CallbackError,
    zalopay_api::redirect::RedirectError,
    std::io::Error,
    zalopay_tracker::StoreError,
    zalopay_tracker::TrackerError,
);

impl From<serde_json::Error> for CliError {
    fn from(error: serde_json::Error) -> Self {
        Self::new(format!("invalid JSON: {error}"))
    }
}
