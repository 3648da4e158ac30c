//! The captured traffic of `specs/traffic` (see its README): each sample's bytes exactly as
//! published, its provenance and what the gateway meant, and the few mechanical steps that
//! turn a published form (a JS string literal, a Node printout, Go raw-string pieces) into
//! the bytes that were on the wire. Shared by the API's and the tracker's traffic tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use serde_json::{Map, Value};
use zalopay_api::Keys;
use zalopay_api::callback::sign_callback;

/// One sample of `specs/traffic/manifest.json`.
#[derive(Debug, Clone)]
pub struct Sample {
    pub id: String,
    pub kind: String,
    pub form: String,
    pub app_id: i64,
    pub operation: String,
    pub mac: Option<String>,
    /// What the gateway meant (`outcome` plus the values to check).
    pub expect: Value,
    /// The file's bytes, as published.
    pub text: String,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../specs/traffic")
}

/// Every sample, in manifest order.
pub fn samples() -> Vec<Sample> {
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("manifest.json")).unwrap())
            .unwrap();
    manifest["samples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            let file = entry["file"].as_str().unwrap();
            Sample {
                id: entry["id"].as_str().unwrap().to_owned(),
                kind: entry["kind"].as_str().unwrap().to_owned(),
                form: entry["form"].as_str().unwrap().to_owned(),
                app_id: entry["app_id"].as_i64().unwrap_or_default(),
                operation: entry["operation"].as_str().unwrap_or_default().to_owned(),
                mac: entry["mac"].as_str().map(str::to_owned),
                expect: entry["expect"].clone(),
                text: std::fs::read_to_string(root().join(file))
                    .unwrap_or_else(|e| panic!("{file}: {e}")),
            }
        })
        .collect()
}

/// The samples whose form starts with `prefix` (`callback`, `redirect`, `response`).
pub fn of(prefix: &str) -> Vec<Sample> {
    samples()
        .into_iter()
        .filter(|s| s.form.starts_with(prefix))
        .collect()
}

/// The public sandbox keys of apps 2553 and 2554 (api-facts §19.1); for any other app (whose
/// key2 is not public) a test-only pair, used only to re-sign samples whose MAC cannot be
/// checked, which are never of kind `captured`.
pub fn keys_for(app_id: i64) -> Keys {
    match app_id {
        2553 => Keys::new(
            "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
            "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz",
        ),
        2554 => Keys::new(
            "sdngKKJmqEMzvh5QQcdD2A9XBSKUNaYn",
            "trMrHtvjo6myautxDUiAcYsVtaeQ8nhf",
        ),
        _ => Keys::new(
            "test-only-key1-not-zalopays-0001",
            "test-only-key2-not-zalopays-0002",
        ),
    }
    .unwrap()
}

impl Sample {
    /// Whether the test signs this sample itself (its own MAC is unpublished or uncheckable).
    pub fn resigned(&self) -> bool {
        self.kind.starts_with("log (") && self.form.starts_with("callback")
    }

    /// The callback's `data` string.
    pub fn callback_data(&self) -> String {
        match self.form.as_str() {
            "callback-body" => {
                let body: Value = serde_json::from_str(&self.text).unwrap();
                body["data"].as_str().unwrap().to_owned()
            }
            "callback-data" => self.text.clone(),
            // The contents of a JavaScript string literal: its escapes are JSON's.
            "callback-data-js-string" => {
                serde_json::from_str(&format!("\"{}\"", self.text)).unwrap()
            }
            other => panic!("{}: not a callback form: {other}", self.id),
        }
    }

    /// The body as ZaloPay posted it: the published body itself, the published data with its
    /// published MAC, or (for re-signed samples only) the data signed with [`keys_for`].
    pub fn callback_body(&self) -> String {
        if self.resigned() {
            assert_ne!(self.kind, "captured", "{}", self.id);
            return sign_callback(&keys_for(self.app_id), &self.callback_data(), 1);
        }
        match (self.form.as_str(), &self.mac) {
            ("callback-body", None) => self.text.clone(),
            (_, Some(mac)) => {
                serde_json::json!({ "data": self.callback_data(), "mac": mac, "type": 1 })
                    .to_string()
            }
            _ => panic!("{}: no MAC and not re-signed", self.id),
        }
    }

    /// The redirect's query string: the published text, with a line break inside a comment
    /// (`//` continuation) joined.
    pub fn redirect_query(&self) -> String {
        self.text
            .lines()
            .map(|line| line.strip_prefix("//").unwrap_or(line))
            .collect()
    }

    /// The answer's JSON body.
    pub fn response_json(&self) -> String {
        match self.form.as_str() {
            "response-json" => self.text.clone(),
            // Go raw-string pieces joined with `+`: the text between backticks.
            "response-go-raw" => self.text.split('`').skip(1).step_by(2).collect(),
            "response-js-object" => js_object_to_json(&self.text),
            other => panic!("{}: not a response form: {other}", self.id),
        }
    }
}

/// A flat JavaScript object as Node prints it or as pasted into code (`key: 'text',` /
/// `key: 123,` lines, optionally behind `//`), as JSON.
fn js_object_to_json(text: &str) -> String {
    let mut object = Map::new();
    for line in text.lines() {
        let line = line.trim();
        let line = line.strip_prefix("//").unwrap_or(line).trim();
        let Some((key, value)) = line.split_once(": ") else {
            continue;
        };
        let value = value.trim_end_matches(',');
        let value = match value.strip_prefix('\'') {
            Some(quoted) => Value::String(quoted.strip_suffix('\'').unwrap().to_owned()),
            None => serde_json::from_str(value).unwrap(),
        };
        object.insert(key.to_owned(), value);
    }
    Value::Object(object).to_string()
}

/// `expect[key]` as an i64 (absent or null: `None`).
pub fn int(expect: &Value, key: &str) -> Option<i64> {
    expect.get(key).and_then(Value::as_i64)
}

/// `expect[key]` as a string (absent or null: `None`).
pub fn text<'a>(expect: &'a Value, key: &str) -> Option<&'a str> {
    expect.get(key).and_then(Value::as_str)
}
