// A required field left out of a builder is a compile error naming the field.
use zalopay_api::order::CreateOrder;

fn main() {
    let _order = CreateOrder::builder()
        .app_trans_id(zalopay_api::ids::AppTransId::try_from("240102_0001").unwrap())
        .app_user("user123")
        .description("Order #1")
        .build();
}
