//! The emulator is at least as strict as the gateway, and no request value can break it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::*;
use serde_json::{Value, json};

async fn refund_at(env: &Env, m_refund_id: &str, zp: i64, amount: i64, timestamp: i64) -> Value {
    env.form(
        "/v2/refund",
        &[
            ("app_id", APP.to_string()),
            ("m_refund_id", m_refund_id.to_owned()),
            ("zp_trans_id", zp.to_string()),
            ("amount", amount.to_string()),
            ("timestamp", timestamp.to_string()),
            ("description", "refund".into()),
            (
                "mac",
                mac(KEY1, &format!("{APP}|{zp}|{amount}|refund|{timestamp}")),
            ),
        ],
    )
    .await
}

async fn paid_order(env: &Env, id: &str, amount: i64) -> i64 {
    assert_eq!(code(&env.create(id, amount, &[]).await), (1, 1));
    env.pay(id).await["order"]["zp_trans_id"].as_i64().unwrap()
}

/// Issue 10 item 10: a correctly signed refund with `timestamp` i64::MIN used to panic the
/// handler ("attempt to subtract with overflow") and drop the connection.
#[tokio::test]
async fn extreme_refund_timestamps_are_refused_not_fatal() {
    let env = start().await;
    let zp = paid_order(&env, &format!("{TODAY}_min"), 10_000).await;
    for timestamp in [i64::MIN, i64::MIN + 1, i64::MAX, -1, 0] {
        let body = refund_at(&env, &format!("{TODAY}_{APP}_t"), zp, 1000, timestamp).await;
        assert_eq!(code(&body), (2, -13), "{timestamp}: {body}");
    }
    // The emulator is still serving, and nothing was refunded.
    assert!(env.running.state().refunds().is_empty());
    let body = refund_at(&env, &format!("{TODAY}_{APP}_t"), zp, 1000, NOW).await;
    assert_eq!(code(&body), (1, 1), "{body}");
}

