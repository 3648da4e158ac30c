//! ZaloPay's `return_code` / `sub_return_code` values, typed, with their documented meaning.
//!
//! The tables merge every code the fact sheet lists (api-facts §1.5 generic codes, §3 order
//! query, §5 refund, §6 refund query, §14 disbursement, §18 the merged reference). Provenance
//! varies: the generic codes (-401, -402, -429, -500, -999, -68) are confirmed by two official
//! sources; the refund tables come from a third-party copy of the official docs; some
//! maintenance codes only from the official Node SDK's OpenAPI file. Each variant says which.
//!
//! A few codes mean different things depending on the operation (`-101`, `-32`); they carry
//! the general meaning here and a note on the variant. ZaloPay may also send codes that are
//! documented nowhere: they become [`SubReturnCode::Other`] and keep their number.

/// The top-level `return_code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReturnCode {
    /// `1`: success (order paid, refund done, request accepted).
    Success,
    /// `2`: failed; `sub_return_code` says why.
    Failed,
    /// `3`: processing / not paid yet; ask again later.
    Processing,
    /// Anything else, typically a negative request-level code (see [`SubReturnCode`]).
    Other(i32),
}

impl From<i32> for ReturnCode {
    fn from(code: i32) -> Self {
        match code {
            1 => Self::Success,
            2 => Self::Failed,
            3 => Self::Processing,
            other => Self::Other(other),
        }
    }
}

impl ReturnCode {
    /// The code as ZaloPay sends it.
    pub fn code(self) -> i32 {
        match self {
            Self::Success => 1,
            Self::Failed => 2,
            Self::Processing => 3,
            Self::Other(code) => code,
        }
    }

    /// The documented meaning. Negative values borrow the [`SubReturnCode`] table, because
    /// sources disagree on which field carries them (api-facts §1.5).
    pub fn message(self) -> Option<&'static str> {
        match self {
            Self::Success => Some("success"),
            Self::Failed => Some("failed"),
            Self::Processing => Some("processing"),
            Self::Other(code) => SubReturnCode::from(code).message(),
        }
    }
}

macro_rules! sub_return_codes {
    (
        $(
            $(#[$doc:meta])*
            $variant:ident = $code:literal, $name:literal, $message:literal, $class:ident;
        )*
    ) => {
        /// A `sub_return_code` (or a negative `return_code`) with its documented meaning.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum SubReturnCode {
            $( $(#[$doc])* $variant, )*
            /// `-27` … `-31` REFUND_OVER_TIME: the refund window has passed \[3P, community
            /// enum]. Holds the exact code.
            RefundOverTime(i32),
            /// `-332` / `-333` PROMOTION_ERROR: a promotion rule failed. Holds the exact code.
            PromotionError(i32),
            /// `-1330` … `-1333` EXCEED_MAX_FUND_OUT_PER_DAY: the user's daily spending limit.
            /// Holds the exact code.
            DailyLimitExceeded(i32),
            /// `-1340` … `-1343` EXCEED_MAX_FUND_OUT_PER_MONTH: the user's monthly spending
            /// limit. Holds the exact code.
            MonthlyLimitExceeded(i32),
            /// Any other code, kept as received.
            Other(i32),
        }

        impl From<i32> for SubReturnCode {
            fn from(code: i32) -> Self {
                match code {
                    $( $code => Self::$variant, )*
                    -31..=-27 => Self::RefundOverTime(code),
                    -333..=-332 => Self::PromotionError(code),
                    -1333..=-1330 => Self::DailyLimitExceeded(code),
                    -1343..=-1340 => Self::MonthlyLimitExceeded(code),
                    other => Self::Other(other),
                }
            }
        }

        impl SubReturnCode {
            /// The code as ZaloPay sends it.
            pub fn code(self) -> i32 {
                match self {
                    $( Self::$variant => $code, )*
                    Self::RefundOverTime(code)
                    | Self::PromotionError(code)
                    | Self::DailyLimitExceeded(code)
                    | Self::MonthlyLimitExceeded(code)
                    | Self::Other(code) => code,
                }
            }

            /// ZaloPay's constant name for the code (e.g. `ILLEGAL_DATA_REQUEST`), when one is
            /// documented.
            pub fn name(self) -> Option<&'static str> {
                match self {
                    $( Self::$variant => Some($name), )*
                    Self::RefundOverTime(_) => Some("REFUND_OVER_TIME"),
                    Self::PromotionError(_) => Some("PROMOTION_ERROR"),
                    Self::DailyLimitExceeded(_) => Some("EXCEED_MAX_FUND_OUT_PER_DAY"),
                    Self::MonthlyLimitExceeded(_) => Some("EXCEED_MAX_FUND_OUT_PER_MONTH"),
                    Self::Other(_) => None,
                }
            }

            /// The code's class in the one table every verdict is derived from (D-100).
            /// Undocumented codes are [`CodeClass::Unknown`], except a positive code below
            /// 100, which is ZaloPay's pending family ([`CodeClass::Processing`]).
            pub fn class(self) -> CodeClass {
                match self {
                    $( Self::$variant => CodeClass::$class, )*
                    Self::RefundOverTime(_) => CodeClass::Expired,
                    Self::PromotionError(_)
                    | Self::DailyLimitExceeded(_)
                    | Self::MonthlyLimitExceeded(_) => CodeClass::BusinessFailure,
                    Self::Other(2..=99) => CodeClass::Processing,
                    Self::Other(_) => CodeClass::Unknown,
                }
            }

            /// The documented meaning, when known.
            pub fn message(self) -> Option<&'static str> {
                match self {
                    $( Self::$variant => Some($message), )*
                    Self::RefundOverTime(_) => Some("refund window has passed"),
                    Self::PromotionError(_) => Some("promotion rule failed"),
                    Self::DailyLimitExceeded(_) => Some("user's daily spending limit exceeded"),
                    Self::MonthlyLimitExceeded(_) => {
                        Some("user's monthly spending limit exceeded")
                    }
                    Self::Other(_) => None,
                }
            }
        }

        /// Every documented code, in table order (ranges expanded). Useful for tests and for
        /// listing the table.
        pub const DOCUMENTED: &[i32] = &[
            $( $code, )*
            -27, -28, -29, -30, -31,
            -332, -333,
            -1330, -1331, -1332, -1333,
            -1340, -1341, -1342, -1343,
        ];
    };
}

