//! The gateway's answers read tolerantly (issue 21 item 2): an unknown field or a number sent
//! as a string never fails a paid answer, a refund's processing answer or a result code.
#![cfg(feature = "client")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use zalopay_api::client::decode;
use zalopay_api::order::{CreateOrderResponse, OrderStatus, QueryOrderResponse};
use zalopay_api::refund::{QueryRefundResponse, RefundOrderResponse, RefundStatus};

const URL: &str = "http://127.0.0.1/v2/query";

#[test]
fn a_paid_query_answer_with_string_numbers_is_paid() {
    let body = r#"{"return_code":"1","return_message":"Giao dịch thành công","sub_return_code":"1","sub_return_message":"Giao dịch thành công","is_processing":"false","amount":"5000","zp_trans_id":"251024000114790","server_time":"1761285436233","discount_amount":"0"}"#.as_bytes();
    let answer: QueryOrderResponse = decode(URL, body).unwrap();
    assert_eq!(
        answer.status(),
        OrderStatus::Paid {
            zp_trans_id: 251_024_000_114_790,
            amount: 5_000,
            discount_amount: Some(0),
        }
    );
    assert_eq!(answer.server_time, Some(1_761_285_436_233));
}

#[test]
fn a_paid_query_answer_with_unknown_fields_and_null_messages_is_paid() {
    let body = r#"{"return_code":1,"return_message":null,"sub_return_code":1,"sub_return_message":null,"is_processing":false,"amount":22000,"zp_trans_id":260320000000123,"server_time":1774012860000,"status":-1,"user_fee_amount":0,"payment":{"channel":38}}"#.as_bytes();
    let answer: QueryOrderResponse = decode(URL, body).unwrap();
    assert_eq!(
        answer.status(),
        OrderStatus::Paid {
            zp_trans_id: 260_320_000_000_123,
            amount: 22_000,
            discount_amount: None,
        }
    );
}

#[test]
fn a_processing_flag_sent_as_text_still_means_processing() {
    let body = r#"{"return_code":1,"sub_return_code":1,"is_processing":"true","amount":"22000","zp_trans_id":"260320000000123"}"#.as_bytes();
    let answer: QueryOrderResponse = decode(URL, body).unwrap();
    assert_eq!(answer.status(), OrderStatus::Processing);
}

#[test]
fn a_refund_answer_with_a_string_refund_id_keeps_it() {
    let body = r#"{"return_code":3,"return_message":"Giao dịch đang refund!","sub_return_code":"2","sub_return_message":"Giao dịch đang refund!","refund_id":"251024000115043"}"#.as_bytes();
    let answer: RefundOrderResponse = decode(URL, body).unwrap();
    assert_eq!(answer.refund_id, Some(251_024_000_115_043));
    assert_eq!(
        answer.status(),
        RefundStatus::Processing {
            sub_return_code: Some(2)
        }
    );
    let body = r#"{"return_code":"1","return_message":"Hoàn tiền thành công","refund_id":251024000115043,"amount":5000}"#.as_bytes();
    let answer: QueryRefundResponse = decode(URL, body).unwrap();
    assert_eq!(answer.status(), RefundStatus::Refunded);
}

#[test]
fn a_create_answer_with_unknown_fields_is_created() {
    let body = r#"{"return_code":1,"return_message":"Giao dịch thành công","sub_return_code":1,"sub_return_message":"Giao dịch thành công","zp_trans_token":"AC20GSPFx4X0MSYdbaZHfoSw","order_url":"https://qcgateway.zalopay.vn/openinapp?order=x","order_token":"AC20GSPFx4X0MSYdbaZHfoSw","qr_code":"000201","cashier_order_url":"https://sbgateway.zalopay.vn/openinapp?order=x","new_field":{"a":[1,2]}}"#.as_bytes();
    let answer: CreateOrderResponse = decode(URL, body).unwrap();
    assert_eq!(
        answer.zp_trans_token.as_deref(),
        Some("AC20GSPFx4X0MSYdbaZHfoSw")
    );
}

#[test]
fn a_number_out_of_range_is_refused_not_truncated() {
    let body = r#"{"return_code":"99999999999","sub_return_code":1}"#.as_bytes();
    assert!(decode::<QueryOrderResponse>(URL, body).is_err());
    let body =
        r#"{"return_code":1,"sub_return_code":1,"amount":"12.5","zp_trans_id":1}"#.as_bytes();
    assert!(decode::<QueryOrderResponse>(URL, body).is_err());
}
