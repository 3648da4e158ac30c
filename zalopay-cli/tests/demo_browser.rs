//! The demo shop in headless Chromium: the checkout page shows `order_url` as a QR code that
//! decodes (from a screenshot) to exactly that URL; after paying on the emulator's wallet page
//! the order page says "Paid"; after cancelling there it says the payment was not completed and
//! keeps the order payable until it expires (learnt by the shop's status polling, since a
//! cancel sends no callback).
//!
//! Needs the `chromium` binary (Debian package `chromium`). Without it the test is skipped with
//! a notice, except under CI (`CI` set), where it fails.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use zalopay_cli::demo::{DemoOptions, PaymentStatus, start};

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            let path = std::env::var_os("PATH")?;
            std::env::split_paths(&path)
                .map(|dir| dir.join(name))
                .find(|candidate| candidate.is_file())
        })
}

/// A fresh directory under the target's tmp dir (profile and screenshots).
fn scratch(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "demo-browser-{}-{}-{name}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs headless Chromium on `url` with `extra` flags and a fresh profile; returns stdout.
fn run_chromium(browser: &Path, extra: &[String], url: &str) -> String {
    let profile = scratch("profile");
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--window-size=900,1000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let _ = std::fs::remove_dir_all(&profile);
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn screenshot(browser: &Path, url: &str, name: &str) -> PathBuf {
    let file = scratch("shots").join(format!("{name}.png"));
    run_chromium(browser, &[format!("--screenshot={}", file.display())], url);
    assert!(file.is_file(), "no screenshot at {}", file.display());
    file
}

/// Every QR code found in a PNG, decoded.
fn decode_qr(png: &Path) -> Vec<String> {
    let image = image::open(png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|grid| grid.decode().ok().map(|(_, text)| text))
        .collect()
}

/// Chromium: these tests run where users run the pages, in a real browser, so a machine
/// without one fails them rather than passing them unrun (`.ci/run` installs it).
fn chromium_required() -> PathBuf {
    chromium().unwrap_or_else(|| {
        panic!(
            "chromium is not installed: apt-get install chromium (these tests need a real browser)"
        )
    })
}

/// The `order` token of an `order_url` (the wallet page's forms post it back).
fn wallet_token(order_url: &str) -> String {
    reqwest::Url::parse(order_url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "order")
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

/// The shop's `/status` JSON once it is no longer `waiting` (or after 15 s).
async fn settled_status(client: &reqwest::Client, status_url: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let status: Value = client
            .get(status_url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if status["status"] != "waiting" || Instant::now() > deadline {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The order page after its script ran, as Chromium's DOM.
async fn final_dom(browser: &Path, page: &str) -> String {
    let browser = browser.to_owned();
    let page = page.to_owned();
    tokio::task::spawn_blocking(move || {
        run_chromium(
            &browser,
            &[
                "--virtual-time-budget=5000".to_owned(),
                "--dump-dom".to_owned(),
            ],
            &page,
        )
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkout_shows_a_scannable_qr_and_the_paid_result() {
    let browser = chromium_required();
    let demo = start(DemoOptions::default()).await.unwrap();
    let shop = demo.shop_url();

    // (a) "Pay with ZaloPay" as a plain URL load: the shop creates the order and redirects to
    // its order page, which shows order_url as a QR code.
    let checkout = format!("{shop}/checkout?product=coffee");
    let shot = {
        let browser = browser.clone();
        tokio::task::spawn_blocking(move || screenshot(&browser, &checkout, "checkout"))
            .await
            .unwrap()
    };
    let orders = demo.orders().await.unwrap();
    assert_eq!(orders.len(), 1, "one order created: {orders:?}");
    let order = orders[0].clone();
    assert_eq!(order.status, PaymentStatus::Waiting);
    let decoded = decode_qr(&shot);
    assert_eq!(
        decoded,
        vec![order.order_url.clone()],
        "the QR in {} must decode to order_url",
        shot.display()
    );

    // (b) Pay on the emulator's wallet page (its form posted as a browser would), which
    // redirects through the shop's /result to the order page; the callback marks it paid.
    let client = reqwest::Client::new();
    let wallet = client.get(&order.order_url).send().await.unwrap();
    assert!(wallet.status().is_success());
    let wallet_page = wallet.text().await.unwrap();
    assert!(wallet_page.contains("/pay/confirm"), "{wallet_page}");
    let token = wallet_token(&order.order_url);
    let paid = client
        .post(format!("{}/pay/confirm", demo.emulator_url()))
        .form(&[("order", token.as_str())])
        .send()
        .await
        .unwrap();
    let order_page = format!("{shop}/order/{}", order.app_trans_id);
    assert_eq!(
        paid.url().as_str(),
        order_page,
        "redirected back to the shop"
    );

    let status = settled_status(&client, &format!("{order_page}/status")).await;
    assert_eq!(status["status"], "paid", "{status}");
    assert_eq!(status["confirmed_by"], "callback", "{status}");

    let (dom, result_shot) = {
        let browser = browser.clone();
        let page = order_page.clone();
        tokio::task::spawn_blocking(move || {
            let dom = run_chromium(
                &browser,
                &[
                    "--virtual-time-budget=5000".to_owned(),
                    "--dump-dom".to_owned(),
                ],
                &page,
            );
            (dom, screenshot(&browser, &page, "result"))
        })
        .await
        .unwrap()
    };
    let zp_trans_id = status["zp_trans_id"].as_i64().unwrap();
    assert!(dom.contains("Paid: 45.000 ₫"), "{dom}");
    assert!(dom.contains(&format!("zp_trans_id {zp_trans_id}")), "{dom}");
    assert!(dom.contains("class=\"paid\""), "{dom}");
    // The QR is gone once paid.
    assert!(decode_qr(&result_shot).is_empty());
    eprintln!(
        "screenshots: {} and {}",
        shot.display(),
        result_shot.display()
    );

    demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_on_the_wallet_page_shows_a_declined_attempt_and_keeps_the_order_payable() {
    let browser = chromium_required();
    let demo = start(DemoOptions {
        callback_grace: Duration::from_millis(300),
        ..DemoOptions::default()
    })
    .await
    .unwrap();
    let shop = demo.shop_url();
    let client = reqwest::Client::new();

    // "Pay with ZaloPay", then the wallet page's Cancel form, posted as a browser would.
    let checkout = client
        .post(format!("{shop}/checkout"))
        .form(&[("product", "banh-mi")])
        .send()
        .await
        .unwrap();
    assert!(checkout.status().is_success());
    let order = demo.orders().await.unwrap().pop().unwrap();
    let order_page = format!("{shop}/order/{}", order.app_trans_id);
    assert_eq!(checkout.url().as_str(), order_page);
    let wallet_page = client
        .get(&order.order_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        wallet_page.contains("action=\"/pay/cancel\""),
        "{wallet_page}"
    );
    let cancelled = client
        .post(format!("{}/pay/cancel", demo.emulator_url()))
        .form(&[("order", wallet_token(&order.order_url).as_str())])
        .send()
        .await
        .unwrap();
    assert!(cancelled.status().is_success());
    assert_eq!(
        cancelled.url().as_str(),
        order_page,
        "redirected back to the shop (through /result)"
    );

    // No callback for a cancel: the shop's status polling finds 2/-329. Before the order
    // expires that is not the last word (the buyer may still pay it, D-101): the shop says the
    // attempt was declined and keeps the pay box.
    let status = settled_status(&client, &format!("{order_page}/status")).await;
    assert_eq!(status["status"], "declined", "{status}");
    assert_eq!(status["sub_return_code"], -329, "{status}");
    assert!(status["zp_trans_id"].is_null(), "{status}");
    let text = status["text"].as_str().unwrap();
    assert!(text.contains("not completed"), "{status}");
    assert!(text.contains("still pay"), "{status}");

    let dom = final_dom(&browser, &order_page).await;
    assert!(dom.contains("class=\"declined\""), "{dom}");
    assert!(
        dom.contains("The payment was not completed (sub_return_code -329)"),
        "{dom}"
    );
    assert!(!dom.contains("Paid:"), "{dom}");
    // The pay box (QR and wallet link) stays: the order can still be paid.
    assert!(dom.contains("id=\"pay\" class=\"card\">"), "{dom}");

    demo.shutdown().await;
}