sub_return_codes! {
    /// `1`: success \[C2].
    Success = 1, "SUCCESS", "success", Success;
    /// `0` REFUND_FAILED: the refund failed (refund query, with `return_code` 2) \[3P].
    RefundFailed = 0, "REFUND_FAILED", "refund failed", BusinessFailure;
    /// `2` REFUND_PROCESSING: the refund is still being processed; query again (refund query,
    /// with `return_code` 3) \[3P].
    RefundProcessing = 2, "REFUND_PROCESSING", "refund is processing", Processing;
    /// `3`: still processing (agreement pay, with `return_code` 3) \[C1, SDK mock]; the errors
    /// page calls it CREATE_ORDER_SUCCESSFUL, a pending code \[C1].
    Processing = 3, "PROCESSING", "processing", Processing;
    /// `4` IN_NOTIFY_QUEUE: pending, not success \[C1, errors page].
    InNotifyQueue = 4, "IN_NOTIFY_QUEUE", "pending: in notify queue", Processing;
    /// `5` PROCESSING: pending, not success \[C1, errors page].
    InProgress = 5, "PROCESSING", "pending: processing", Processing;
    /// `10` INIT: pending, not success \[C1, errors page].
    Init = 10, "INIT", "pending: initialised", Processing;
    /// `19` ZPW_PURCHASE_SUCCESSFUL: listed among the *pending* codes; not success until the
    /// order query says paid \[C1, errors page].
    PurchaseSuccessful = 19, "ZPW_PURCHASE_SUCCESSFUL", "pending: wallet purchase done, not final", Processing;
    /// `48` ZPMAPACCOUNT_WAIT_FOR_QUERY_ORDER: pending; query the order \[C1, errors page].
    WaitForQueryOrder = 48, "ZPMAPACCOUNT_WAIT_FOR_QUERY_ORDER", "pending: query the order", Processing;
    /// `-1` REFUND_PENDING: the refund needs manual handling by ZaloPay (refund query, with
    /// `return_code` 3) \[3P].
    RefundPending = -1, "REFUND_PENDING", "refund pending, needs handling by ZaloPay", Processing;
    /// `-2`: refund type invalid \[3P, community enum].
    RefundTypeInvalid = -2, "REFUND_TYPE_INVALID", "refund type invalid", RequestLevel;
    /// `-3` MAC_INVALID: the refund's MAC does not match \[3P].
    MacInvalid = -3, "MAC_INVALID", "invalid MAC", RequestLevel;
    /// `-4`: the payment method does not support refunds \[3P, community enum].
    PmcNotSupportRefund = -4, "PMC_NOT_SUPPORT_REFUND", "payment method does not support refund", BusinessFailure;
    /// `-5`: the transaction is not complete, so it cannot be refunded \[3P, community enum].
    TransNotComplete = -5, "TRANS_NOT_COMPLETE", "transaction not complete", BusinessFailure;
    /// `-6`: the transaction failed, so it cannot be refunded \[3P, community enum].
    TransFail = -6, "TRANS_FAIL", "transaction failed", BusinessFailure;
    /// `-13`: the refund is outside its time window (expired, or `timestamp` too far from
    /// now) \[3P].
    RefundExpired = -13, "REFUND_EXPIRE_TIME", "refund time window violated or expired", Expired;
    /// `-14`: the refund amount is invalid (e.g. more than what is left to refund) \[3P].
    RefundAmountInvalid = -14, "REFUND_AMOUNT_INVALID", "refund amount invalid", BusinessFailure;
    /// `-23`: the `m_refund_id` was used before \[3P].
    DuplicateMRefundId = -23, "DUPLICATE_M_REFUND_ID", "duplicate m_refund_id", Duplicate;
    /// `-24`: `m_refund_id` is not `yymmdd_appid_xxx` \[3P].
    MRefundIdFormatInvalid = -24, "INVALID_MERCHANT_REFUNDID_FORMAT", "m_refund_id format invalid", RequestLevel;
    /// `-25`: the date part of `m_refund_id` is not today (GMT+7) \[3P].
    MRefundIdDateInvalid = -25, "INVALID_MERCHANT_REFUNDID_DATE", "m_refund_id date part invalid", RequestLevel;
    /// `-26`: the app id part of `m_refund_id` is wrong \[3P].
    MRefundIdAppIdInvalid = -26, "INVALID_MERCHANT_REFUNDID_APPID", "m_refund_id app_id part invalid", RequestLevel;
    /// `-32`: the transaction does not support refund (refund query \[3P]).
    ///
    /// **Meaning differs per operation:** the Node SDK's spec lists `-32` as "system error"
    /// for the order query \[C1]. Read it together with the operation that returned it.
    RefundNotSupported = -32, "TRANS_NOT_SUPPORT_REFUND", "transaction does not support refund (system error in the order-query table)", Temporary;
    /// `-33`: the app is under maintenance \[C1].
    AppMaintenance = -33, "APP_MAINTENANCE", "app under maintenance", Temporary;
    /// `-34`: the payment channel is under maintenance \[C1].
    ChannelMaintenance = -34, "CHANNEL_MAINTENANCE", "payment channel under maintenance", BusinessFailure;
    /// `-35`: the payment channel is not supported \[C1].
    ChannelUnsupported = -35, "CHANNEL_UNSUPPORTED", "payment channel not supported", BusinessFailure;
    /// `-43`: the bank is under maintenance \[C1].
    BankMaintenance = -43, "BANK_MAINTENANCE", "bank under maintenance", BusinessFailure;
    /// `-54` TIME_INVALID: the order expired before it was paid \[3P copy of the official
    /// table].
    OrderExpired = -54, "TIME_INVALID", "order expired", Expired;
    /// `-63`: the user's ZaloPay balance is insufficient.
    BalanceNotEnough = -63, "ZPW_BALANCE_NOT_ENOUGH", "user balance insufficient", BusinessFailure;
    /// `-68`: the `app_trans_id` (or disbursement `partner_order_id`) was used before \[C2].
    /// Query the existing order instead of creating it again.
    DuplicateAppTransId = -68, "DUPLICATE_APPS_TRANS_ID", "duplicate app_trans_id", Duplicate;
    /// `-88`: the feature is under maintenance \[C1].
    FeatureMaintenance = -88, "FEATURE_MAINTENANCE", "feature under maintenance", Temporary;
    /// `-92`: the `app_trans_id` is invalid.
    AppTransIdInvalid = -92, "APPTRANSID_INVALID", "app_trans_id invalid", NotFound;
    /// `-101`: not found: the order (query), `zp_trans_id` (refund), `m_refund_id` (refund
    /// query), wallet (disbursement user) or disbursement order.
    ///
    /// **Meaning differs per operation:** the Node SDK spec's order-query table gives `-101`
    /// as "refund succeeded, card refunds take 3–5 working days" \[?]. The general meaning is
    /// used here.
    NotFound = -101, "ORDER_NOT_EXIST", "not found (order, refund, wallet or disbursement)", NotFound;
    /// `-135`: under maintenance \[C1].
    Maintenance = -135, "MAINTENANCE", "under maintenance", Temporary;
    /// `-217`: the bank returned an error.
    BankError = -217, "BANK_ERROR", "bank error", BusinessFailure;
    /// `-301`: system error \[C1, Node SDK spec].
    InternalError = -301, "SYSTEM_ERROR", "system error", Temporary;
    /// `-322`: the scanned payment code has expired (quick pay) \[C1].
    PaymentCodeExpired = -322, "PAYMENT_CODE_EXPIRED", "payment code expired", Expired;
    /// `-329`: the user cancelled \[C1].
    UserCancelled = -329, "USER_CANCELLED", "user cancelled", BusinessFailure;
    /// `-401`: a parameter is missing or malformed \[C2].
    IllegalDataRequest = -401, "ILLEGAL_DATA_REQUEST", "invalid or missing parameter", RequestLevel;
    /// `-402`: unknown app, or the MAC does not match \[C2].
    IllegalAppRequest = -402, "ILLEGAL_APP_REQUEST", "unknown app or invalid MAC", RequestLevel;
    /// `-403`: the signature does not match \[C1].
    IllegalSignatureRequest = -403, "ILLEGAL_SIGNATURE_REQUEST", "invalid signature", RequestLevel;
    /// `-405`: the client is not allowed \[C1].
    IllegalClientRequest = -405, "ILLEGAL_CLIENT_REQUEST", "client not allowed", RequestLevel;
    /// `406` (positive): the object is in a state that does not allow this \[C1, Node SDK
    /// spec].
    IllegalStatus = 406, "ILLEGAL_STATUS", "illegal status for this operation", RequestLevel;
    /// `-406`: the user's fund-in limit would be exceeded (disbursement top-up; the response
    /// carries `upgrade_url`) \[C2].
    FundInLimitExceeded = -406, "FUND_IN_LIMIT", "user's fund-in limit exceeded", BusinessFailure;
    /// `-429`: rate limited \[C2].
    LimitRequestReach = -429, "LIMIT_REQUEST_REACH", "rate limit reached", Temporary;
    /// `-500`: system error at ZaloPay \[C2].
    SystemError = -500, "SYSTEM_ERROR", "ZaloPay system error", Temporary;
    /// `-503`: service unavailable / maintenance (disbursement) \[C2].
    ServiceUnavailable = -503, "SERVICE_UNAVAILABLE", "ZaloPay service unavailable", Temporary;
    /// `-999`: ZaloPay is under maintenance \[C2].
    SystemMaintenance = -999, "SYSTEM_MAINTENANCE", "ZaloPay under maintenance", Temporary;
    /// `-1011`: the user's wallet is locked (disbursement) \[C2].
    WalletLocked = -1011, "WALLET_LOCKED", "user wallet locked", BusinessFailure;
}

