// A builder is not a request: it must be built before it can be sent.
use zalopay_api::order::QueryOrder;
use zalopay_api::{Client, Config};

async fn run(client: &Client) {
    let query = QueryOrder::builder().app_trans_id(zalopay_api::ids::AppTransId::try_from("240102_0001").unwrap());
    let _ = client.send(&query).await;
}

fn main() {
    let _ = run;
    let _ = Config::sandbox_demo();
}
