//! The CLI's error: one line for stderr.

use std::fmt;

/// Why a command failed, as one line for stderr (never containing a key).
#[derive(Debug)]
pub struct CliError(String);

impl CliError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.0
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
                Self(error.to_string())
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
);

impl From<serde_json::Error> for CliError {
    fn from(error: serde_json::Error) -> Self {
        Self(format!("invalid JSON: {error}"))
    }
}
