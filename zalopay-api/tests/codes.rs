//! Every documented code reads well through `GatewayError`'s `Display`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use zalopay_api::GatewayError;
use zalopay_api::codes::{DOCUMENTED, ReturnCode, SubReturnCode};

#[test]
fn every_documented_code_is_explained_in_errors() {
    for &code in DOCUMENTED {
        let typed = SubReturnCode::from(code);
        let meaning = typed.message().unwrap();
        let error = GatewayError {
            return_code: 2,
            return_message: "Giao dịch thất bại".into(),
            sub_return_code: Some(code),
            sub_return_message: Some("chi tiết".into()),
        };
        let text = error.to_string();
        assert!(
            text.contains(&format!("sub_return_code {code} ({meaning})")),
            "{text}"
        );
        assert!(text.contains("return_code 2 (failed)"), "{text}");
        assert!(text.ends_with(": chi tiết"), "{text}");
        assert_eq!(error.code(), typed);
        assert_eq!(error.code().code(), code);

        // The same code as a negative return_code with no sub code.
        let error = GatewayError {
            return_code: code,
            return_message: String::new(),
            sub_return_code: None,
            sub_return_message: None,
        };
        let text = error.to_string();
        assert!(text.contains(&format!("return_code {code}")), "{text}");
        if !(1..=3).contains(&code) {
            assert!(text.contains(meaning), "{text}");
        }
    }
}

#[test]
fn example_message() {
    let error = GatewayError {
        return_code: 2,
        return_message: "Giao dịch thất bại".into(),
        sub_return_code: Some(-401),
        sub_return_message: Some("Dữ liệu yêu cầu không hợp lệ".into()),
    };
    assert_eq!(
        error.to_string(),
        "ZaloPay rejected the request: return_code 2 (failed), sub_return_code -401 (invalid or missing parameter): Dữ liệu yêu cầu không hợp lệ"
    );
    assert!(!error.is_transient());
    assert!(!error.is_duplicate());
}

#[test]
fn undocumented_codes_keep_their_number() {
    let error = GatewayError {
        return_code: 2,
        return_message: "x".into(),
        sub_return_code: Some(-4242),
        sub_return_message: None,
    };
    assert_eq!(
        error.to_string(),
        "ZaloPay rejected the request: return_code 2 (failed), sub_return_code -4242: x"
    );
    assert_eq!(error.code(), SubReturnCode::Other(-4242));
    assert_eq!(ReturnCode::from(-4242), ReturnCode::Other(-4242));
    assert_eq!(ReturnCode::from(3).code(), 3);
}

#[test]
fn ranges_and_flags() {
    assert_eq!(
        SubReturnCode::from(-1331),
        SubReturnCode::DailyLimitExceeded(-1331)
    );
    assert_eq!(
        SubReturnCode::from(-1342),
        SubReturnCode::MonthlyLimitExceeded(-1342)
    );
    assert_eq!(
        SubReturnCode::from(-333),
        SubReturnCode::PromotionError(-333)
    );
    assert_eq!(SubReturnCode::from(-29), SubReturnCode::RefundOverTime(-29));
    assert_eq!(SubReturnCode::from(-1334), SubReturnCode::Other(-1334));
    assert_eq!(SubReturnCode::from(406), SubReturnCode::IllegalStatus);
    assert_eq!(
        SubReturnCode::from(-406),
        SubReturnCode::FundInLimitExceeded
    );
    assert_eq!(
        SubReturnCode::from(-401).name(),
        Some("ILLEGAL_DATA_REQUEST")
    );
    let transient = GatewayError {
        return_code: -429,
        return_message: String::new(),
        sub_return_code: None,
        sub_return_message: None,
    };
    assert!(transient.is_transient());
    let duplicate = GatewayError {
        return_code: 2,
        return_message: String::new(),
        sub_return_code: Some(-68),
        sub_return_message: None,
    };
    assert!(duplicate.is_duplicate());
    assert_eq!(
        SubReturnCode::NotFound.to_string(),
        "-101 (not found (order, refund, wallet or disbursement))"
    );
}
