// Quick pay's encrypted `payment_code` has no setter: only the client fills it, from the raw
// code, with ZaloPay's public key.
use zalopay_api::quickpay::{PaymentCode, QuickPay};

fn main() {
    let _ = QuickPay::builder()
        .app_trans_id(zalopay_api::ids::AppTransId::try_from("240913_1").unwrap())
        .app_user("u")
        .amount(1)
        .payment_code_raw(PaymentCode::new("0123").unwrap())
        .payment_code("ENCRYPTED==")
        .build();
}
