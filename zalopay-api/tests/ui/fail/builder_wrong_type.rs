// Setters take the field's type (or what converts into it), nothing else.
use zalopay_api::order::CreateOrder;

fn main() {
    let _order = CreateOrder::builder()
        .amount("50000")
        .app_trans_id(zalopay_api::ids::AppTransId::try_from("240102_0001").unwrap())
        .app_user("user123")
        .description("Order #1")
        .build();
}
