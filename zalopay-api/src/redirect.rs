//! The redirect after payment: ZaloPay's gateway sends the buyer's browser back to the
//! merchant (`embed_data.redirecturl` or the URL registered on the portal) with a signed query
//! string.
//!
//! **A redirect is only a hint for the user interface.** The browser may never arrive, may
//! arrive twice, or may arrive before ZaloPay has settled the payment, and the user can replay
//! an old link. Show "payment received, confirming…" and rely on the callback
//! ([`crate::callback`]) or a status query ([`crate::order::QueryOrder`],
//! [`crate::poll`]) before shipping anything.
//!
//! `checksum = HMAC-SHA256(key2, appid|apptransid|pmcid|bankcode|amount|discountamount|status)`
//! over the values as received, after percent-decoding; an empty `bankcode` stays empty
//! (api-facts §9, \[C2]).

use crate::sign::{Keys, SEPARATOR};

/// Maximum length of a query string this module will look at.
pub const MAX_QUERY_LEN: usize = 8 * 1024;

/// The parameters of a verified redirect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// `appid`.
    pub app_id: i64,
    /// `apptransid`: the merchant's order id.
    pub app_trans_id: String,
    /// `pmcid`: the payment channel (38 ZaloPay wallet, 39 ATM, 36 card, …); `None` when
    /// ZaloPay sent it empty.
    pub pmcid: Option<i32>,
    /// `bankcode`, possibly empty.
    pub bank_code: String,
    /// `amount`, VND.
    pub amount: i64,
    /// `discountamount`, VND.
    pub discount_amount: i64,
    /// `status`: `1` in the documented success example \[3P]; other values are not documented.
    pub status: i32,
}

impl Redirect {
    /// `status == 1`. Still only a hint: confirm with a query or the callback.
    pub fn looks_successful(&self) -> bool {
        self.status == 1
    }
}

/// Why a redirect query string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RedirectError {
    /// A required parameter is absent.
    #[error("redirect parameter `{0}` is missing")]
    MissingParam(&'static str),
    /// A parameter appears more than once (ambiguous: refused rather than guessed).
    #[error("redirect parameter `{0}` appears more than once")]
    Duplicate(&'static str),
    /// A numeric parameter is not a number.
    #[error("redirect parameter `{0}` is not a valid number")]
    BadNumber(&'static str),
    /// The checksum does not match: not from ZaloPay, altered, or the wrong key2.
    #[error("redirect checksum does not match (altered query string or wrong key2)")]
    BadChecksum,
    /// The query string is longer than [`MAX_QUERY_LEN`].
    #[error("redirect query string is {len} bytes; at most {max} are accepted")]
    TooLarge {
        /// Actual length.
        len: usize,
        /// The limit.
        max: usize,
    },
}

/// The signed parameters, in checksum order, followed by the checksum.
const SIGNED: [&str; 7] = [
    "appid",
    "apptransid",
    "pmcid",
    "bankcode",
    "amount",
    "discountamount",
    "status",
];

/// Verifies a redirect's query string (with or without the leading `?`) against key2 and
/// returns its typed parameters.
///
/// Parameters other than the eight documented ones are ignored. The checksum is compared in
/// constant time before any number is parsed.
pub fn verify_redirect(keys: &Keys, raw_query: &str) -> Result<Redirect, RedirectError> {
    if raw_query.len() > MAX_QUERY_LEN {
        return Err(RedirectError::TooLarge {
            len: raw_query.len(),
            max: MAX_QUERY_LEN,
        });
    }
    let query = raw_query.strip_prefix('?').unwrap_or(raw_query);
    let mut values: [Option<String>; 7] = Default::default();
    let mut checksum: Option<String> = None;
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        let slot = match SIGNED.iter().position(|known| *known == name) {
            Some(index) => (&mut values[index], SIGNED[index]),
            None if name == "checksum" => (&mut checksum, "checksum"),
            None => continue,
        };
        if slot.0.is_some() {
            return Err(RedirectError::Duplicate(slot.1));
        }
        *slot.0 = Some(value.into_owned());
    }
    let mut fields: [&str; 7] = [""; 7];
    for (index, value) in values.iter().enumerate() {
        fields[index] = value
            .as_deref()
            .ok_or(RedirectError::MissingParam(SIGNED[index]))?;
    }
    let checksum = checksum.ok_or(RedirectError::MissingParam("checksum"))?;

    let mut input = String::with_capacity(128);
    for (index, value) in fields.iter().enumerate() {
        if index > 0 {
            input.push(SEPARATOR);
        }
        input.push_str(value);
    }
    if !keys.key2.verify(input.as_bytes(), &checksum) {
        return Err(RedirectError::BadChecksum);
    }

    let [
        appid,
        apptransid,
        pmcid,
        bankcode,
        amount,
        discountamount,
        status,
    ] = fields;
    Ok(Redirect {
        app_id: number(appid, "appid")?,
        app_trans_id: apptransid.to_owned(),
        pmcid: if pmcid.is_empty() {
            None
        } else {
            Some(number(pmcid, "pmcid")?)
        },
        bank_code: bankcode.to_owned(),
        amount: number(amount, "amount")?,
        discount_amount: number(discountamount, "discountamount")?,
        status: number(status, "status")?,
    })
}

fn number<T: std::str::FromStr>(text: &str, name: &'static str) -> Result<T, RedirectError> {
    text.parse().map_err(|_| RedirectError::BadNumber(name))
}

/// Builds a signed redirect query string (no leading `?`), as ZaloPay's gateway would: for
/// tests and the local emulator.
pub fn sign_redirect(keys: &Keys, redirect: &Redirect) -> String {
    let pmcid = redirect.pmcid.map(|p| p.to_string()).unwrap_or_default();
    let values = [
        redirect.app_id.to_string(),
        redirect.app_trans_id.clone(),
        pmcid,
        redirect.bank_code.clone(),
        redirect.amount.to_string(),
        redirect.discount_amount.to_string(),
        redirect.status.to_string(),
    ];
    let input = values.join("|");
    let checksum = keys.key2.mac(input.as_bytes());
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (name, value) in SIGNED.iter().zip(values.iter()) {
        out.append_pair(name, value);
    }
    out.append_pair("checksum", checksum.as_str());
    out.finish()
}
