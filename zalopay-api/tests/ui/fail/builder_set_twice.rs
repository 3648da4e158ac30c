// A required field cannot be set twice (the second call would silently win).
use zalopay_api::order::CreateOrder;

fn main() {
    let _order = CreateOrder::builder()
        .amount(50_000)
        .amount(60_000)
        .app_trans_id(zalopay_api::ids::AppTransId::try_from("240102_0001").unwrap())
        .app_user("user123")
        .description("Order #1")
        .build();
}