/// Hand-signed create with every field given.
fn create_with(
    id: &str,
    amount: &str,
    app_time: &str,
    extra: &[(&str, &str)],
) -> Vec<(String, String)> {
    let input = format!("{APP}|{id}|user123|{amount}|{app_time}|{{}}|[]");
    let mut params: Vec<(String, String)> = [
        ("app_id", APP.to_string()),
        ("app_trans_id", id.to_owned()),
        ("app_user", "user123".to_owned()),
        ("app_time", app_time.to_owned()),
        ("amount", amount.to_owned()),
        ("item", "[]".to_owned()),
        ("embed_data", "{}".to_owned()),
        ("description", "d".to_owned()),
        ("mac", mac(KEY1, &input)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    for (k, v) in extra {
        params.push(((*k).to_owned(), (*v).to_owned()));
    }
    params
}

#[tokio::test]
async fn extreme_values_anywhere_are_answered_in_band() {
    let env = start().await;
    let min = i64::MIN.to_string();
    let max = i64::MAX.to_string();
    for (n, (amount, app_time, extra)) in [
        ("0", NOW.to_string(), vec![]),
        (min.as_str(), NOW.to_string(), vec![]),
        ("1000", min.clone(), vec![]),
        ("1000", max.clone(), vec![]),
        (
            "1000",
            NOW.to_string(),
            vec![("expire_duration_seconds", max.as_str())],
        ),
        (
            "1000",
            NOW.to_string(),
            vec![("expire_duration_seconds", min.as_str())],
        ),
        ("99999999999999999999", NOW.to_string(), vec![]),
    ]
    .into_iter()
    .enumerate()
    {
        let id = format!("{TODAY}_x{n}");
        let params = create_with(&id, amount, &app_time, &extra);
        let body = env.form("/v2/create", &params).await;
        assert_eq!(
            code(&body),
            (2, -401),
            "{amount} {app_time} {extra:?}: {body}"
        );
    }
    // A huge but valid amount is an order; paying and refunding it near i64::MAX is fine.
    let big = format!("{TODAY}_big");
    let params = create_with(&big, &max, &NOW.to_string(), &[]);
    assert_eq!(code(&env.form("/v2/create", &params).await), (1, 1));
    let zp = env.pay(&big).await["order"]["zp_trans_id"]
        .as_i64()
        .unwrap();
    let r = refund_at(&env, &format!("{TODAY}_{APP}_b1"), zp, i64::MAX - 1, NOW).await;
    assert_eq!(code(&r), (1, 1), "{r}");
    let r = refund_at(&env, &format!("{TODAY}_{APP}_b2"), zp, i64::MAX, NOW).await;
    assert_eq!(code(&r), (2, -14), "{r}");
    let r = refund_at(&env, &format!("{TODAY}_{APP}_b3"), zp, 1, NOW).await;
    assert_eq!(code(&r), (1, 1), "{r}");
    // Agreement bind with extreme max_amount / req_date.
    for (max_amount, req_date) in [
        (min.as_str(), NOW.to_string()),
        ("0", min.clone()),
        ("0", max.clone()),
    ] {
        let bid = format!("{TODAY}_bx");
        let input = format!("{APP}|{bid}|{{}}|WALLET|u|{max_amount}|{req_date}");
        let body = env
            .form(
                "/v2/agreement/bind",
                &[
                    ("app_id", APP.to_string()),
                    ("app_trans_id", bid.clone()),
                    ("binding_data", "{}".into()),
                    ("binding_type", "WALLET".into()),
                    ("identifier", "u".into()),
                    ("max_amount", max_amount.to_owned()),
                    ("req_date", req_date.clone()),
                    ("mac", mac(KEY1, &input)),
                ],
            )
            .await;
        assert_eq!(code(&body), (2, -401), "{max_amount} {req_date}: {body}");
    }
}

/// Issue 10 item 12: `app_time` must be within 15 minutes of the gateway's clock, both ways.
#[tokio::test]
async fn app_time_must_be_within_15_minutes_either_way() {
    let env = start().await;
    let minute = 60_000;
    for (n, offset, accepted) in [
        (0, -60 * minute, false),
        (1, 60 * minute, false),
        (2, -15 * minute - 1, false),
        (3, 15 * minute + 1, false),
        (4, -15 * minute, true),
        (5, 15 * minute, true),
    ] {
        let id = format!("{TODAY}_at{n}");
        let params = create_with(&id, "1000", &(NOW + offset).to_string(), &[]);
        let body = env.form("/v2/create", &params).await;
        if accepted {
            assert_eq!(code(&body), (1, 1), "{offset}: {body}");
        } else {
            assert_eq!(code(&body), (2, -401), "{offset}: {body}");
            assert_eq!(body["return_message"], "Giao dịch thất bại", "{body}");
            assert!(
                body["sub_return_message"]
                    .as_str()
                    .unwrap()
                    .contains("app_time"),
                "{body}"
            );
        }
    }
    // The rule follows the emulator's clock.
    env.clock.advance(Duration::from_secs(16 * 60));
    let params = create_with(&format!("{TODAY}_late"), "1000", &NOW.to_string(), &[]);
    assert_eq!(code(&env.form("/v2/create", &params).await), (2, -401));
}

/// Issue 10 item 13: a GET carries its parameters in the query string; a stray body (a JSON
/// `""` with `Content-Type: application/json`, as one widely used client sends) is ignored.
#[tokio::test]
async fn get_parameters_come_from_the_query_string_and_a_stray_body_is_ignored() {
    let env = start().await;
    let ref_id = "zodref1";
    let create = env
        .form(
            "/v2/zod",
            &[
                ("appId", APP.to_string()),
                ("mcRefId", ref_id.to_owned()),
                ("amount", "5000".into()),
                ("receiver", r#"{"contact":"0904123456"}"#.into()),
                ("orderInfo", "[]".into()),
                ("mcExtInfo", "{}".into()),
                ("mac", mac(KEY1, &format!("{APP}|{ref_id}|5000|{{}}"))),
            ],
        )
        .await;
    assert_eq!(code(&create), (1, 1), "{create}");
    let query = serde_urlencoded::to_string([
        ("appId", APP.to_string()),
        ("mcRefId", ref_id.to_owned()),
        ("mac", mac(KEY1, &format!("{APP}|{ref_id}"))),
    ])
    .unwrap();
    for path in ["/v2/zod/invoice", "/v2/zod/status"] {
        for (content_type, body) in [
            ("application/json", "\"\""),
            ("application/json", "{\"appId\":1}"),
            ("application/x-www-form-urlencoded", "appId=1&mac=x"),
            ("text/plain", "junk"),
        ] {
            let answer: Value = env
                .http
                .get(format!("{}{path}?{query}", env.base()))
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(
                code(&answer),
                (1, 1),
                "{path} {content_type} {body}: {answer}"
            );
        }
    }
}

async fn query_refund(env: &Env, m_refund_id: &str) -> Value {
    let ts = env.running.state().now_ms();
    env.json(
        "/v2/query_refund",
        &json!({
            "app_id": APP, "m_refund_id": m_refund_id, "timestamp": ts,
            "mac": mac(KEY1, &format!("{APP}|{m_refund_id}|{ts}")),
        }),
    )
    .await
}

/// Issue 10 item 14: with a refund delay, a refund answers 3 and stays 3 until it settles on
/// the emulator's clock, then 1.
#[tokio::test]
async fn refunds_settle_after_the_configured_delay() {
    let mut config = fast_config();
    config.refund_delay = Duration::from_secs(60);
    let env = start_with(config).await;
    let zp = paid_order(&env, &format!("{TODAY}_rd"), 10_000).await;
    let m_refund_id = format!("{TODAY}_{APP}_rd");
    let answer = refund_at(&env, &m_refund_id, zp, 4000, NOW).await;
    assert_eq!(code(&answer), (3, 2), "{answer}");
    assert!(answer["refund_id"].as_i64().unwrap() > 0);
    assert_eq!(code(&query_refund(&env, &m_refund_id).await), (3, 2));
    // While it is processing the amount is held: no over-refund.
    let over = refund_at(&env, &format!("{TODAY}_{APP}_rd2"), zp, 6001, NOW).await;
    assert_eq!(code(&over), (2, -14), "{over}");
    // Re-sending the same m_refund_id is a duplicate, not a second refund.
    let again = refund_at(&env, &m_refund_id, zp, 4000, NOW).await;
    assert_eq!(code(&again), (2, -23));
    env.clock.advance(Duration::from_secs(59));
    assert_eq!(code(&query_refund(&env, &m_refund_id).await), (3, 2));
    env.clock.advance(Duration::from_secs(1));
    let settled = query_refund(&env, &m_refund_id).await;
    assert_eq!(code(&settled), (1, 1), "{settled}");
    assert_eq!(settled["amount"], 4000);
    assert_eq!(env.running.state().refunds().len(), 1);

    // Without a delay, refunds complete at once (the default).
    let env = start().await;
    let zp = paid_order(&env, &format!("{TODAY}_rn"), 10_000).await;
    let id = format!("{TODAY}_{APP}_rn");
    assert_eq!(code(&refund_at(&env, &id, zp, 4000, NOW).await), (1, 1));
    assert_eq!(code(&query_refund(&env, &id).await), (1, 1));
}

/// Issue 26 item 2 (schemathesis): a ZOD invoice's `orderInfo` items are objects whose
/// `amount` is an int64, and its `receiver` is an object; a value the gateway's reader cannot
/// bind is refused with -401, and well-formed items (a negative amount included: nothing
/// documents a lower bound) pass.
#[tokio::test]
async fn zod_order_info_items_must_bind() {
    let env = start().await;
    let cases = [
        (r#"[{"amount":-9223372036854775809}]"#, (2, -401)),
        (r#"[{"amount":12.5}]"#, (2, -401)),
        (r#"[{"amount":"1000"}]"#, (2, -401)),
        (r#"[{"amount":1000.0}]"#, (2, -401)),
        (r#"[1]"#, (2, -401)),
        (r#"{"amount":1}"#, (2, -401)),
        (r#"[{"trackingNumber":"T1","amount":-333}]"#, (1, 1)),
        (
            r#"[{"trackingNumber":"T1","description":"d","amount":5000}]"#,
            (1, 1),
        ),
        (r#"[{}]"#, (1, 1)),
    ];
    let cases = cases
        .into_iter()
        .map(|(info, expected)| (info, r#"{"contact":"0904123456"}"#, expected));
    // `receiver` is a JSON object too.
    let receivers = [
        ("[]", r#"[{"contact":"0904123456"}]"#, (2, -401)),
        ("[]", r#""0904123456""#, (2, -401)),
        ("[]", "{}", (1, 1)),
    ];
    for (index, (order_info, receiver, expected)) in cases.chain(receivers).enumerate() {
        let ref_id = format!("zoditems{index}");
        let answer = env
            .form(
                "/v2/zod",
                &[
                    ("appId", APP.to_string()),
                    ("mcRefId", ref_id.clone()),
                    ("amount", "5000".into()),
                    ("receiver", receiver.into()),
                    ("orderInfo", order_info.into()),
                    ("mcExtInfo", "{}".into()),
                    ("mac", mac(KEY1, &format!("{APP}|{ref_id}|5000|{{}}"))),
                ],
            )
            .await;
        assert_eq!(code(&answer), expected, "{order_info}: {answer}");
    }
}
