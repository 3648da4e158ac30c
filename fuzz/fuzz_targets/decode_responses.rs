//! `client::decode::<T>` for every response type the SDK has, on arbitrary bytes.
//!
//! Every body goes through all response types, taken from the SDK's one list of operations
//! (`for_each_operation!`), so a new operation is fuzzed without touching this file (the same
//! bytes are a plausible answer to any operation). Results and errors are then used the way an application would: the status
//! helpers are called and errors are rendered (`Display` runs the code tables).
//!
//! Invariants: no panic; an `Ok` is never a rejection (`rejection()` is `None`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use zalopay_api::agreement::*;
use zalopay_api::banks::ListBanksResponse;
use zalopay_api::client::decode;
use zalopay_api::disbursement::*;
use zalopay_api::order::*;
use zalopay_api::refund::*;
use zalopay_api::tokenization::*;
use zalopay_api::zod::*;
use zalopay_api::{Endpoint, Error, GatewayResponse};

const URL: &str = "https://sb-openapi.zalopay.vn/v2/fuzz";

fn run<T>(body: &[u8]) -> Option<T>
where
    T: serde::de::DeserializeOwned + GatewayResponse,
{
    match decode::<T>(URL, body) {
        Ok(value) => {
            assert!(
                value.rejection().is_none(),
                "decode returned a rejection as Ok"
            );
            Some(value)
        }
        Err(error) => {
            let _ = error.to_string();
            let _ = (error.is_transient(), error.may_have_been_sent());
            if let Error::Gateway(gateway) = &error {
                let _ = (gateway.code(), gateway.is_duplicate());
            }
            None
        }
    }
}

/// Decodes `body` as the response of every listed operation.
macro_rules! decode_as_every_answer {
    ($($request:ty),* $(,)?) => {
        |body: &[u8]| {
            $( run::<<$request as Endpoint>::Response>(body); )*
        }
    };
}

fuzz_target!(|body: &[u8]| {
    zalopay_api::for_each_operation!(decode_as_every_answer)(body);
    // The verdict helpers of the answers that have one, on top.
    if let Some(r) = run::<QueryOrderResponse>(body) {
        let _ = r.status();
    }
    if let Some(r) = run::<RefundOrderResponse>(body) {
        let _ = r.status();
    }
    if let Some(r) = run::<QueryRefundResponse>(body) {
        let _ = r.status();
    }
    if let Some(r) = run::<ListBanksResponse>(body) {
        for pmcid in [36, 38, 39, -1] {
            let _ = r.channel(pmcid).len();
        }
    }
    if let Some(r) = run::<AgreementQueryResponse>(body) {
        let _ = r.status();
    }
    if let Some(r) = run::<AgreementBalanceResponse>(body) {
        let _ = r.payable();
    }
    if let Some(r) = run::<AgreementPayResponse>(body) {
        let _ = r.status();
    }
    if let Some(r) = run::<TokenizationQueryResponse>(body) {
        let _ = r.status();
    }
    if let Some(r) = run::<DisbursementTopupResponse>(body) {
        let _ = r.status();
    }
    if let Some(r) = run::<DisbursementTxnResponse>(body) {
        let _ = r.status();
    }
    if let Some(r) = run::<ZodStatusResponse>(body) {
        let _ = r.status();
    }
});
