//! The `zalopay` binary against an in-process emulator on 127.0.0.1: every subcommand once
//! with its JSON output checked, and the documented error cases.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::SocketAddr;
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;
use zalopay_api::Keys;
use zalopay_emulator::{Emulator, EmulatorConfig, EmulatorState, RunningEmulator};

const BIN: &str = env!("CARGO_BIN_EXE_zalopay");
const KEY1: &str = "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL";
const KEY2: &str = "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz";

/// An emulator on 127.0.0.1:0 with the runtime that serves it.
struct Emu {
    rt: tokio::runtime::Runtime,
    running: RunningEmulator,
}

impl Emu {
    fn start() -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let running = rt
            .block_on(Emulator::spawn(
                EmulatorState::new(EmulatorConfig::default()),
                SocketAddr::from(([127, 0, 0, 1], 0)),
            ))
            .unwrap();
        Self { rt, running }
    }

    fn url(&self) -> String {
        self.running.base_url()
    }

    /// Runs `zalopay` against this emulator with the demo app from the defaults.
    fn run(&self, args: &[&str]) -> Output {
        zalopay(&self.url(), args, None)
    }

    fn ok(&self, args: &[&str]) -> Value {
        ok_json(self.run(args))
    }

    /// `POST` to the emulator (test hooks).
    fn post(&self, path: &str) -> Value {
        let url = format!("{}{path}", self.url());
        self.rt.block_on(async {
            reqwest::Client::new()
                .post(url)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap()
        })
    }

    /// A created and paid order: (app_trans_id, zp_trans_id).
    fn paid_order(&self, amount: i64) -> (String, i64) {
        let created = self.ok(&[
            "order",
            "create",
            "--amount",
            &amount.to_string(),
            "--description",
            "paid order",
        ]);
        let id = created["app_trans_id"].as_str().unwrap().to_owned();
        let paid = self.post(&format!("/emulator/orders/{id}/pay"));
        let zp = paid["order"]["zp_trans_id"].as_i64().unwrap();
        (id, zp)
    }
}

