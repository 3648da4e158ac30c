//! `zalopay demo --data-dir`: the shop's orders live in its tracker database, so an order
//! created before a restart can still be paid after it and shows its result (the callback went
//! to the old process and is lost; the restarted tracker's poll finds the payment).

use std::time::Duration;

use zalopay_cli::demo::{DemoOptions, PaymentStatus, start};
use zalopay_tracker::Store as _;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_created_before_a_restart_is_paid_and_shown_after_it() {
    let dir = std::env::temp_dir().join(format!("zalopay-demo-restart-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let options = DemoOptions {
        callback_grace: Duration::from_millis(300),
        poll_interval: Duration::from_millis(300),
        emulator_data_dir: Some(dir.join("emulator")),
        shop_data_dir: Some(dir.join("shop")),
        ..DemoOptions::default()
    };
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let before = start(options.clone()).await.unwrap();
    let checkout = http
        .post(format!("{}/checkout", before.shop_url()))
        .form(&[("product", "coffee")])
        .send()
        .await
        .unwrap();
    let location = checkout.headers()["location"].to_str().unwrap().to_owned();
    let id = location.strip_prefix("/order/").unwrap().to_owned();
    before.shutdown().await;

    let after = start(options).await.unwrap();
    let orders = after.orders().await.unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].app_trans_id, id);
    assert_eq!(orders[0].status, PaymentStatus::Waiting);
    let paid = http
        .post(format!("{}/emulator/orders/{id}/pay", after.emulator_url()))
        .send()
        .await
        .unwrap();
    assert!(paid.status().is_success(), "{:?}", paid.text().await);
    let status_url = format!("{}/order/{id}/status", after.shop_url());
    let mut status = serde_json::Value::Null;
    for _ in 0..200 {
        status = http
            .get(&status_url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if status["status"] == "paid" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status["status"], "paid", "{status}");
    assert_eq!(status["confirmed_by"], "query", "{status}");
    let events = after.tracker().store().events(Some(&id), 10).await;
    after.shutdown().await;
    let events = events.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].idempotency_key, format!("order:{id}:paid"));

    // `zalopay tracker` lists the same database.
    let db = dir.join("shop").join("shop.db");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_zalopay"))
            .args(args)
            .arg("--db")
            .arg(&db)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let orders = run(&["tracker", "orders"]);
    let line = orders.lines().find(|l| l.starts_with(&id)).unwrap();
    assert!(
        line.contains(" paid ") && line.contains("45000") && line.contains("query"),
        "{orders}"
    );
    let listed = run(&["tracker", "events", "--order", &id]);
    assert!(
        listed.contains(&format!("done        order:{id}:paid  paid 45000 VND")),
        "{listed}"
    );
}

/// The wallet link the shop shows for an order created before a restart still opens the
/// emulator's payment page after it, and paying there pays the order (issue 21: the link
/// pointed at the old emulator's port, which a restarted demo no longer listened on).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_link_the_shop_shows_pays_an_order_created_before_a_restart() {
    let dir =
        std::env::temp_dir().join(format!("zalopay-demo-restart-link-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let options = DemoOptions {
        callback_grace: Duration::from_millis(300),
        poll_interval: Duration::from_millis(300),
        emulator_data_dir: Some(dir.join("emulator")),
        shop_data_dir: Some(dir.join("shop")),
        ..DemoOptions::default()
    };
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let before = start(options.clone()).await.unwrap();
    let checkout = http
        .post(format!("{}/checkout", before.shop_url()))
        .form(&[("product", "coffee")])
        .send()
        .await
        .unwrap();
    let location = checkout.headers()["location"].to_str().unwrap().to_owned();
    let id = location.strip_prefix("/order/").unwrap().to_owned();
    let emulator_before = before.emulator_url();
    before.shutdown().await;

    let after = start(options).await.unwrap();
    assert_eq!(after.emulator_url(), emulator_before, "the emulator moved");
    let status: serde_json::Value = http
        .get(format!("{}/order/{id}/status", after.shop_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let link = status["order_url"].as_str().unwrap().to_owned();
    // The order page shows the same link (as text and as the QR code's content).
    let order_page = http
        .get(format!("{}/order/{id}", after.shop_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        order_page.contains(&zalopay_emulator::escape_html(&link)),
        "{order_page}"
    );

    // Open the link as the buyer's browser would, and press Pay on the page it shows.
    let wallet = http.get(&link).send().await;
    let wallet = wallet
        .unwrap_or_else(|e| panic!("the shop's link {link} does not open after a restart: {e}"));
    assert!(wallet.status().is_success(), "{:?}", wallet.status());
    let page = wallet.text().await.unwrap();
    let (_, rest) = page
        .split_once("action=\"/pay/confirm\"><input type=\"hidden\" name=\"order\" value=\"")
        .unwrap_or_else(|| panic!("no Pay form on the wallet page: {page}"));
    let (order_field, _) = rest.split_once('"').unwrap();
    let order_field = order_field
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let origin = link.split("/pay?").next().unwrap();
    let paid = http
        .post(format!("{origin}/pay/confirm"))
        .form(&[("order", order_field.as_str())])
        .send()
        .await
        .unwrap();
    assert!(
        paid.status().is_success() || paid.status().is_redirection(),
        "{:?}",
        paid.text().await
    );

    let status_url = format!("{}/order/{id}/status", after.shop_url());
    let mut status = serde_json::Value::Null;
    for _ in 0..200 {
        status = http
            .get(&status_url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if status["status"] == "paid" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    after.shutdown().await;
    assert_eq!(status["status"], "paid", "{status}");
    let _ = std::fs::remove_dir_all(&dir);
}
