//! The client keeps connections open and reuses them: many calls, few TCP connections.

#[path = "../benches/common/mod.rs"]
#[allow(dead_code)]
mod common;

use zalopay_api::Client;

#[tokio::test]
async fn sequential_calls_share_one_connection_and_bursts_stay_pooled() {
    let (addr, peers) = common::server::start().await;
    let client = Client::new(common::config(&format!("http://{addr}"))).unwrap();
    let order = common::create_order();
    for _ in 0..50 {
        client.send(&order).await.unwrap();
    }
    assert_eq!(
        peers.lock().unwrap().len(),
        1,
        "50 sequential calls, one connection"
    );

    let mut set = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let (client, order) = (client.clone(), order.clone());
        set.spawn(async move { client.send(&order).await.map(|_| ()) });
    }
    while let Some(done) = set.join_next().await {
        done.unwrap().unwrap();
    }
    let after_burst = peers.lock().unwrap().len();
    assert!(
        after_burst <= 16,
        "{after_burst} connections for 16 concurrent calls"
    );

    for _ in 0..50 {
        client.send(&order).await.unwrap();
    }
    assert_eq!(
        peers.lock().unwrap().len(),
        after_burst,
        "pooled connections are reused after the burst"
    );
}
