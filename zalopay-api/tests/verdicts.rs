//! One code table decides every verdict (issue 21): every documented code, and a few no source
//! documents, against every status type. No temporary, request-level, duplicate, not-found or
//! unknown code yields a final state; success, business failure and expiry do where the type
//! has such a state.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde::de::DeserializeOwned;
use zalopay_api::GatewayResponse;
use zalopay_api::agreement::{AgreementPayResponse, AgreementQueryResponse, BindingStatus};
use zalopay_api::codes::{CodeClass, DOCUMENTED, SubReturnCode, classify};
use zalopay_api::disbursement::{
    DisbursementStatus, DisbursementTopupResponse, DisbursementTxnResponse, QueryTxnResponse,
    TransferFundResponse,
};
use zalopay_api::hybrid::HybridPayResponse;
use zalopay_api::order::{OrderStatus, QueryOrderResponse};
use zalopay_api::quickpay::{QuickPayResponse, QuickPayStatus};
use zalopay_api::refund::{QueryRefundResponse, RefundOrderResponse};
use zalopay_api::tokenization::TokenizationQueryResponse;
use zalopay_api::zod::{ZodOrderStatus, ZodStatusResponse};

/// Codes no source documents: negative, positive beyond the pending family, large.
const UNDOCUMENTED: &[i32] = &[-7, -77, -777, -7777, -100_000, 101, 777, 7777];

