//! Many clients at once: nothing is lost or mixed up.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashSet;
use std::sync::Arc;

use common::*;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_creates_pays_and_queries() {
    let mut merchant = Merchant::ok().await;
    let env = Arc::new(start_with_callback(&merchant.url()).await);
    let mut tasks = Vec::new();
    for i in 0..50 {
        let env = env.clone();
        tasks.push(tokio::spawn(async move {
            let id = format!("{TODAY}_conc_{i}");
            let amount = 1000 + i;
            let created = env.create(&id, amount, &[]).await;
            assert_eq!(code(&created), (1, 1), "{created}");
            assert_eq!(code(&env.query(&id).await), (3, 3));
            let paid = env.pay(&id).await;
            assert_eq!(code(&paid), (1, 1), "{paid}");
            let queried = env.query(&id).await;
            assert_eq!(code(&queried), (1, 1), "{queried}");
            assert_eq!(queried["amount"], amount);
            assert_eq!(queried["zp_trans_id"], paid["order"]["zp_trans_id"]);
            queried["zp_trans_id"].as_i64().unwrap()
        }));
    }
    let mut zp_ids = HashSet::new();
    for task in tasks {
        assert!(zp_ids.insert(task.await.unwrap()), "zp_trans_id reused");
    }
    assert_eq!(zp_ids.len(), 50);

    let orders = env.orders().await;
    assert_eq!(orders.len(), 50);
    assert!(orders.iter().all(|o| o["state"] == "paid"));

    let mut called_back = HashSet::new();
    for _ in 0..50 {
        let callback = merchant.next().await;
        let data = callback["data"].as_str().unwrap();
        assert!(verify(KEY2, data, callback["mac"].as_str().unwrap()));
        let data: Value = serde_json::from_str(data).unwrap();
        assert!(called_back.insert(data["app_trans_id"].as_str().unwrap().to_owned()));
    }
    assert_eq!(called_back.len(), 50);
}
