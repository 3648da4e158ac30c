//! The request log: the gateway API requests the emulator served (the latest
//! `EmulatorConfig::request_log_limit`), each with its operation id, the
//! merchant's id for it and when it started and finished on a monotonic real clock, so a test
//! can see (for instance) two queries of the same order that overlapped in time.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// One gateway API request (`GET /emulator/requests`, [`crate::EmulatorState::request_log`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RequestRecord {
    /// Arrival order, from 1.
    pub seq: u64,
    /// The operation id, as in the SDK's catalog (`order.query`, `refund.create`, …).
    pub operation: String,
    /// The app id the request named, when it could be read.
    pub app_id: Option<i64>,
    /// The merchant's id for the request (`app_trans_id`, `m_refund_id`,
    /// `partner_order_id`, `mcRefId`, …), when the operation has one and it was sent.
    pub merchant_id: Option<String>,
    /// When the request arrived: microseconds since the emulator started, on a monotonic
    /// real clock (not the emulator's test clock).
    pub started_us: u64,
    /// When its answer was ready (or the connection was dropped), same clock.
    pub finished_us: u64,
    /// HTTP status of the answer (0 when the connection was dropped instead).
    pub http_status: u16,
    /// `return_code` of the answer (`returncode` for the bank list), if it had one.
    pub return_code: Option<i64>,
    /// `sub_return_code` of the answer (`subreturncode`), if it had one.
    pub sub_return_code: Option<i64>,
    /// The fault injected, if any: `http_503`, `code_500`, `code_429`, `code_33`, ... (refused before
    /// processing) or `reset` (processed, then the connection dropped).
    pub fault: Option<String>,
}

impl RequestRecord {
    /// Whether the two requests were being served at the same time.
    pub fn overlaps(&self, other: &RequestRecord) -> bool {
        self.started_us < other.finished_us && other.started_us < self.finished_us
    }
}

/// The latest requests, at most `limit` (`None`: all), and how many older ones were dropped.
#[derive(Debug)]
pub(crate) struct RecentRequests {
    records: VecDeque<RequestRecord>,
    limit: Option<usize>,
    dropped: u64,
}

impl RecentRequests {
    pub(crate) fn new(limit: Option<usize>) -> Self {
        Self {
            records: VecDeque::new(),
            limit,
            dropped: 0,
        }
    }

    /// Keeps `record`, dropping the oldest when the log is full.
    pub(crate) fn push(&mut self, record: RequestRecord) {
        if self.limit == Some(0) {
            self.dropped = self.dropped.saturating_add(1);
            return;
        }
        if self.limit.is_some_and(|limit| self.records.len() >= limit) {
            self.records.pop_front();
            self.dropped = self.dropped.saturating_add(1);
        }
        self.records.push_back(record);
    }

    pub(crate) fn to_vec(&self) -> Vec<RequestRecord> {
        self.records.iter().cloned().collect()
    }

    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }

    pub(crate) fn dropped(&self) -> u64 {
        self.dropped
    }

    pub(crate) fn clear(&mut self) {
        self.records.clear();
        self.dropped = 0;
    }
}

/// A gateway API route: its operation id, and which parameters carry the app id and the
/// merchant's id for the request.
pub(crate) struct Operation {
    pub id: &'static str,
    pub merchant_id: &'static [&'static str],
}

/// The parameters that may name the app (`appid` in the bank list, `appId` in ZOD).
pub(crate) const APP_ID_FIELDS: &[&str] = &["app_id", "appid", "appId"];

/// The operation a gateway API path serves, or `None` for pages and test hooks.
pub(crate) fn operation(path: &str) -> Option<Operation> {
    const TRANS: &[&str] = &["app_trans_id"];
    let (id, merchant_id): (&'static str, &'static [&'static str]) = match path {
        "/v2/create" => ("order.create", TRANS),
        "/v2/query" => ("order.query", TRANS),
        "/v2/cancel" => ("order.cancel", TRANS),
        "/v2/refund" => ("refund.create", &["m_refund_id"]),
        "/v2/query_refund" => ("refund.query", &["m_refund_id"]),
        "/api/getlistmerchantbanks" => ("banks.list", &[]),
        "/v2/quick_pay" => ("quickpay.create", TRANS),
        "/v2/agreement/bind" => ("agreement.bind", TRANS),
        "/v2/agreement/query" => ("agreement.query", TRANS),
        "/v2/agreement/unbind" => ("agreement.unbind", &["binding_id"]),
        "/v2/agreement/balance" => ("agreement.balance", &[]),
        "/v2/agreement/pay" => ("agreement.pay", &["zp_trans_token"]),
        "/v2/agreement/query_user" => ("agreement.query_user", &[]),
        "/v2/agreement/hybrid" => ("hybrid.pay", TRANS),
        "/v2/tokenization/bind" => ("tokenization.bind", TRANS),
        "/v2/tokenization/query" => ("tokenization.query", TRANS),
        "/v2/disbursement/balance" => ("disbursement.balance", &["request_id"]),
        "/v2/disbursement/user" => ("disbursement.user", &["request_id"]),
        "/v2/disbursement/topup" => ("disbursement.topup", &["partner_order_id"]),
        "/v2/disbursement/txn" => ("disbursement.txn", &["partner_order_id"]),
        "/v2/zod" => ("zod.create", &["mcRefId", "mc_ref_id"]),
        "/v2/zod/invoice" => ("zod.invoice", &["mcRefId", "mc_ref_id"]),
        "/v2/zod/status" => ("zod.status", &["mcRefId", "mc_ref_id"]),
        _ => return None,
    };
    Some(Operation { id, merchant_id })
}
