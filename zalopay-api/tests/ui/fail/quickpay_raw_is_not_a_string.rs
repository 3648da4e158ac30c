// The raw payment code is a `PaymentCode` (validated, redacted, wiped on drop), not a string
// that ciphertext could be passed as.
use zalopay_api::quickpay::QuickPay;

fn main() {
    let _ = QuickPay::builder()
        .app_trans_id(zalopay_api::ids::AppTransId::try_from("240913_1").unwrap())
        .app_user("u")
        .amount(1)
        .payment_code_raw("012345678901234567")
        .build();
}
