// A misspelt field has no setter.
use zalopay_api::order::QueryOrder;

fn main() {
    let _query = QueryOrder::builder().app_trans_idd("240102_0001").build();
}