fn decode<T: DeserializeOwned>(json: String) -> T {
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

/// `(return_code, sub_return_code)` pairs to try for a code: as the sub code under 1, 2 and
/// 3, and alone in `return_code`.
fn answers(code: i32) -> Vec<(i32, Option<i32>)> {
    vec![
        (1, Some(code)),
        (2, Some(code)),
        (3, Some(code)),
        (code, None),
    ]
}

fn codes_json(return_code: i32, sub: Option<i32>) -> String {
    match sub {
        Some(sub) => format!(
            r#""return_code":{return_code},"return_message":"m","sub_return_code":{sub},"sub_return_message":"s""#
        ),
        None => format!(r#""return_code":{return_code},"return_message":"m""#),
    }
}

/// Every status type's verdict for one answer: (type, is_final).
fn verdicts(return_code: i32, sub: Option<i32>) -> Vec<(&'static str, bool)> {
    let codes = codes_json(return_code, sub);
    let mut out = Vec::new();
    for processing in [false, true] {
        let order: QueryOrderResponse = decode(format!(
            r#"{{{codes},"is_processing":{processing},"amount":1000,"zp_trans_id":240913000002388}}"#
        ));
        out.push(("order", order.status().is_final()));
        let quick: QuickPayResponse = decode(format!(
            r#"{{{codes},"is_processing":{processing},"zp_trans_id":240913000002388}}"#
        ));
        out.push(("quick pay", quick.status().is_final()));
    }
    let refund: QueryRefundResponse = decode(format!("{{{codes}}}"));
    out.push(("refund query", refund.status().is_final()));
    let refund: RefundOrderResponse = decode(format!(r#"{{{codes},"refund_id":1}}"#));
    out.push(("refund", refund.status().is_final()));
    let pay: AgreementPayResponse = decode(format!("{{{codes}}}"));
    out.push(("agreement pay", pay.status().is_final()));
    for status in [1, 3, 4] {
        let binding: AgreementQueryResponse =
            decode(format!(r#"{{{codes},"data":{{"status":{status}}}}}"#));
        out.push(("binding", binding.status().is_final()));
        let token: TokenizationQueryResponse = decode(format!(r#"{{{codes},"status":{status}}}"#));
        out.push(("tokenization", token.status().is_final()));
    }
    for status in [1, 2] {
        let data = format!(r#""data":{{"status":{status}}}"#);
        let txn: DisbursementTxnResponse = decode(format!("{{{codes},{data}}}"));
        out.push(("disbursement txn", txn.status().is_final()));
        let topup: DisbursementTopupResponse = decode(format!("{{{codes},{data}}}"));
        out.push(("disbursement topup", topup.status().is_final()));
        let query: QueryTxnResponse = decode(format!("{{{codes},{data}}}"));
        out.push(("aio query-txn", query.status().is_final()));
        let transfer: TransferFundResponse = decode(format!("{{{codes},{data}}}"));
        out.push(("aio transfer-fund", transfer.status().is_final()));
        let zod: ZodStatusResponse = decode(format!(r#"{{{codes},"status":{status}}}"#));
        out.push(("zod", zod.status().is_final()));
    }
    let hybrid: HybridPayResponse = decode(format!("{{{codes}}}"));
    out.push(("hybrid", hybrid.status().is_final()));
    out
}

#[test]
fn every_documented_code_has_one_class_and_undocumented_ones_are_unknown() {
    for &code in DOCUMENTED {
        assert_ne!(
            SubReturnCode::from(code).class(),
            CodeClass::Unknown,
            "{code} is documented: it needs a class"
        );
    }
    for &code in UNDOCUMENTED {
        assert_eq!(
            SubReturnCode::from(code).class(),
            CodeClass::Unknown,
            "{code}"
        );
    }
    // The headline codes: maintenance and system errors are temporary, never failures.
    for code in [-33, -88, -135, -301, -429, -500, -503, -999] {
        assert_eq!(
            SubReturnCode::from(code).class(),
            CodeClass::Temporary,
            "{code}"
        );
        assert!(SubReturnCode::from(code).is_transient(), "{code}");
    }
}

#[test]
fn no_code_that_is_not_final_makes_any_status_final() {
    let mut checked = 0;
    for &code in DOCUMENTED.iter().chain(UNDOCUMENTED) {
        for (return_code, sub) in answers(code) {
            let class = classify(return_code, sub);
            if class.is_final() {
                continue;
            }
            for (kind, is_final) in verdicts(return_code, sub) {
                assert!(
                    !is_final,
                    "{kind}: return_code {return_code}, sub_return_code {sub:?} is {class:?}, yet final"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 2_000, "{checked}");
}

#[test]
fn every_class_reads_as_the_table_says() {
    // Success, failure and expiry are final where the type has that state.
    let paid: QueryOrderResponse = decode(format!(
        r#"{{{},"is_processing":false,"amount":1000,"zp_trans_id":1}}"#,
        codes_json(1, Some(1))
    ));
    assert!(matches!(paid.status(), OrderStatus::Paid { .. }));
    for (sub, expected) in [
        (
            -329,
            OrderStatus::Failed {
                sub_return_code: Some(-329),
            },
        ),
        (
            -63,
            OrderStatus::Failed {
                sub_return_code: Some(-63),
            },
        ),
        (-54, OrderStatus::Expired),
        (
            -101,
            OrderStatus::NotFound {
                sub_return_code: -101,
            },
        ),
        (
            -92,
            OrderStatus::NotFound {
                sub_return_code: -92,
            },
        ),
        (
            -7777,
            OrderStatus::Unknown {
                return_code: 2,
                sub_return_code: Some(-7777),
            },
        ),
    ] {
        let answer: QueryOrderResponse = decode(format!(
            r#"{{{},"is_processing":false}}"#,
            codes_json(2, Some(sub))
        ));
        assert_eq!(answer.status(), expected, "{sub}");
    }
    // A `2` without a sub code is not recognised either.
    let bare: QueryOrderResponse = decode(format!(r#"{{{}}}"#, codes_json(2, None)));
    assert!(!bare.status().is_final(), "{:?}", bare.status());

    // Binding / disbursement / ZOD read their data once the codes allow it.
    let confirmed: AgreementQueryResponse = decode(format!(
        r#"{{{},"data":{{"status":1}}}}"#,
        codes_json(1, Some(1))
    ));
    assert_eq!(confirmed.status(), BindingStatus::Confirmed);
    let disbursed: DisbursementTxnResponse = decode(format!(
        r#"{{{},"data":{{"status":1}}}}"#,
        codes_json(1, Some(1))
    ));
    assert_eq!(disbursed.status(), DisbursementStatus::Disbursed);
    let maintenance: ZodStatusResponse =
        decode(format!(r#"{{{},"status":2}}"#, codes_json(2, Some(-135))));
    assert!(matches!(
        maintenance.status(),
        ZodOrderStatus::Unknown { .. }
    ));
    let zod_paid: ZodStatusResponse = decode(r#"{"status":1,"amount":"430000"}"#.to_owned());
    assert_eq!(zod_paid.status(), ZodOrderStatus::Paid);
}

#[test]
fn maintenance_answers_to_an_order_query_are_refusals_to_retry_never_failures() {
    for sub in [-33, -88, -135, -301] {
        let answer: QueryOrderResponse = decode(format!(
            r#"{{{},"is_processing":false,"amount":0,"zp_trans_id":0}}"#,
            codes_json(2, Some(sub))
        ));
        assert!(!answer.status().is_final(), "{sub}: {:?}", answer.status());
        let refusal = answer.rejection().unwrap_or_else(|| panic!("{sub}"));
        assert!(refusal.is_transient(), "{sub}");
    }
}

/// Quick pay (issue 23): `1` while processing is not paid yet, a `2` while processing is not a
/// refusal, `-322` (code expired or used) is final.
#[test]
fn quick_pay_reads_is_processing() {
    let answer = |return_code: i32, sub: Option<i32>, processing: bool| -> QuickPayResponse {
        decode(format!(
            r#"{{{},"is_processing":{processing},"zp_trans_id":77}}"#,
            codes_json(return_code, sub)
        ))
    };
    let paid = answer(1, Some(1), false);
    assert_eq!(
        paid.status(),
        QuickPayStatus::Paid {
            zp_trans_id: Some(77)
        }
    );
    assert!(paid.status().is_final());

    let not_yet = answer(1, Some(1), true);
    assert_eq!(not_yet.status(), QuickPayStatus::Processing);
    assert!(!not_yet.status().is_final());
    assert!(not_yet.rejection().is_none());

    let in_progress = answer(2, Some(-7777), true);
    assert_eq!(in_progress.status(), QuickPayStatus::Processing);
    assert!(
        in_progress.rejection().is_none(),
        "a 2 while processing is not a refusal"
    );
    // ... but a maintenance refusal stays a refusal, processing or not.
    let maintenance = answer(2, Some(-33), true);
    assert!(maintenance.rejection().is_some_and(|e| e.is_transient()));
    assert!(!maintenance.status().is_final());

    let used = answer(2, Some(-322), false);
    assert_eq!(
        used.status(),
        QuickPayStatus::Expired {
            sub_return_code: Some(-322)
        }
    );
    assert!(used.status().is_final());
    assert!(used.rejection().is_some());
    assert_eq!(
        answer(3, Some(3), false).status(),
        QuickPayStatus::Processing
    );
}