impl SubReturnCode {
    /// Only `1` is success. Every other positive code is pending or a state (the errors
    /// page lists `2`…`48` as pending; `406` is an illegal status).
    pub fn is_success(self) -> bool {
        self.code() == 1
    }

    /// A positive code other than 1 below 100: ZaloPay's *pending* family (`2` duplicate /
    /// processing, `4` in notify queue, `5` processing, `48` wait for query, ...). Not final:
    /// ask again.
    pub fn is_pending(self) -> bool {
        matches!(self.code(), 2..=99)
    }

    /// Rate limit, system error or maintenance ([`CodeClass::Temporary`]): the same request
    /// may succeed later.
    ///
    /// Channel/bank maintenance (`-34`, `-43`) are not included: they describe why a payment
    /// failed, not why a request was refused.
    pub fn is_transient(self) -> bool {
        self.class() == CodeClass::Temporary
    }

    /// The merchant id was used before ([`CodeClass::Duplicate`]: `-68` app_trans_id /
    /// partner_order_id, `-23` m_refund_id): query the existing object instead of creating it
    /// again.
    pub fn is_duplicate(self) -> bool {
        self.class() == CodeClass::Duplicate
    }
}

/// What a code says, in the one table every verdict is derived from (decision D-100): each
/// documented code has exactly one class ([`SubReturnCode::class`]), and every `status()`
/// reads its answer through [`classify`].
///
/// Only [`Success`](Self::Success), [`BusinessFailure`](Self::BusinessFailure) and
/// [`Expired`](Self::Expired) can end an object; every other class means "ask again" or
/// "the request itself was refused".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CodeClass {
    /// Done: paid, refunded, confirmed, disbursed.
    Success,
    /// The business operation itself failed for good (user cancelled, balance too low, bank
    /// error, refund not allowed, ...).
    BusinessFailure,
    /// ZaloPay does not know the object (yet): ask again with the same id.
    NotFound,
    /// The object's time ran out (order expired, refund window passed, payment code expired).
    Expired,
    /// Still in progress: ask again.
    Processing,
    /// Maintenance, rate limit or system error: the same request may succeed later. Says
    /// nothing about the object.
    Temporary,
    /// The request was wrong (parameters, MAC, app, id format): says nothing about the object.
    RequestLevel,
    /// The merchant id was used before: query the existing object.
    Duplicate,
    /// A code no source documents (or an unrecognised combination): says nothing final.
    Unknown,
}