fn zalopay(endpoint: &str, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env("ZALOPAY_ENDPOINT", endpoint)
        .env_remove("ZALOPAY_APP_ID")
        .env_remove("ZALOPAY_KEY1")
        .env_remove("ZALOPAY_KEY2")
        .env_remove("ZALOPAY_RSA_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        input.write_all(bytes).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn ok_json(output: Output) -> Value {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// Fails, with one error line on stderr (after at most one line naming the id being sent);
/// returns that line.
fn fails(output: Output) -> String {
    assert!(!output.status.success(), "expected failure: {output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    let lines: Vec<&str> = stderr.trim_end().lines().collect();
    let (error, before) = lines.split_last().expect("an error line");
    assert!(before.len() <= 1, "one error line: {stderr}");
    for line in before {
        assert!(line.starts_with("zalopay: sending "), "{stderr}");
    }
    assert!(output.stdout.is_empty(), "nothing on stdout on error");
    format!("{error}\n")
}

fn demo_keys() -> Keys {
    Keys::new(KEY1, KEY2).unwrap()
}

#[test]
fn order_create_query_wait_and_cancel() {
    let emu = Emu::start();
    let created = emu.ok(&[
        "order",
        "create",
        "--amount",
        "50000",
        "--description",
        "Shop - Payment for the order #1",
        "--item",
        r#"[{"itemid":"a","itemprice":50000}]"#,
        "--embed-data",
        r#"{"redirecturl":"http://127.0.0.1:1/result"}"#,
        "--bank-code",
        "zalopayapp",
        "--app-user",
        "user123",
    ]);
    assert_eq!(created["return_code"], 1);
    let id = created["app_trans_id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 27, "yyMMdd_ + 20 digits: {id}");
    assert!(
        created["order_url"]
            .as_str()
            .unwrap()
            .contains("/pay?order=")
    );
    assert!(created["zp_trans_token"].is_string());

    let query = emu.ok(&["order", "query", &id]);
    assert_eq!(query["return_code"], 3, "not paid yet: {query}");

    emu.post(&format!("/emulator/orders/{id}/pay"));
    let waited = emu.ok(&["order", "query", &id, "--wait", "--interval", "1"]);
    assert_eq!(waited["return_code"], 1, "{waited}");
    assert_eq!(waited["amount"], 50000);
    assert!(waited["zp_trans_id"].as_i64().unwrap() > 0);

    let given = format!("{}_cancel_me", &id[..6]);
    let other = emu.ok(&[
        "order",
        "create",
        "--amount",
        "1000",
        "--description",
        "to cancel",
        "--app-trans-id",
        &given,
    ]);
    assert_eq!(other["app_trans_id"], given.as_str());
    let cancelled = emu.ok(&["order", "cancel", &given]);
    assert_eq!(cancelled["return_code"], 1, "{cancelled}");
    let query = emu.ok(&["order", "query", &given]);
    assert_eq!(query["return_code"], 2, "{query}");
}

#[test]
fn order_create_with_the_wrong_key_is_rejected_with_402() {
    let emu = Emu::start();
    let stderr = fails(emu.run(&[
        "--app-id",
        "2553",
        "--key1",
        "not-the-key",
        "--key2",
        KEY2,
        "order",
        "create",
        "--amount",
        "1000",
        "--description",
        "x",
    ]));
    assert!(stderr.contains("-402"), "{stderr}");
    assert!(stderr.contains("return_code 2"), "{stderr}");
    assert!(
        !stderr.contains("not-the-key"),
        "no key in messages: {stderr}"
    );
}

#[test]
fn partial_configuration_and_bad_json_are_clear_errors() {
    let emu = Emu::start();
    let stderr = fails(emu.run(&["--app-id", "2553", "banks"]));
    assert!(stderr.contains("key1"), "{stderr}");
    let stderr = fails(emu.run(&[
        "order",
        "create",
        "--amount",
        "1",
        "--description",
        "x",
        "--item",
        "[not json",
    ]));
    assert!(stderr.contains("--item"), "{stderr}");
    let stderr = fails(zalopay("staging", &["banks"], None));
    assert!(stderr.contains("staging"), "{stderr}");
}

#[test]
fn refund_create_and_query() {
    let emu = Emu::start();
    let (_, zp) = emu.paid_order(30_000);
    let refund = emu.ok(&[
        "refund",
        "create",
        "--zp-trans-id",
        &zp.to_string(),
        "--amount",
        "10000",
        "--description",
        "partial refund",
        "--fee",
        "0",
    ]);
    assert!(
        [1, 3].contains(&refund["return_code"].as_i64().unwrap()),
        "{refund}"
    );
    let m_refund_id = refund["m_refund_id"].as_str().unwrap();
    assert!(m_refund_id.contains("_2553_"), "{m_refund_id}");
    let query = emu.ok(&["refund", "query", m_refund_id]);
    assert!(
        [1, 3].contains(&query["return_code"].as_i64().unwrap()),
        "{query}"
    );
}

#[test]
fn banks_lists_channels() {
    let emu = Emu::start();
    let banks = emu.ok(&["banks"]);
    assert_eq!(banks["returncode"], 1, "{banks}");
    assert!(banks["banks"].as_object().unwrap().contains_key("38"));
}

fn payment_data() -> String {
    serde_json::json!({
        "app_id": 2553,
        "app_trans_id": "240101_000123",
        "app_time": 1_704_067_200_000_i64,
        "app_user": "user123",
        "amount": 50000,
        "embed_data": "{}",
        "item": "[]",
        "zp_trans_id": 240101000000001_i64,
        "server_time": 1_704_067_260_000_i64,
        "channel": 38,
        "merchant_user_id": "u1",
        "user_fee_amount": 0,
        "discount_amount": 0
    })
    .to_string()
}

#[test]
fn callback_verify_accepts_a_signed_body_and_refuses_a_tampered_one() {
    let emu = Emu::start();
    let body = zalopay_api::callback::sign_callback(&demo_keys(), &payment_data(), 1);
    let verified = ok_json(zalopay(
        &emu.url(),
        &["callback", "verify"],
        Some(body.as_bytes()),
    ));
    assert_eq!(verified["type"], 1);
    assert_eq!(verified["payment"]["app_trans_id"], "240101_000123");
    assert_eq!(verified["payment"]["zp_trans_id"], 240101000000001_i64);

    let tampered = body.replace("50000", "5000");
    assert_ne!(tampered, body);
    let stderr = fails(zalopay(
        &emu.url(),
        &["callback", "verify"],
        Some(tampered.as_bytes()),
    ));
    assert!(stderr.contains("mac does not match"), "{stderr}");
}

/// Issue 21: a callback the sandbox really sent (specs/traffic c01, both `merchant_user_id`
/// and `zp_user_id`) was answered "duplicate field `merchant_user_id`".
#[test]
fn callback_verify_accepts_a_captured_sandbox_callback() {
    let emu = Emu::start();
    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../specs/traffic/callbacks/c01-2553-260418_7F5271.body.json"
    ))
    .unwrap();
    let verified = ok_json(zalopay(&emu.url(), &["callback", "verify"], Some(&body)));
    assert_eq!(verified["type"], 1);
    assert_eq!(verified["payment"]["app_trans_id"], "260418_7F5271");
    assert_eq!(verified["payment"]["zp_trans_id"], 260_418_000_000_225_i64);
    assert_eq!(verified["payment"]["amount"], 100_000);
    assert_eq!(
        verified["payment"]["zp_user_id"],
        "Jfy_NT0tHMtLE07x291chQ-7_jlVJzxoGZ2S1rNbGvA"
    );
}

#[test]
fn callback_verify_prints_an_agreement_callback() {
    let emu = Emu::start();
    let data = serde_json::json!({
        "status": 1,
        "pay_token": "pt_ABCDEF123456",
        "binding_id": "240101000000777",
        "app_trans_id": "240101_000777",
        "app_id": 2553,
        "merchant_user_id": "u1",
        "masked_user_phone": "****6938",
        "msg_type": 1
    })
    .to_string();
    let body = zalopay_api::callback::sign_callback(&demo_keys(), &data, 2);
    let verified = ok_json(zalopay(
        &emu.url(),
        &["callback", "verify"],
        Some(body.as_bytes()),
    ));
    assert_eq!(verified["type"], 2, "{verified}");
    let agreement = &verified["agreement"];
    assert_eq!(agreement["status"], 1, "1 = confirmed: {verified}");
    assert_eq!(agreement["pay_token"], "pt_ABCDEF123456");
    assert_eq!(agreement["binding_id"], "240101000000777");
    assert_eq!(agreement["app_trans_id"], "240101_000777");
    assert_eq!(agreement["app_id"], 2553);
    assert_eq!(agreement["masked_user_phone"], "****6938");

    // Signed with another key2: refused.
    let other = Keys::new(KEY1, "0000000000000000000000000000000a").unwrap();
    let forged = zalopay_api::callback::sign_callback(&other, &data, 2);
    let stderr = fails(zalopay(
        &emu.url(),
        &["callback", "verify"],
        Some(forged.as_bytes()),
    ));
    assert!(stderr.contains("mac does not match"), "{stderr}");
}

#[test]
fn redirect_verify_checks_the_checksum() {
    let emu = Emu::start();
    let redirect = zalopay_api::redirect::Redirect {
        app_id: 2553,
        app_trans_id: "240101_000123".to_owned(),
        pmcid: Some(38),
        bank_code: String::new(),
        amount: 50000,
        discount_amount: 0,
        status: 1,
    };
    let query = zalopay_api::redirect::sign_redirect(&demo_keys(), &redirect);
    let url = format!("http://127.0.0.1:9/result?{query}");
    let verified = emu.ok(&["redirect", "verify", &url]);
    assert_eq!(verified["app_trans_id"], "240101_000123");
    assert_eq!(verified["amount"], 50000);
    assert_eq!(verified["looks_successful"], true);

    let tampered = query.replace("amount=50000", "amount=1");
    let stderr = fails(emu.run(&["redirect", "verify", &tampered]));
    assert!(stderr.contains("checksum"), "{stderr}");
}

#[test]
fn sign_known_answer_and_errors() {
    let emu = Emu::start();
    let signed = emu.ok(&[
        "sign",
        "order.create",
        "app_id=553",
        "app_trans_id=200904_000234",
        "app_user=user123",
        "amount=10000",
        "app_time=1599202366026",
        "embed_data={}",
        "item=[]",
        "--key1",
        "9phuAOYhan4urywHTh0ndEXiV3pKHr5Q",
    ]);
    assert_eq!(
        signed["input"],
        "553|200904_000234|user123|10000|1599202366026|{}|[]"
    );
    assert_eq!(
        signed["mac"],
        "7e95836a9feace32458f23416feea423172ef0a098f27a668a1e10788b5a6838"
    );
    assert_eq!(signed["key"], "key1");

    // The key segment is masked; a given mac is compared.
    let query = emu.ok(&[
        "sign",
        "order.query",
        "app_id=2553",
        "app_trans_id=x",
        "mac=00",
    ]);
    assert_eq!(query["input"], "2553|x|<key1>");
    assert_eq!(query["matches"], false);
    assert!(
        !String::from_utf8(emu.run(&["sign", "order.query", "app_id=1"]).stdout)
            .unwrap()
            .contains(KEY1)
    );

    let stderr = fails(emu.run(&["sign", "order.nope"]));
    assert!(stderr.contains("unknown operation"), "{stderr}");
    let stderr = fails(emu.run(&["sign", "order.query", "app_idd=1"]));
    assert!(stderr.contains("app_idd"), "{stderr}");
}

#[test]
fn operations_lists_the_catalog() {
    let emu = Emu::start();
    let ops = emu.ok(&["operations"]);
    let ops = ops.as_array().unwrap();
    assert_eq!(ops.len(), zalopay_api::catalog::operations().len());
    let create = ops.iter().find(|op| op["id"] == "order.create").unwrap();
    assert_eq!(create["path"], "/v2/create");
    assert_eq!(create["key"], "key1");
    let topup = ops
        .iter()
        .find(|op| op["id"] == "disbursement.topup")
        .unwrap();
    assert_eq!(topup["signature_param"], "sig");
}

#[test]
fn agreement_bind_confirm_query_balance_pay_query_user_unbind() {
    let emu = Emu::start();
    let bind = emu.ok(&[
        "agreement",
        "bind",
        "--identifier",
        "buyer-1",
        "--max-amount",
        "0",
        "--redirect-url",
        "http://127.0.0.1:9/bound",
    ]);
    assert_eq!(bind["return_code"], 1, "{bind}");
    let bind_id = bind["app_trans_id"].as_str().unwrap().to_owned();
    let token = bind["binding_token"].as_str().unwrap();
    emu.post(&format!("/emulator/bindings/{token}/confirm"));

    let query = emu.ok(&["agreement", "query", &bind_id]);
    let data = &query["data"];
    let pay_token = data["pay_token"].as_str().unwrap().to_owned();
    let binding_id = data["binding_id"].as_str().unwrap().to_owned();

    let balance = emu.ok(&[
        "agreement",
        "balance",
        "--identifier",
        "buyer-1",
        "--pay-token",
        &pay_token,
        "--amount",
        "20000",
    ]);
    assert_eq!(balance["return_code"], 1, "{balance}");

    // An order to be paid by agreement pay carries product_code=AGREEMENT (sent, not signed).
    let order = emu.ok(&[
        "order",
        "create",
        "--amount",
        "20000",
        "--description",
        "x",
        "--product-code",
        "AGREEMENT",
    ]);
    assert_eq!(order["return_code"], 1, "{order}");
    let pay = emu.ok(&[
        "agreement",
        "pay",
        "--identifier",
        "buyer-1",
        "--zp-trans-token",
        order["zp_trans_token"].as_str().unwrap(),
        "--pay-token",
        &pay_token,
    ]);
    assert!(
        [1, 3].contains(&pay["return_code"].as_i64().unwrap()),
        "{pay}"
    );

    let user = emu.ok(&["agreement", "query-user", "--access-token", &pay_token]);
    assert!(user["phone"].is_string(), "{user}");

    let unbind = emu.ok(&[
        "agreement",
        "unbind",
        "--identifier",
        "buyer-1",
        "--binding-id",
        &binding_id,
    ]);
    assert_eq!(unbind["return_code"], 1, "{unbind}");
}

#[test]
fn tokenization_bind_and_query() {
    let emu = Emu::start();
    let bind = emu.ok(&[
        "tokenization",
        "bind",
        "--identifier",
        "buyer-2",
        "--binding-type",
        "wallet",
        "--device-type",
        "mobile",
        "--binding-data",
        r#"{"redirect_url":"http://127.0.0.1:9/x"}"#,
    ]);
    assert_eq!(bind["return_code"], 1, "{bind}");
    assert!(bind["binding_url"].is_string());
    let id = bind["app_trans_id"].as_str().unwrap();
    let query = emu.ok(&["tokenization", "query", id]);
    assert_eq!(query["return_code"], 3, "pending: {query}");
    assert_eq!(query["binding_token"], bind["binding_token"]);
}

#[test]
fn hybrid_pay_with_a_token_or_a_solution_url() {
    let emu = Emu::start();
    let bind = emu.ok(&[
        "agreement",
        "bind",
        "--identifier",
        "buyer-3",
        "--max-amount",
        "0",
    ]);
    let token = bind["binding_token"].as_str().unwrap();
    emu.post(&format!("/emulator/bindings/{token}/confirm"));
    let query = emu.ok(&["agreement", "query", bind["app_trans_id"].as_str().unwrap()]);
    let pay_token = query["data"]["pay_token"].as_str().unwrap().to_owned();
    let hybrid = |pay_token: &str| {
        emu.ok(&[
            "hybrid",
            "pay",
            "--identifier",
            "buyer-3",
            "--pay-token",
            pay_token,
            "--amount",
            "1000",
            "--description",
            "hybrid",
        ])
    };

    // The token can pay: the order is paid at once.
    let paid = hybrid(&pay_token);
    assert_eq!(paid["return_code"], 1, "{paid}");
    assert!(paid["zp_trans_id"].as_i64().unwrap() > 0, "{paid}");
    let status = emu.ok(&["order", "query", paid["app_trans_id"].as_str().unwrap()]);
    assert_eq!(status["return_code"], 1, "{status}");

    // It cannot (unknown token): a result, not an error, with the one-off payment page.
    let fallback = hybrid("no-such-token");
    assert_eq!(fallback["return_code"], 2, "{fallback}");
    let solution_url = fallback["solution_url"].as_str().unwrap();
    assert!(solution_url.contains("/pay?order="), "{fallback}");
}

#[test]
fn disbursement_balance_user_topup_txn() {
    let emu = Emu::start();
    let balance = emu.ok(&["disbursement", "balance", "--payment-id", "pay-1"]);
    assert!(
        balance["data"]["balance"].as_i64().unwrap() > 0,
        "{balance}"
    );
    let user = emu.ok(&["disbursement", "user", "--phone", "0901234567"]);
    let m_u_id = user["data"]["m_u_id"].as_str().unwrap().to_owned();

    let topup_args = [
        "disbursement",
        "topup",
        "--payment-id",
        "pay-1",
        "--m-u-id",
        &m_u_id,
        "--amount",
        "10000",
        "--description",
        "cashback",
    ];
    let stderr = fails(emu.run(&topup_args));
    assert!(stderr.contains("--rsa-key"), "{stderr}");

    let mut args = topup_args.to_vec();
    args.push("--emulator-sig");
    let topup = emu.ok(&args);
    assert!(
        [1, 3].contains(&topup["return_code"].as_i64().unwrap()),
        "{topup}"
    );
    let partner_order_id = topup["partner_order_id"].as_str().unwrap();
    let txn = emu.ok(&[
        "disbursement",
        "txn",
        "--partner-order-id",
        partner_order_id,
    ]);
    assert!(
        [1, 3].contains(&txn["return_code"].as_i64().unwrap()),
        "{txn}"
    );
}

/// The published 512-bit test RSA private key (api-facts §19.1).
const TEST_RSA_KEY: &str = "MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAuhr9fssauZOaef4HCEJ4OAJQ6g8yO8de5KwB1LM/fIlRZGsnD0VO+YBGrdttnKsieErQPujmyV7Tnw19yLVGGwIDAQABAkEAgpPzbyZUrwbIqXW6O2pf7XR6j29wII9nnmytsC7AicCd2uGAd+yHKEOQGEHBN+rm/IZ8F5WWT2OpnOTY3DZTgQIhAPyzS24ahh0ogYuDy4VXsiLscEAngrAvZA5qpWWPFV9BAiEAvIkWcJzM9kaJ2YjoNcGvO3ydDsepNeC79dfIA7tL6lsCIELaRChayARKxQrd0SfzrWLj3kZ6rW5i+zt9J0iY8/SBAiEAsw53c2hX+KWxkhpGf5d9dz+4YisZ94OCv8+5tGGTjfUCIEs9pi1DsVZBi0HNibXIpVBO4KERvHBJ92bAbPeplIb2";

/// `--rsa-key` signs top-up for real; the emulator's disbursement demo app 15555 verifies it
/// with the test key's public half, and refuses the bare hex HMAC.
#[test]
fn disbursement_topup_with_rsa_key() {
    let emu = Emu::start();
    let app = [
        "--app-id",
        "15555",
        "--key1",
        "2uFWRt7qFGdUNjwBQb4DtEia3QOHJmoO",
    ];
    let with_app = |rest: &[&str]| -> Vec<String> {
        app.iter().chain(rest).map(|s| (*s).to_owned()).collect()
    };
    let run = |args: &[String]| {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        emu.run(&refs)
    };
    let user = ok_json(run(&with_app(&[
        "disbursement",
        "user",
        "--phone",
        "0901234567",
    ])));
    let m_u_id = user["data"]["m_u_id"].as_str().unwrap().to_owned();
    let topup = [
        "disbursement",
        "topup",
        "--payment-id",
        "CASHIN",
        "--m-u-id",
        &m_u_id,
        "--amount",
        "10000",
        "--description",
        "cashback",
    ];

    let mut hmac_only = topup.to_vec();
    hmac_only.push("--emulator-sig");
    let stderr = fails(run(&with_app(&hmac_only)));
    assert!(stderr.contains("-402"), "{stderr}");

    let mut signed = vec!["--rsa-key", TEST_RSA_KEY];
    signed.extend(topup);
    let answer = ok_json(run(&with_app(&signed)));
    assert_eq!(answer["return_code"], 1, "{answer}");
    let partner_order_id = answer["partner_order_id"].as_str().unwrap();
    let txn = ok_json(run(&with_app(&[
        "disbursement",
        "txn",
        "--partner-order-id",
        partner_order_id,
    ])));
    assert_eq!(txn["data"]["amount"], 10000, "{txn}");
}

#[test]
fn zod_create_invoice_status() {
    let emu = Emu::start();
    let created = emu.ok(&[
        "zod",
        "create",
        "--mc-ref-id",
        "zod-ref-1",
        "--amount",
        "70000",
        "--receiver",
        "0901234567",
        "--mc-ext-info",
        r#"{"merchandiseSubtotal":70000}"#,
    ]);
    assert!(created["orderUrl"].is_string(), "{created}");
    let invoice = emu.ok(&["zod", "invoice", "zod-ref-1"]);
    assert_eq!(invoice["orderUrl"], created["orderUrl"]);
    let status = emu.ok(&["zod", "status", "zod-ref-1"]);
    assert!(status.get("status").is_some(), "{status}");
    assert_eq!(status["amount"].to_string().trim_matches('"'), "70000");
}

#[test]
fn quickpay_pays_on_the_spot() {
    let emu = Emu::start();
    let paid = emu.ok(&[
        "quickpay",
        "--amount",
        "15000",
        "--payment-code",
        "123456789012345678",
        "--zalopay-public-key",
        zalopay_emulator::ZALOPAY_PUBLIC_KEY,
        "--description",
        "quick",
    ]);
    assert_eq!(paid["return_code"], 1, "{paid}");
    assert!(paid["zp_trans_id"].as_i64().unwrap() > 0);
    assert!(paid["app_trans_id"].is_string());
}

/// Starts a long-running subcommand and returns it with its first stdout line.
fn spawn_server(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .env_remove("ZALOPAY_APP_ID")
        .env_remove("ZALOPAY_KEY1")
        .env_remove("ZALOPAY_KEY2")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line)
}

#[test]
fn emulator_subcommand_serves_the_gateway() {
    let (mut child, line) = spawn_server(&["emulator", "--port", "0"]);
    let info: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
    let url = info["base_url"].as_str().unwrap().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert_eq!(info["app_id"], 2553);
    assert_eq!(info["key1"], KEY1);
    let created = ok_json(zalopay(
        &url,
        &["order", "create", "--amount", "1000", "--description", "x"],
        None,
    ));
    assert_eq!(created["return_code"], 1);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn emulator_flags_set_faults_and_refund_delay() {
    let (mut child, line) = spawn_server(&[
        "emulator",
        "--port",
        "0",
        "--refund-delay",
        "30",
        "--fault-seed",
        "7",
        "--callback-loss",
        "0.25",
        "--fail-burst",
        "1",
        "--fail-with",
        "code_429",
        "--fault-operations",
        "order.create,refund.create",
    ]);
    let info: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
    let url = info["base_url"].as_str().unwrap().to_owned();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let faults: Value = rt.block_on(async {
        reqwest::get(format!("{url}/emulator/faults"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    let global = &faults["global"];
    assert_eq!(global["seed"], 7);
    assert_eq!(global["callback_loss"], 0.25);
    assert_eq!(global["fail_burst"], 1);
    assert_eq!(global["fail_with"], "code_429");
    assert_eq!(
        global["operations"],
        serde_json::json!(["order.create", "refund.create"])
    );
    child.kill().unwrap();
    child.wait().unwrap();

    // A rate outside 0..=1 or an unknown answer kind is refused before listening.
    for bad in [
        &["emulator", "--port", "0", "--callback-loss", "1.5"][..],
        &["emulator", "--port", "0", "--fail-with", "http_418"][..],
        &["emulator", "--port", "0", "--rate-limit", "0"][..],
        &["emulator", "--port", "0", "--rate-limit", "10/x"][..],
    ] {
        let output = Command::new(BIN).args(bad).output().unwrap();
        assert!(!output.status.success(), "{bad:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(bad[3]), "{bad:?}: {stderr}");
    }
}

/// `--request-log-limit N` sizes the emulator's request log; 0 keeps every request; without
/// it, the library's default.
#[test]
fn emulator_request_log_limit_flag() {
    use clap::Parser as _;
    let limit = |extra: &[&str]| {
        let mut argv = vec!["zalopay", "emulator"];
        argv.extend_from_slice(extra);
        let cli = zalopay_cli::Cli::try_parse_from(argv).unwrap();
        let zalopay_cli::args::Command::Emulator(args) = cli.command else {
            panic!("not the emulator command");
        };
        zalopay_cli::commands::emulator_config(&args)
            .unwrap()
            .request_log_limit
    };
    assert_eq!(
        limit(&[]),
        Some(zalopay_emulator::DEFAULT_REQUEST_LOG_LIMIT)
    );
    assert_eq!(limit(&["--request-log-limit", "5"]), Some(5));
    assert_eq!(limit(&["--request-log-limit", "0"]), None);
}

#[test]
fn emulator_data_dir_survives_a_restart() {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!("zalopay-cli-data-{}-{nanos}", std::process::id()));
    let dir_arg = dir.to_str().unwrap().to_owned();
    let now = i64::try_from(nanos / 1_000_000).unwrap();
    let id = zalopay_api::ids::AppTransId::with_unique(now, "restart")
        .unwrap()
        .into_string();
    let (mut child, line) = spawn_server(&["emulator", "--port", "0", "--data-dir", &dir_arg]);
    let info: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
    let url = info["base_url"].as_str().unwrap().to_owned();
    let created = ok_json(zalopay(
        &url,
        &[
            "order",
            "create",
            "--amount",
            "1000",
            "--description",
            "x",
            "--app-trans-id",
            &id,
        ],
        None,
    ));
    assert_eq!(created["return_code"], 1, "{created}");
    child.kill().unwrap();
    child.wait().unwrap();

    let (mut child, line) = spawn_server(&["emulator", "--port", "0", "--data-dir", &dir_arg]);
    let info: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
    let url = info["base_url"].as_str().unwrap().to_owned();
    let queried = ok_json(zalopay(&url, &["order", "query", &id], None));
    // Still there, still unpaid: 3, not 2/-101.
    assert_eq!(queried["return_code"], 3, "{queried}");
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn demo_subcommand_serves_the_shop() {
    let (mut child, line) = spawn_server(&["demo", "--port", "0"]);
    let url = line
        .trim()
        .strip_prefix("Open ")
        .unwrap_or_else(|| panic!("{line}"))
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = reqwest::Client::new();
        let home = client.get(&url).send().await.unwrap().text().await.unwrap();
        assert!(home.contains("Pay with ZaloPay"), "{home}");
        let order = client
            .post(format!("{url}/checkout"))
            .form(&[("product", "coffee")])
            .send()
            .await
            .unwrap();
        let status_url = format!("{}/status", order.url());
        let page = order.text().await.unwrap();
        assert!(page.contains("<svg"), "{page}");
        let status: Value = client
            .get(status_url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(status["status"], "waiting");
        assert!(
            status["order_url"]
                .as_str()
                .unwrap()
                .contains("/pay?order=")
        );
    });
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Whether `pid` has a SIGINT handler installed (Linux: bit 1 of `SigCgt` in /proc).
fn catches_sigint(pid: u32) -> bool {
    let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
        return false;
    };
    status
        .lines()
        .find_map(|line| line.strip_prefix("SigCgt:"))
        .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .is_some_and(|mask| mask & (1 << 1) != 0)
}

#[cfg(unix)]
#[test]
fn order_query_wait_stops_on_ctrl_c_with_the_last_status() {
    use std::time::{Duration, Instant};

    let emu = Emu::start();
    let created = emu.ok(&["order", "create", "--amount", "1000", "--description", "x"]);
    let id = created["app_trans_id"].as_str().unwrap().to_owned();
    let child = Command::new(BIN)
        .args(["order", "query", &id, "--wait", "--interval", "1"])
        .env("ZALOPAY_ENDPOINT", emu.url())
        .env_remove("ZALOPAY_APP_ID")
        .env_remove("ZALOPAY_KEY1")
        .env_remove("ZALOPAY_KEY2")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the handler is installed (or, without /proc, a moment), then one more query
    // interval so that an answer has come.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !catches_sigint(child.id()) && Instant::now() < deadline {
        if !std::path::Path::new("/proc/self/status").exists() {
            std::thread::sleep(Duration::from_secs(1));
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(1500));
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(130),
        "{:?}\nstderr: {stderr}",
        output.status
    );
    assert!(stderr.contains("interrupted"), "{stderr}");
    let last: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    assert_eq!(last["interrupted"], true, "{last}");
    // The emulator's last answer for the unpaid order: not paid yet.
    assert_eq!(last["return_code"], 3, "{last}");
}

#[test]
fn call_sends_any_catalogued_operation() {
    let emu = Emu::start();
    // A new order by its wire parameters only: app_id and app_time are filled in.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let id = zalopay_api::ids::AppTransId::with_unique(now, "call1")
        .unwrap()
        .into_string();
    let created = emu.ok(&[
        "call",
        "order.create",
        &format!("app_trans_id={id}"),
        "app_user=user123",
        "amount=10000",
        "description=called",
        "embed_data={}",
        "item=[]",
    ]);
    assert_eq!(created["return_code"], 1, "{created}");
    let queried = emu.ok(&["call", "order.query", &format!("app_trans_id={id}")]);
    assert_eq!(queried["return_code"], 3, "{queried}");
    let (_, zp) = emu.paid_order(20_000);
    // A JSON-free form op with an integer parameter.
    let paid = emu.ok(&["call", "order.query", &format!("app_trans_id={id}")]);
    assert!(paid["return_code"].is_i64(), "{paid}");
    let _ = zp;

    // Missing, unknown and foreign parameters are refused before anything is sent.
    let missing = emu.run(&["call", "order.create", "app_user=u"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("app_trans_id"));
    let foreign = emu.run(&["call", "order.query", "app_id=1", "app_trans_id=x"]);
    assert!(!foreign.status.success());
    assert!(String::from_utf8_lossy(&foreign.stderr).contains("not your app id"));

    // An unconfirmed operation warns before it is sent.
    let hybrid = emu.run(&[
        "call",
        "hybrid.pay",
        "identifier=u",
        "pay_token=t",
        &format!("app_trans_id={id}"),
        "app_user=u",
        "amount=1",
        "description=d",
        "item=[]",
        "embed_data={}",
    ]);
    let stderr = String::from_utf8_lossy(&hybrid.stderr);
    assert!(stderr.contains("hybrid.pay has confidence ?"), "{stderr}");
}

/// The words of a command printed in backticks (`zalopay …`), as a POSIX shell splits them
/// (bare words and single-quoted ones, which is all the CLI prints).
fn shell_words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(q);
                }
            }
            '\\' => {
                in_word = true;
                word.extend(chars.next());
            }
            ' ' if in_word => {
                words.push(std::mem::take(&mut word));
                in_word = false;
            }
            ' ' => {}
            other => {
                in_word = true;
                word.push(other);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// The commands quoted in backticks in `line`, split into words.
fn quoted_commands(line: &str) -> Vec<Vec<String>> {
    line.split('`')
        .skip(1)
        .step_by(2)
        .map(shell_words)
        .collect()
}

impl Emu {
    /// Drops the connection after processing the next request of `operation`.
    fn reset_next(&self, operation: &str) {
        self.running
            .state()
            .set_faults(
                None,
                zalopay_emulator::Faults::default()
                    .with_reset_burst(1)
                    .with_operations([operation.to_owned()]),
            )
            .unwrap();
    }

    /// Runs a printed `zalopay …` command.
    fn run_printed(&self, words: &[String]) -> Output {
        assert_eq!(words[0], "zalopay", "{words:?}");
        let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
        self.run(&args)
    }
}

/// Issue 23 item 1: with a lost refund answer the CLI has shown the m_refund_id before
/// sending, says the refund may have gone through (exit 8) and prints the commands that query
/// it and re-send it; the printed re-send is answered as a duplicate (exit 9) and the
/// emulator's books hold one refund, not two.
#[test]
fn a_lost_refund_answer_prints_the_re_send_and_it_refunds_once() {
    let emu = Emu::start();
    let (_, zp) = emu.paid_order(20_000);
    emu.reset_next("refund.create");
    let output = emu.run(&[
        "refund",
        "create",
        "--zp-trans-id",
        &zp.to_string(),
        "--amount",
        "20000",
        "--description",
        "it's refunded",
    ]);
    assert_eq!(output.status.code(), Some(8), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    let id = lines[0]
        .strip_prefix("zalopay: sending refund create with m_refund_id ")
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("the id is shown before sending: {stderr}"));
    assert!(lines[1].contains(id), "{stderr}");
    assert!(lines[1].contains("may have been lost"), "{stderr}");
    let commands = quoted_commands(lines[1]);
    assert_eq!(commands.len(), 2, "{stderr}");
    assert_eq!(commands[0], ["zalopay", "refund", "query", id]);
    assert_eq!(
        emu.running.state().refunds().len(),
        1,
        "the first one got through"
    );

    let resent = emu.run_printed(&commands[1]);
    assert_eq!(resent.status.code(), Some(9), "{resent:?}");
    let resent_err = String::from_utf8(resent.stderr).unwrap();
    assert!(
        resent_err.contains("nothing was done twice"),
        "{resent_err}"
    );
    let refunds = emu.running.state().refunds();
    assert_eq!(refunds.len(), 1, "{refunds:?}");
    assert_eq!(refunds[0].m_refund_id, id);
    assert_eq!(refunds[0].amount, 20_000);
    assert_eq!(refunds[0].description, "it's refunded");

    let mut query = commands[0].clone();
    query.push("--verdict".to_owned());
    let queried = ok_json(emu.run_printed(&query));
    assert_eq!(queried["verdict"], "success", "{queried}");
}

/// `zalopay call` of a money-moving operation whose answer was lost: exit 8 and the same
/// request printed (it exited 1 with the transport error alone, as if nothing had been sent);
/// the printed re-send is answered as a duplicate and the books hold one refund. A lost query
/// stays an ordinary error.
#[test]
fn a_lost_call_answer_exits_8_and_prints_the_same_request() {
    let emu = Emu::start();
    let (_, zp) = emu.paid_order(20_000);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let id = zalopay_api::ids::MRefundId::with_unique(now, 2553, "call1")
        .unwrap()
        .into_string();
    emu.reset_next("refund.create");
    let output = emu.run(&[
        "call",
        "refund.create",
        &format!("m_refund_id={id}"),
        &format!("zp_trans_id={zp}"),
        "amount=20000",
        "description=it's refunded",
    ]);
    assert_eq!(output.status.code(), Some(8), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("may have been lost"), "{stderr}");
    let commands = quoted_commands(&stderr);
    assert_eq!(commands.len(), 1, "{stderr}");
    assert!(
        commands[0].contains(&format!("m_refund_id={id}")),
        "{commands:?}"
    );
    assert_eq!(
        emu.running.state().refunds().len(),
        1,
        "the first got through"
    );

    let resent = emu.run_printed(&commands[0]);
    assert!(resent.status.success(), "{resent:?}");
    let answer: serde_json::Value = serde_json::from_slice(&resent.stdout).unwrap();
    assert_eq!(answer["sub_return_code"], -23, "a duplicate: {answer}");
    let refunds = emu.running.state().refunds();
    assert_eq!(refunds.len(), 1, "{refunds:?}");
    assert_eq!(refunds[0].m_refund_id, id);

    // A query whose answer was lost acted on nothing: an ordinary error (exit 1).
    emu.reset_next("refund.query");
    let query = emu.run(&["call", "refund.query", &format!("m_refund_id={id}")]);
    assert_eq!(query.status.code(), Some(1), "{query:?}");
}

/// Issue 23 item 1: a top-up whose answer was lost, then the printed re-send: paid out once
/// (it paid out twice when the re-send generated a new partner_order_id).
#[test]
fn a_lost_topup_answer_prints_the_re_send_and_it_pays_out_once() {
    let emu = Emu::start();
    let user = emu.ok(&["disbursement", "user", "--phone", "0901234567"]);
    let m_u_id = user["data"]["m_u_id"].as_str().unwrap().to_owned();
    let balance = |emu: &Emu| {
        emu.ok(&["disbursement", "balance", "--payment-id", "pay-1"])["data"]["balance"]
            .as_i64()
            .unwrap()
    };
    let before = balance(&emu);
    emu.reset_next("disbursement.topup");
    let output = emu.run(&[
        "disbursement",
        "topup",
        "--payment-id",
        "pay-1",
        "--m-u-id",
        &m_u_id,
        "--amount",
        "100000",
        "--description",
        "cashback",
        "--emulator-sig",
    ]);
    assert_eq!(output.status.code(), Some(8), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    let id = lines[0]
        .strip_prefix("zalopay: sending disbursement topup with partner_order_id ")
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("the id is shown before sending: {stderr}"));
    let commands = quoted_commands(lines[1]);
    assert_eq!(
        commands[0],
        ["zalopay", "disbursement", "txn", "--partner-order-id", id]
    );
    let resent = emu.run_printed(&commands[1]);
    assert_eq!(resent.status.code(), Some(9), "{resent:?}");
    let topups = emu.running.state().topups();
    assert_eq!(topups.len(), 1, "{topups:?}");
    assert_eq!(topups[0].partner_order_id, id);
    assert_eq!(balance(&emu), before - 100_000, "paid out once");
}

/// Issue 23 item 1: order create, hybrid and quick pay print the app_trans_id before sending
/// and, with `--app-trans-id`, a second send is the same order (duplicate, exit 9), not a
/// second one.
#[test]
fn order_create_shows_its_id_first_and_a_re_send_is_the_same_order() {
    let emu = Emu::start();
    emu.reset_next("order.create");
    let output = emu.run(&["order", "create", "--amount", "1000", "--description", "x"]);
    assert_eq!(output.status.code(), Some(8), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    let id = lines[0]
        .strip_prefix("zalopay: sending order create with app_trans_id ")
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("the id is shown before sending: {stderr}"));
    let commands = quoted_commands(lines[1]);
    assert_eq!(commands[0], ["zalopay", "order", "query", id]);
    let resent = emu.run_printed(&commands[1]);
    assert_eq!(resent.status.code(), Some(9), "{resent:?}");
    assert_eq!(emu.running.state().orders().len(), 1);
}

/// Runs `zalopay ARGS && echo shipped` in a shell: what a script does with an exit code.
fn ships(emu: &Emu, args: &[&str]) -> bool {
    let mut command = format!("'{BIN}'");
    for arg in args {
        command.push_str(&format!(" '{arg}'"));
    }
    let output = Command::new("sh")
        .arg("-c")
        .arg(format!("{command} >/dev/null 2>&1 && echo shipped"))
        .env("ZALOPAY_ENDPOINT", emu.url())
        .env_remove("ZALOPAY_APP_ID")
        .env_remove("ZALOPAY_KEY1")
        .env_remove("ZALOPAY_KEY2")
        .output()
        .unwrap();
    String::from_utf8(output.stdout)
        .unwrap()
        .contains("shipped")
}

/// Issue 23 item 2: `order query ID --wait` exits 0 only when paid; cancelled, expired, not
/// found and gave-up-waiting each exit with their own documented code and print the last
/// answer with its verdict; `--wait && ship` ships only the paid order.
#[test]
fn order_query_wait_exits_zero_only_when_paid() {
    let emu = Emu::start();
    let create = |description: &str| {
        emu.ok(&[
            "order",
            "create",
            "--amount",
            "1000",
            "--description",
            description,
        ])["app_trans_id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let wait = |id: &str| {
        emu.run(&[
            "order",
            "query",
            id,
            "--wait",
            "--interval",
            "1",
            "--timeout",
            "1",
        ])
    };
    let cancelled = create("cancelled");
    emu.ok(&["order", "cancel", &cancelled]);
    let expired = create("expired");
    emu.post(&format!("/emulator/orders/{expired}/expire"));
    let unpaid = create("never paid");
    let unknown = format!("{}_never_created", &unpaid[..6]);
    let (paid, _) = emu.paid_order(1000);

    for (id, code, verdict) in [
        (&cancelled, 4, "cancelled"),
        (&expired, 5, "expired"),
        (&unknown, 6, "not_found"),
        (&unpaid, 7, "not_final"),
    ] {
        let output = wait(id);
        assert_eq!(output.status.code(), Some(code), "{id}: {output:?}");
        let last: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(last["verdict"], verdict, "{id}: {last}");
        assert!(
            !ships(
                &emu,
                &[
                    "order",
                    "query",
                    id,
                    "--wait",
                    "--interval",
                    "1",
                    "--timeout",
                    "1"
                ]
            ),
            "{id} shipped"
        );
    }
    let output = wait(&paid);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(ships(&emu, &["order", "query", &paid, "--wait"]));

    // One-shot `--verdict` has the same codes.
    for (id, code) in [
        (&cancelled, 4),
        (&expired, 5),
        (&unknown, 6),
        (&unpaid, 7),
        (&paid, 0),
    ] {
        let output = emu.run(&["order", "query", id, "--verdict"]);
        assert_eq!(output.status.code(), Some(code), "{id}: {output:?}");
    }
    let missing = format!("{}_2553_missing", &unpaid[..6]);
    let output = emu.run(&["refund", "query", &missing, "--verdict"]);
    assert_eq!(output.status.code(), Some(6), "{output:?}");
    let output = emu.run(&[
        "disbursement",
        "txn",
        "--partner-order-id",
        "missing",
        "--verdict",
    ]);
    assert_eq!(output.status.code(), Some(6), "{output:?}");
}

/// `--help` documents the exit codes.
#[test]
fn help_lists_the_exit_codes() {
    let output = zalopay("sandbox", &["--help"], None);
    let help = String::from_utf8(output.stdout).unwrap();
    for line in [
        "3    --wait / --verdict: failed",
        "6    --wait / --verdict: not found",
        "8    a money-moving request's answer may have been lost",
        "9    a re-send was answered as a duplicate",
    ] {
        assert!(help.contains(line), "{line}: {help}");
    }
}

/// Issue 21: `order query --wait` used to stop at once, on a maintenance answer (`2` with
/// -33, -88, -135 or -301), printing it as the order's last word. It keeps asking: the buyer
/// who pays during the maintenance window is seen.
#[test]
fn order_query_wait_rides_out_a_maintenance_window() {
    use std::time::{Duration, Instant};
    use zalopay_emulator::{FailWith, Faults};
    for kind in [FailWith::Code33, FailWith::Code301] {
        let emu = Emu::start();
        let created = emu.ok(&["order", "create", "--amount", "7000", "--description", "x"]);
        let id = created["app_trans_id"].as_str().unwrap().to_owned();
        emu.running
            .state()
            .set_faults(
                None,
                Faults::default()
                    .with_fail_burst(2)
                    .with_fail_with(kind)
                    .with_operations(["order.query"]),
            )
            .unwrap();
        let child = Command::new(BIN)
            .args(["order", "query", &id, "--wait", "--interval", "1"])
            .env("ZALOPAY_ENDPOINT", emu.url())
            .env_remove("ZALOPAY_APP_ID")
            .env_remove("ZALOPAY_KEY1")
            .env_remove("ZALOPAY_KEY2")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Both maintenance answers went out before the buyer pays.
        let deadline = Instant::now() + Duration::from_secs(20);
        let faulted = || {
            emu.running
                .state()
                .request_log()
                .iter()
                .filter(|r| r.fault.as_deref() == Some(kind.name()))
                .count()
        };
        while faulted() < 2 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert_eq!(faulted(), 2, "{kind:?}");
        emu.post(&format!("/emulator/orders/{id}/pay"));
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{kind:?}: {stderr}");
        let last: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(last["return_code"], 1, "{kind:?}: {last}");
        assert_eq!(last["amount"], 7000, "{kind:?}: {last}");
    }
}
