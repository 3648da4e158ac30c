//! `verify_redirect` on hostile query strings.
//!
//! The first byte picks a mode:
//! * `0..=127` raw: the rest (lossy UTF-8) is the query string;
//! * `128..=191` signed typed: an arbitrary [`Redirect`] signed by `sign_redirect` must verify
//!   back to the same value;
//! * `192..=255` signed raw values: seven arbitrary parameter values are percent-encoded and
//!   given the checksum of their `|`-joined text, so the checksum passes and the number
//!   parsers see arbitrary text; extra, repeated and odd parameters may be appended.
//!
//! Invariants: no panic; a correctly signed query is never refused with `BadChecksum`; what
//! `sign_redirect` produces verifies to what was signed.

#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use zalopay_api::Keys;
use zalopay_api::redirect::{
    MAX_QUERY_LEN, Redirect, RedirectError, sign_redirect, verify_redirect,
};

fn keys() -> Keys {
    Keys::new(
        "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
        "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz",
    )
    .expect("non-empty keys")
}

const NAMES: [&str; 7] = [
    "appid",
    "apptransid",
    "pmcid",
    "bankcode",
    "amount",
    "discountamount",
    "status",
];

#[derive(Arbitrary, Debug)]
struct TypedRedirect {
    app_id: i64,
    app_trans_id: String,
    pmcid: Option<i32>,
    bank_code: String,
    amount: i64,
    discount_amount: i64,
    status: i32,
    leading_question_mark: bool,
}

#[derive(Arbitrary, Debug)]
struct RawRedirect {
    values: [String; 7],
    extra: Vec<(String, String)>,
    leading_question_mark: bool,
}

fn typed(keys: &Keys, u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    let t = TypedRedirect::arbitrary(u)?;
    let redirect = Redirect {
        app_id: t.app_id,
        app_trans_id: t.app_trans_id,
        pmcid: t.pmcid,
        bank_code: t.bank_code,
        amount: t.amount,
        discount_amount: t.discount_amount,
        status: t.status,
    };
    let mut query = sign_redirect(keys, &redirect);
    if t.leading_question_mark {
        query.insert(0, '?');
    }
    match verify_redirect(keys, &query) {
        Ok(back) => assert_eq!(
            back, redirect,
            "sign_redirect → verify_redirect changed values"
        ),
        Err(RedirectError::TooLarge { .. }) => assert!(query.len() > MAX_QUERY_LEN),
        Err(e) => panic!("a redirect signed by sign_redirect was refused: {e}\n{query}"),
    }
    Ok(())
}

fn raw_signed(keys: &Keys, u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    let r = RawRedirect::arbitrary(u)?;
    let checksum = keys.key2.mac(r.values.join("|").as_bytes());
    let mut out = form_urlencoded_pairs(
        NAMES
            .iter()
            .copied()
            .zip(r.values.iter().map(String::as_str)),
    );
    out.push('&');
    out.push_str("checksum=");
    out.push_str(checksum.as_str());
    let mut repeated = false;
    for (name, value) in &r.extra {
        repeated |= NAMES.contains(&name.as_str()) || name == "checksum";
        out.push('&');
        out.push_str(&form_urlencoded_pairs(std::iter::once((
            name.as_str(),
            value.as_str(),
        ))));
    }
    if r.leading_question_mark {
        out.insert(0, '?');
    }
    match verify_redirect(keys, &out) {
        Err(RedirectError::BadChecksum) if !repeated => {
            panic!("a correctly signed redirect failed its checksum: {out}")
        }
        Err(e) => {
            let _ = e.to_string();
        }
        Ok(redirect) => {
            assert_eq!(redirect.app_trans_id, r.values[1]);
            assert_eq!(redirect.bank_code, r.values[3]);
            let _ = redirect.looks_successful();
        }
    }
    Ok(())
}

/// Percent-encodes pairs exactly as a browser's form would (`application/x-www-form-urlencoded`).
fn form_urlencoded_pairs<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (index, (name, value)) in pairs.enumerate() {
        if index > 0 {
            out.push('&');
        }
        encode(name, &mut out);
        out.push('=');
        encode(value, &mut out);
    }
    out
}

fn encode(text: &str, out: &mut String) {
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(char::from(byte));
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
}

fuzz_target!(|input: &[u8]| {
    let Some((&mode, rest)) = input.split_first() else {
        return;
    };
    let keys = keys();
    match mode {
        0..=127 => {
            let query = String::from_utf8_lossy(rest);
            if let Err(e) = verify_redirect(&keys, &query) {
                let _ = e.to_string();
            }
        }
        128..=191 => {
            let _ = typed(&keys, &mut Unstructured::new(rest));
        }
        _ => {
            let _ = raw_signed(&keys, &mut Unstructured::new(rest));
        }
    }
});
