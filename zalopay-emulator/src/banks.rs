//! The merchant's bank list (`/api/getlistmerchantbanks`), in the old field style.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::checks::authenticate;
use crate::state::EmulatorState;
use crate::wire::{ApiError, Params, Seg};

/// `POST /api/getlistmerchantbanks` (old field style: `appid`, `reqtime`; `returncode`).
/// Refusals come back as `returncode` 2 with the usual sub code in `subreturncode`.
pub(crate) async fn bank_list(
    State(state): State<EmulatorState>,
    params: Result<Params, ApiError>,
) -> Json<Value> {
    let outcome = params.and_then(|params| {
        authenticate(
            &state,
            &params,
            "appid",
            "mac",
            &["reqtime"],
            &[Seg::F("appid"), Seg::F("reqtime")],
        )?;
        // Unix ms as decimal text, as the sample clients send it.
        params.required_i64("reqtime").map(|_| ())
    });
    Json(match outcome {
        Ok(()) => json!({
            "returncode": 1,
            "returnmessage": "",
            "banks": banks(),
        }),
        Err(error) => json!({
            "returncode": error.return_code,
            "returnmessage": error.message,
            "subreturncode": error.sub_return_code,
        }),
    })
}

fn banks() -> Value {
    fn bank(code: &str, name: &str, order: i32, pmcid: i32, min: i64, max: i64) -> Value {
        json!({
            "bankcode": code, "name": name, "displayorder": order, "pmcid": pmcid,
            "minamount": min, "maxamount": max,
        })
    }
    json!({
        "36": [bank("CC", "Visa/Master/JCB", 0, 36, 1000, 100_000_000)],
        "37": [
            bank("VCB", "Vietcombank", 0, 37, 10_000, 100_000_000),
            bank("TCB", "Techcombank", 1, 37, 10_000, 100_000_000),
        ],
        "38": [bank("zalopayapp", "ZaloPay", 0, 38, 1000, 100_000_000)],
        "39": [
            bank("VTB", "Vietinbank", 0, 39, 10_000, 50_000_000),
            bank("VCB", "Vietcombank", 1, 39, 10_000, 50_000_000),
            bank("BIDV", "BIDV", 2, 39, 10_000, 50_000_000),
            bank("SCB", "Sacombank", 3, 39, 10_000, 50_000_000),
        ],
    })
}
