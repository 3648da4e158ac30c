// Setters take the field's type (or what converts into it), nothing else.
use zalopay_api::order::CreateOrder;

fn main() {
    let _order = CreateOrder::builder()
        .amount("50000")
        .app_trans_id("240102_0001")
        .app_user("user123")
        .description("Order #1")
        .build();
}