impl CodeClass {
    /// Whether an answer of this class can be the gateway's last word on an object.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Success | Self::BusinessFailure | Self::Expired)
    }

    /// Whether this class is the gateway refusing the request rather than describing the
    /// object (request-level, temporary, duplicate): such answers are returned as `Err` even
    /// by operations whose `return_code 2` is a state.
    pub fn is_refusal(self) -> bool {
        matches!(self, Self::RequestLevel | Self::Temporary | Self::Duplicate)
    }
}

/// The class of a whole answer: its `return_code` read together with its `sub_return_code`.
///
/// * `1` is [`Success`](CodeClass::Success) with no sub code or sub code `1`; with a pending
///   sub code it is [`Processing`](CodeClass::Processing); anything else is `Unknown`.
/// * `3` is `Processing`.
/// * `2` takes its sub code's class; `2` without a sub code, or with a success or unknown sub
///   code, is `Unknown` (an unrecognised failure is never final on its own).
/// * Any other `return_code` (negative values, `406`) is a code of its own (sources disagree on
///   which field carries them, api-facts §1.5): the sub code's class when it refuses the
///   request, else the return code's, and never success or processing.
pub fn classify(return_code: i32, sub_return_code: Option<i32>) -> CodeClass {
    let sub = sub_return_code.map(|code| SubReturnCode::from(code).class());
    match return_code {
        1 => match sub {
            None | Some(CodeClass::Success) => CodeClass::Success,
            Some(CodeClass::Processing) => CodeClass::Processing,
            Some(_) => CodeClass::Unknown,
        },
        3 => CodeClass::Processing,
        2 => match sub {
            None | Some(CodeClass::Success) => CodeClass::Unknown,
            Some(class) => class,
        },
        other => match (sub, SubReturnCode::from(other).class()) {
            (Some(class), _) if class.is_refusal() => class,
            (_, CodeClass::Success | CodeClass::Processing) => CodeClass::Unknown,
            (_, class) => class,
        },
    }
}

