// A bare string is not an id: convert it with `AppTransId::try_from`, which checks its shape.
use zalopay_api::order::QueryOrder;

fn main() {
    let _query = QueryOrder::builder().app_trans_id("240102_0001").build();
}
