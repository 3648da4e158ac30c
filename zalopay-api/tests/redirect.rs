//! Redirect checksum verification.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use zalopay_api::Keys;
use zalopay_api::redirect::{Redirect, RedirectError, sign_redirect, verify_redirect};

fn keys_2553() -> Keys {
    Keys::new(
        "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
        "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz",
    )
    .unwrap()
}

/// api-facts §19.3 (self-computed): key2 of 2553 over `2553|240913_123456|38||50000|0|1`.
const VECTOR_1: &str = "74aa10de0a572e084a15722a41dd4221981c8d055c5a43c2d4be04b1aa952a1b";

/// Computed for this test (not published by ZaloPay), with:
/// `python3 -c 'import hmac,hashlib;print(hmac.new(b"kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz",b"2553|240102_order 7/1|36|VCB|1250000|25000|-49",hashlib.sha256).hexdigest())'`
const VECTOR_2: &str = "16095b3e2c2bbf344c5b3a5f71ca61e3c1015d8e60e1d706cca69c7a474c8183";

#[test]
fn self_computed_vector_with_empty_bankcode() {
    let query = format!(
        "?appid=2553&apptransid=240913_123456&pmcid=38&bankcode=&amount=50000&discountamount=0&status=1&checksum={VECTOR_1}"
    );
    let redirect = verify_redirect(&keys_2553(), &query).unwrap();
    assert_eq!(
        redirect,
        Redirect {
            app_id: 2553,
            app_trans_id: "240913_123456".into(),
            pmcid: Some(38),
            bank_code: String::new(),
            amount: 50_000,
            discount_amount: 0,
            status: 1,
        }
    );
    assert!(redirect.looks_successful());
}

#[test]
fn values_are_percent_decoded_before_checking() {
    // Parameters in another order, an extra parameter, `%20`, `+` and `%2F` in the id.
    let query = format!(
        "status=-49&checksum={}&utm=x&apptransid=240102_order+7%2F1&appid=2553&pmcid=36&bankcode=VCB&amount=1250000&discountamount=25000",
        VECTOR_2.to_uppercase()
    );
    let redirect = verify_redirect(&keys_2553(), &query).unwrap();
    assert_eq!(redirect.app_trans_id, "240102_order 7/1");
    assert_eq!(redirect.bank_code, "VCB");
    assert_eq!(redirect.discount_amount, 25_000);
    assert_eq!(redirect.status, -49);
    assert!(!redirect.looks_successful());
    let same = query.replace("order+7", "order%207");
    assert_eq!(verify_redirect(&keys_2553(), &same).unwrap(), redirect);
}

#[test]
fn sign_redirect_round_trips() {
    let redirect = Redirect {
        app_id: 2553,
        app_trans_id: "240102_order 7/1".into(),
        pmcid: Some(36),
        bank_code: "VCB".into(),
        amount: 1_250_000,
        discount_amount: 25_000,
        status: -49,
    };
    let query = sign_redirect(&keys_2553(), &redirect);
    assert!(query.ends_with(VECTOR_2), "{query}");
    assert_eq!(verify_redirect(&keys_2553(), &query).unwrap(), redirect);
}

#[test]
fn tampering_is_detected() {
    let base = format!(
        "appid=2553&apptransid=240913_123456&pmcid=38&bankcode=&amount=50000&discountamount=0&status=1&checksum={VECTOR_1}"
    );
    for (from, to) in [
        ("amount=50000", "amount=50001"),
        ("status=1", "status=2"),
        ("bankcode=", "bankcode=VCB"),
        ("discountamount=0", "discountamount=00"),
        ("apptransid=240913_123456", "apptransid=240913_123457"),
        ("checksum=74", "checksum=75"),
    ] {
        let query = base.replace(from, to);
        assert_eq!(
            verify_redirect(&keys_2553(), &query),
            Err(RedirectError::BadChecksum),
            "{from} -> {to}"
        );
    }
}

#[test]
fn missing_duplicate_and_bad_numbers() {
    let keys = keys_2553();
    let full = format!(
        "appid=2553&apptransid=240913_123456&pmcid=38&bankcode=&amount=50000&discountamount=0&status=1&checksum={VECTOR_1}"
    );
    for name in [
        "appid",
        "apptransid",
        "pmcid",
        "bankcode",
        "amount",
        "discountamount",
        "status",
        "checksum",
    ] {
        let query: Vec<&str> = full
            .split('&')
            .filter(|pair| !pair.starts_with(&format!("{name}=")))
            .collect();
        assert_eq!(
            verify_redirect(&keys, &query.join("&")),
            Err(RedirectError::MissingParam(name))
        );
    }
    assert_eq!(
        verify_redirect(&keys, &format!("{full}&amount=1")),
        Err(RedirectError::Duplicate("amount"))
    );
    assert_eq!(
        verify_redirect(&keys, &format!("{full}&checksum=x")),
        Err(RedirectError::Duplicate("checksum"))
    );
    assert_eq!(
        verify_redirect(&keys, ""),
        Err(RedirectError::MissingParam("appid"))
    );

    // A checksum-valid redirect with a non-numeric amount.
    let mut input = "2553|x|38||5e4|0|1".to_owned();
    let mac = keys.key2.mac(input.as_bytes());
    let query = format!(
        "appid=2553&apptransid=x&pmcid=38&bankcode=&amount=5e4&discountamount=0&status=1&checksum={mac}"
    );
    assert_eq!(
        verify_redirect(&keys, &query),
        Err(RedirectError::BadNumber("amount"))
    );
    // An empty pmcid is accepted as `None`.
    input = "2553|x|||50000|0|1".to_owned();
    let mac = keys.key2.mac(input.as_bytes());
    let query = format!(
        "appid=2553&apptransid=x&pmcid=&bankcode=&amount=50000&discountamount=0&status=1&checksum={mac}"
    );
    assert_eq!(verify_redirect(&keys, &query).unwrap().pmcid, None);

    let huge = "a".repeat(9000);
    assert!(matches!(
        verify_redirect(&keys, &huge),
        Err(RedirectError::TooLarge { .. })
    ));
    // Garbage never panics.
    for junk in ["&&&", "=", "%", "%zz=1", "appid", "?", "appid=%FF%FE"] {
        assert!(verify_redirect(&keys, junk).is_err(), "{junk}");
    }
}
