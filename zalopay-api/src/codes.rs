//! ZaloPay's `return_code` / `sub_return_code` values, typed, with their documented meaning.

/// A `sub_return_code` (or a negative `return_code`) with its documented meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SubReturnCode {
    /// `1`: success.
    Success,
    /// `-68`: the `app_trans_id` (or disbursement order id) was used before.
    DuplicateAppTransId,
    /// `-401`: a parameter is missing or malformed.
    IllegalDataRequest,
    /// `-402`: unknown app, or the MAC does not match.
    IllegalAppRequest,
    /// `-429`: rate limited.
    LimitRequestReach,
    /// `-500`: system error at ZaloPay.
    SystemError,
    /// `-999`: ZaloPay is under maintenance.
    SystemMaintenance,
    /// Any other code, kept as received.
    Other(i32),
}

impl From<i32> for SubReturnCode {
    fn from(code: i32) -> Self {
        match code {
            1 => Self::Success,
            -68 => Self::DuplicateAppTransId,
            -401 => Self::IllegalDataRequest,
            -402 => Self::IllegalAppRequest,
            -429 => Self::LimitRequestReach,
            -500 => Self::SystemError,
            -999 => Self::SystemMaintenance,
            other => Self::Other(other),
        }
    }
}

impl SubReturnCode {
    /// The code as ZaloPay sends it.
    pub fn code(self) -> i32 {
        match self {
            Self::Success => 1,
            Self::DuplicateAppTransId => -68,
            Self::IllegalDataRequest => -401,
            Self::IllegalAppRequest => -402,
            Self::LimitRequestReach => -429,
            Self::SystemError => -500,
            Self::SystemMaintenance => -999,
            Self::Other(code) => code,
        }
    }

    /// The documented meaning, when known.
    pub fn message(self) -> Option<&'static str> {
        Some(match self {
            Self::Success => "success",
            Self::DuplicateAppTransId => "duplicate app_trans_id",
            Self::IllegalDataRequest => "invalid or missing parameter",
            Self::IllegalAppRequest => "unknown app or invalid MAC",
            Self::LimitRequestReach => "rate limit reached",
            Self::SystemError => "ZaloPay system error",
            Self::SystemMaintenance => "ZaloPay under maintenance",
            Self::Other(_) => return None,
        })
    }

    /// Rate limit, system error or maintenance: the same request may succeed later.
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            Self::LimitRequestReach | Self::SystemError | Self::SystemMaintenance
        )
    }
}

/// One line that says what the codes mean, for error messages.
pub fn describe(
    return_code: i32,
    sub_return_code: Option<i32>,
    return_message: &str,
    sub_return_message: Option<&str>,
) -> String {
    let mut out = format!("ZaloPay rejected the request: return_code {return_code}");
    if let Some(sub) = sub_return_code {
        out.push_str(&format!(", sub_return_code {sub}"));
        if let Some(meaning) = SubReturnCode::from(sub).message() {
            out.push_str(&format!(" ({meaning})"));
        }
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
