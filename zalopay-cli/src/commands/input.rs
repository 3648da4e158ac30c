//! Turning command-line values into typed ids and request fields.

use zalopay_api::JsonString;
use zalopay_api::clock::{Clock as _, SystemClock};
use zalopay_api::ids::{AppTransId, IdError};

use crate::CliError;
use crate::money::MoneyRequest;

pub(super) fn now_ms() -> i64 {
    SystemClock.now_ms()
}

pub(super) fn json_arg(flag: &str, text: &str) -> Result<JsonString, CliError> {
    JsonString::from_raw(text).map_err(|e| CliError::new(format!("--{flag} is not JSON: {e}")))
}

/// A typed id or token from the command line; a wrong shape is reported with its flag.
pub(super) fn id_arg<T: TryFrom<String, Error = IdError>>(
    flag: &str,
    text: String,
) -> Result<T, CliError> {
    T::try_from(text).map_err(|e| CliError::new(format!("--{flag}: {e}")))
}

/// The given `app_trans_id` (`true`: it may be a re-send), or a new one dated today in
/// Vietnam time.
pub(super) fn app_trans_id(given: Option<String>) -> Result<(AppTransId, bool), CliError> {
    match given {
        Some(id) => Ok((id_arg("app-trans-id", id)?, true)),
        None => Ok((AppTransId::random()?, false)),
    }
}

/// An order-like request (order create, hybrid, quick pay) under `id`.
pub(super) fn order_money(what: &'static str, id: &AppTransId, given: bool) -> MoneyRequest {
    MoneyRequest::new(
        what,
        "app_trans_id",
        "app-trans-id",
        id.as_str(),
        given,
        &["order", "query", id.as_str()],
    )
}
