//! `zalopay callback verify` and `zalopay redirect verify`: what the merchant receives.

use std::io::Read as _;

use serde_json::json;
use zalopay_api::callback::{Callback, verify_callback};
use zalopay_api::redirect::verify_redirect;

use super::output::print_json;
use crate::CliError;
use crate::args::GlobalArgs;
use crate::credentials::Credentials;

pub(super) fn callback_verify(global: &GlobalArgs) -> Result<(), CliError> {
    let creds = Credentials::from_args(global);
    let keys = creds.verify_keys()?;
    let mut body = Vec::new();
    std::io::stdin()
        .lock()
        .take(zalopay_api::callback::MAX_BODY_BYTES as u64 + 1)
        .read_to_end(&mut body)?;
    let callback = verify_callback(&keys, creds.app_id, &body)?;
    let value = match callback {
        Callback::Payment(payment) => json!({ "type": 1, "payment": payment }),
        Callback::Agreement(a) => json!({
            "type": 2,
            "agreement": {
                "status": a.status.code(),
                "pay_token": a.pay_token,
                "binding_id": a.binding_id,
                "app_trans_id": a.app_trans_id,
                "app_id": a.app_id,
                "merchant_user_id": a.merchant_user_id,
                "zp_user_id": a.zp_user_id,
                "masked_user_phone": a.masked_user_phone,
                "server_time": a.server_time,
                "msg_type": a.msg_type,
            }
        }),
        _ => return Err(CliError::new("callback of a kind this CLI does not know")),
    };
    print_json(&value)
}

pub(super) fn redirect_verify(global: &GlobalArgs, query: &str) -> Result<(), CliError> {
    let keys = Credentials::from_args(global).verify_keys()?;
    // Accept a whole URL too.
    let query = query.split_once('?').map_or(query, |(_, q)| q);
    let redirect = verify_redirect(&keys, query)?;
    print_json(&json!({
        "app_id": redirect.app_id,
        "app_trans_id": redirect.app_trans_id,
        "pmcid": redirect.pmcid,
        "bank_code": redirect.bank_code,
        "amount": redirect.amount,
        "discount_amount": redirect.discount_amount,
        "status": redirect.status,
        "looks_successful": redirect.looks_successful(),
        "note": "a redirect is only a hint: confirm with `order query` or the callback",
    }))
}
