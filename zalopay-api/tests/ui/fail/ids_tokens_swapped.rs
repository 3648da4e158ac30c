// Agreement pay takes the order's token and the binding's pay token: swapping them does not
// compile.
use zalopay_api::agreement::AgreementPay;
use zalopay_api::ids::{PayToken, ZpTransToken};

fn main() {
    let zp_trans_token = ZpTransToken::try_from("ACdrmzS_TGxHZyafUiHs3OjQ").unwrap();
    let pay_token = PayToken::try_from("NJLHNTRLZDETZGQYZI0ZNTBKLTGWZJKTMTKXYJHLMWI5NTFI").unwrap();
    let _pay = AgreementPay::builder()
        .identifier("user")
        .zp_trans_token(pay_token)
        .pay_token(zp_trans_token)
        .build();
}