impl std::fmt::Display for SubReturnCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.code())?;
        if let Some(message) = self.message() {
            write!(f, " ({message})")?;
        }
        Ok(())
    }
}

/// One line that says what the codes mean, for error messages, e.g.
/// `ZaloPay rejected the request: return_code 2 (failed), sub_return_code -401 (invalid or
/// missing parameter): Thông tin không hợp lệ`.
pub fn describe(
    return_code: i32,
    sub_return_code: Option<i32>,
    return_message: &str,
    sub_return_message: Option<&str>,
) -> String {
    let mut out = format!("ZaloPay rejected the request: return_code {return_code}");
    if let Some(meaning) = ReturnCode::from(return_code).message() {
        out.push_str(&format!(" ({meaning})"));
    }
    if let Some(sub) = sub_return_code {
        out.push_str(&format!(", sub_return_code {}", SubReturnCode::from(sub)));
    }
    let message = sub_return_message
        .filter(|m| !m.is_empty())
        .unwrap_or(return_message);
    if !message.is_empty() {
        out.push_str(": ");
        out.push_str(message);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_code_round_trips() {
        for &code in DOCUMENTED {
            let typed = SubReturnCode::from(code);
            assert_eq!(typed.code(), code);
            assert!(!matches!(typed, SubReturnCode::Other(_)), "{code}");
            assert!(typed.message().is_some(), "{code}");
            assert!(typed.name().is_some(), "{code}");
        }
        let mut sorted = DOCUMENTED.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), DOCUMENTED.len(), "duplicate in DOCUMENTED");
        assert_eq!(SubReturnCode::from(-7777), SubReturnCode::Other(-7777));
        assert_eq!(SubReturnCode::from(-7777).message(), None);
    }

    #[test]
    fn transient_and_duplicate() {
        for code in [-429, -500, -503, -999] {
            assert!(SubReturnCode::from(code).is_transient(), "{code}");
        }
        for code in [-401, -402, -68, -54, -101, 1] {
            assert!(!SubReturnCode::from(code).is_transient(), "{code}");
        }
        assert!(SubReturnCode::from(-68).is_duplicate());
        assert!(SubReturnCode::from(-23).is_duplicate());
        assert!(!SubReturnCode::from(-401).is_duplicate());
    }
}
