//! Every operation this crate types, as data: the spec's operation id next to the consts of
//! its request type (method, host, path, encoding, MAC segments, key, parameters, signature).
//!
//! One list for tools (the CLI's `sign`, `call` and `operations`) and for the conformance
//! test against `specs/zalopay.openapi.json`. Each row is built from the type's own consts,
//! the operation id and confidence included (`#[endpoint(id = ..., confidence = ...)]`), so it
//! cannot drift from what the client sends.

use crate::endpoint::{
    Confidence, Encoding, Host, MacSegment, Method, Operation, Param, RetryClass, SignatureScheme,
};
use crate::sign::KeyKind;

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
    /// Whether the client may repeat the request after a transient failure.
    pub retry: RetryClass,
    /// How sure the path and MAC are; below `C2`, try it in the sandbox first.
    pub confidence: Confidence,
    /// The parameter a client fills with its app id when none is given.
    pub app_id_param: Option<&'static str>,
    /// The parameter a client fills with the time of sending when none is given.
    pub time_param: Option<&'static str>,
}

impl OperationInfo {
    /// The row for request type `T`, as its annotation declares it.
    pub const fn of<T: Operation>() -> Self {
        Self {
            id: T::ID,
            method: T::METHOD,
            host: T::HOST,
            path: T::PATH,
            encoding: T::ENCODING,
            key: T::KEY,
            segments: T::MAC_SEGMENTS,
            params: T::PARAMS,
            signature_param: T::SIGNATURE_PARAM,
            scheme: T::SIGNATURE_SCHEME,
            retry: T::RETRY,
            confidence: T::CONFIDENCE,
            app_id_param: T::APP_ID_PARAM,
            time_param: T::TIME_PARAM,
        }
    }

    /// The request this operation sends for wire-named `values` (client-filled ones
    /// included) and `signature`, against `base` (the host's URL): the parameters in the
    /// type's order (absent optional ones left out), then the signature. In a JSON body an
    /// integer parameter is a number and a structured one a JSON value, as the typed client
    /// sends them. For tools (`zalopay call`); typed code uses [`Client::prepare`].
    ///
    /// [`Client::prepare`]: crate::Client::prepare
    pub fn prepare(
        &self,
        values: &std::collections::BTreeMap<String, String>,
        signature: &str,
        base: &str,
    ) -> Result<crate::client::PreparedRequest, crate::Error> {
        use crate::client::PreparedRequest;
        use crate::endpoint::ParamKind;
        let present = self
            .params
            .iter()
            .filter_map(|p| values.get(p.name).map(|v| (p, v.as_str())));
        let url = format!("{base}{}", self.path);
        let encode = |e: &dyn std::fmt::Display| crate::Error::Encode(e.to_string());
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        Ok(match self.encoding {
            Encoding::Json => {
                let mut body = serde_json::Map::new();
                for (param, text) in present {
                    let value = match param.kind {
                        ParamKind::Integer => match text.parse::<i64>() {
                            Ok(n) => serde_json::Value::from(n),
                            Err(_) => {
                                return Err(crate::Error::InvalidField {
                                    field: param.name,
                                    reason: format!("is a whole number, got `{text}`"),
                                });
                            }
                        },
                        ParamKind::Structured => serde_json::from_str(text)
                            .unwrap_or_else(|_| serde_json::Value::from(text)),
                        ParamKind::Text => serde_json::Value::from(text),
                    };
                    body.insert(param.name.to_owned(), value);
                }
                body.insert(self.signature_param.to_owned(), signature.into());
                PreparedRequest {
                    method: self.method,
                    url,
                    content_type: Some("application/json"),
                    body: serde_json::to_vec(&body).map_err(|e| encode(&e))?,
                }
            }
            Encoding::Query => {
                pairs.extend(present.map(|(p, v)| (p.name, v)));
                pairs.push((self.signature_param, signature));
                let query = serde_urlencoded::to_string(&pairs).map_err(|e| encode(&e))?;
                PreparedRequest {
                    method: self.method,
                    url: format!("{url}?{query}"),
                    content_type: None,
                    body: Vec::new(),
                }
            }
            Encoding::Form => {
                pairs.extend(present.map(|(p, v)| (p.name, v)));
                pairs.push((self.signature_param, signature));
                PreparedRequest {
                    method: self.method,
                    url,
                    content_type: Some("application/x-www-form-urlencoded"),
                    body: serde_urlencoded::to_string(&pairs)
                        .map_err(|e| encode(&e))?
                        .into_bytes(),
                }
            }
        })
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

/// Calls the macro named `$callback` with every typed request type, in catalog order, as
/// `$crate::family::Type` paths separated by commas: the one list of operations. The catalog
/// below, the decode tests and the fuzz target all expand it, so a new operation is one line
/// here; its response type is `<Type as Endpoint>::Response`.
///
/// ```
/// use zalopay_api::Endpoint;
/// macro_rules! count {
///     ($($request:ty),* $(,)?) => { [$(<$request as Endpoint>::PATH),*].len() };
/// }
/// assert_eq!(zalopay_api::for_each_operation!(count), zalopay_api::catalog::operations().len());
/// ```
#[macro_export]
macro_rules! for_each_operation {
    ($callback:ident) => {
        $callback! {
            $crate::order::CreateOrder,
            $crate::order::QueryOrder,
            $crate::order::CancelOrder,
            $crate::refund::RefundOrder,
            $crate::refund::QueryRefund,
            $crate::banks::ListBanks,
            $crate::quickpay::QuickPay,
            $crate::agreement::AgreementBind,
            $crate::agreement::AgreementQuery,
            $crate::agreement::AgreementUnbind,
            $crate::agreement::AgreementBalance,
            $crate::agreement::AgreementPay,
            $crate::agreement::AgreementQueryUser,
            $crate::tokenization::TokenizationBind,
            $crate::tokenization::TokenizationQuery,
            $crate::hybrid::HybridPay,
            $crate::disbursement::DisbursementBalance,
            $crate::disbursement::DisbursementUser,
            $crate::disbursement::DisbursementTopup,
            $crate::disbursement::DisbursementTxn,
            $crate::disbursement::VerifyAccount,
            $crate::disbursement::TransferFund,
            $crate::disbursement::QueryTxn,
            $crate::disbursement::BankCodes,
            $crate::zod::ZodCreateInvoice,
            $crate::zod::ZodQueryInvoice,
            $crate::zod::ZodQueryStatus,
        }
    };
}

macro_rules! catalog_rows {
    ($($request:ty),* $(,)?) => {
        /// Every typed operation: one row per request type, built from the type's consts.
        static OPERATIONS: &[OperationInfo] = &[$(OperationInfo::of::<$request>()),*];
    };
}

crate::for_each_operation!(catalog_rows);

/// Every typed operation, one row per spec `operationId`.
pub fn operations() -> &'static [OperationInfo] {
    OPERATIONS
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
