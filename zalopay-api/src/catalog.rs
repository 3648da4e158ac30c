//! Every operation this crate types, as data: the spec's operation id next to the consts of
//! its request type (method, host, path, encoding, MAC segments, key, parameters, signature).
//!
//! One list for tools (the CLI's `sign` and `operations`) and for the conformance test
//! against `specs/zalopay.openapi.json`. Each row is built from the type's own consts, so it
//! cannot drift from what the client sends.

use crate::endpoint::{Encoding, Endpoint, Host, MacSegment, Method, Param, SignatureScheme};
use crate::sign::KeyKind;
use crate::{agreement, banks, disbursement, hybrid, order, quickpay, refund, tokenization, zod};

/// One typed operation, described by its request type's consts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationInfo {
    /// The spec's `operationId` (`order.create`, `refund.query`, …).
    pub id: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Host family.
    pub host: Host,
    /// Path on the host.
    pub path: &'static str,
    /// Parameter encoding.
    pub encoding: Encoding,
    /// The key that signs.
    pub key: KeyKind,
    /// The documented MAC order.
    pub segments: &'static [MacSegment],
    /// The parameters sent on the wire (signature excluded).
    pub params: &'static [Param],
    /// The signature parameter's wire name (`mac`, `sig`).
    pub signature_param: &'static str,
    /// How the signature is made from the HMAC.
    pub scheme: SignatureScheme,
}

impl OperationInfo {
    /// The row for request type `T` under the spec id `id`.
    pub const fn of<T: Endpoint>(id: &'static str) -> Self {
        Self {
            id,
            method: T::METHOD,
            host: T::HOST,
            path: T::PATH,
            encoding: T::ENCODING,
            key: T::KEY,
            segments: T::MAC_SEGMENTS,
            params: T::PARAMS,
            signature_param: T::SIGNATURE_PARAM,
            scheme: T::SIGNATURE_SCHEME,
        }
    }

    /// The MAC input's shape as written in `specs/` and README: `app_id|app_trans_id|@key`,
    /// with `name?` for a segment dropped when absent and `name!` for a signed-only value.
    pub fn mac_template(&self) -> String {
        let parts: Vec<String> = self
            .segments
            .iter()
            .map(|segment| match segment {
                MacSegment::Field(name) => (*name).to_owned(),
                MacSegment::OmittedWhenAbsent(name) => format!("{name}?"),
                MacSegment::Unsent(name) => format!("{name}!"),
                MacSegment::Key => "@key".to_owned(),
            })
            .collect();
        parts.join("|")
    }
}

static OPERATIONS: [OperationInfo; 23] = [
    OperationInfo::of::<order::CreateOrder>("order.create"),
    OperationInfo::of::<order::QueryOrder>("order.query"),
    OperationInfo::of::<order::CancelOrder>("order.cancel"),
    OperationInfo::of::<refund::RefundOrder>("refund.create"),
    OperationInfo::of::<refund::QueryRefund>("refund.query"),
    OperationInfo::of::<banks::ListBanks>("banks.list"),
    OperationInfo::of::<quickpay::QuickPay>("quickpay.create"),
    OperationInfo::of::<agreement::AgreementBind>("agreement.bind"),
    OperationInfo::of::<agreement::AgreementQuery>("agreement.query"),
    OperationInfo::of::<agreement::AgreementUnbind>("agreement.unbind"),
    OperationInfo::of::<agreement::AgreementBalance>("agreement.balance"),
    OperationInfo::of::<agreement::AgreementPay>("agreement.pay"),
    OperationInfo::of::<agreement::AgreementQueryUser>("agreement.query_user"),
    OperationInfo::of::<tokenization::TokenizationBind>("tokenization.bind"),
    OperationInfo::of::<tokenization::TokenizationQuery>("tokenization.query"),
    OperationInfo::of::<hybrid::HybridPay>("hybrid.pay"),
    OperationInfo::of::<disbursement::DisbursementBalance>("disbursement.balance"),
    OperationInfo::of::<disbursement::DisbursementUser>("disbursement.user"),
    OperationInfo::of::<disbursement::DisbursementTopup>("disbursement.topup"),
    OperationInfo::of::<disbursement::DisbursementTxn>("disbursement.txn"),
    OperationInfo::of::<zod::ZodCreateInvoice>("zod.create"),
    OperationInfo::of::<zod::ZodQueryInvoice>("zod.invoice"),
    OperationInfo::of::<zod::ZodQueryStatus>("zod.status"),
];

/// Every typed operation, one row per spec `operationId`.
pub fn operations() -> &'static [OperationInfo] {
    &OPERATIONS
}

/// The operation with this spec id, if typed.
pub fn find(id: &str) -> Option<&'static OperationInfo> {
    OPERATIONS.iter().find(|op| op.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_findable() {
        let mut ids: Vec<&str> = operations().iter().map(|op| op.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), operations().len());
        let create = find("order.create").unwrap();
        assert_eq!(create.path, "/v2/create");
        assert_eq!(
            create.mac_template(),
            "app_id|app_trans_id|app_user|amount|app_time|embed_data|item"
        );
        assert!(find("nope").is_none());
    }
}
