//! The Rust operations against `specs/zalopay.openapi.json`: every spec operation has a Rust
//! type, and each type's path, method, host, encoding, MAC order, key, signature parameter and
//! scheme, and required parameters equal the spec's. Also keeps README's operations table in
//! sync with the spec (`UPDATE_README=1` rewrites it).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use serde_json::Value;
use zalopay_api::catalog::OperationInfo;
use zalopay_api::{Encoding, MacSegment, Method, SignatureScheme};

const SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../specs/zalopay.openapi.json");
const README: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");

#[derive(Debug, PartialEq, Eq)]
struct Info {
    path: String,
    method: String,
    host: String,
    encoding: String,
    mac: Vec<String>,
    key: String,
    param: String,
    scheme: String,
    required: BTreeSet<String>,
}

fn rust(op: &OperationInfo) -> Info {
    Info {
        path: op.path.to_owned(),
        method: match op.method {
            Method::Get => "get",
            Method::Post => "post",
        }
        .to_owned(),
        host: op.host.as_str().to_owned(),
        encoding: op.encoding.as_str().to_owned(),
        mac: op
            .segments
            .iter()
            .map(|s| match s {
                MacSegment::Field(n) => (*n).to_owned(),
                MacSegment::OmittedWhenAbsent(n) => format!("{n}?"),
                MacSegment::Unsent(n) => format!("{n}!"),
                MacSegment::Key => "@key".to_owned(),
            })
            .collect(),
        key: op.key.as_str().to_owned(),
        param: op.signature_param.to_owned(),
        scheme: match op.scheme {
            SignatureScheme::Hmac => "hmac",
            SignatureScheme::HmacThenRsaSha256 => "hmac_then_rsa_sha256",
        }
        .to_owned(),
        required: op
            .params
            .iter()
            .filter(|p| p.required)
            .map(|p| p.name.to_owned())
            .collect(),
    }
}

/// operationId → the Rust type's view, from `zalopay_api::catalog` (the one list of typed
/// operations). Adding an operation to the spec without a catalog row fails
/// `every_spec_operation_has_a_rust_type`.
fn table() -> Vec<(&'static str, Info)> {
    zalopay_api::catalog::operations()
        .iter()
        .map(|op| (op.id, rust(op)))
        .collect()
}

struct SpecOp {
    id: String,
    info: Info,
    confidence: String,
}

fn str_of(v: &Value, what: &str) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("{what} is not a string: {v}"))
        .to_owned()
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let pointer = r.trim_start_matches('#');
            spec.pointer(pointer)
                .unwrap_or_else(|| panic!("unresolved {r}"))
        }
        None => schema,
    }
}

fn spec_ops() -> Vec<SpecOp> {
    let text = std::fs::read_to_string(SPEC).expect("specs/zalopay.openapi.json");
    let spec: Value = serde_json::from_str(&text).expect("the spec parses");
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for method in ["get", "post"] {
            let Some(op) = item.get(method) else { continue };
            let id = str_of(&op["operationId"], "operationId");
            let x = &op["x-zalopay"];
            let encoding = str_of(&x["encoding"], "encoding");
            let mac = &x["mac"];
            let required: BTreeSet<String> = match op.get("requestBody") {
                Some(body) => {
                    let content = body["content"].as_object().expect("content");
                    let ct = match encoding.as_str() {
                        "json" => "application/json",
                        _ => "application/x-www-form-urlencoded",
                    };
                    let media = content
                        .get(ct)
                        .or_else(|| content.values().next())
                        .expect("a media type");
                    let schema = resolve(&spec, &media["schema"]);
                    schema["required"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|v| str_of(v, "required"))
                        .collect()
                }
                None => op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| resolve(&spec, p))
                    .filter(|p| p["required"].as_bool() == Some(true))
                    .map(|p| str_of(&p["name"], "parameter name"))
                    .collect(),
            };
            out.push(SpecOp {
                id,
                confidence: str_of(&x["confidence"], "confidence"),
                info: Info {
                    path: path.clone(),
                    method: method.to_owned(),
                    host: str_of(&x["host"], "host"),
                    encoding,
                    mac: mac["fields"]
                        .as_array()
                        .expect("mac.fields")
                        .iter()
                        .map(|v| str_of(v, "mac field"))
                        .collect(),
                    key: str_of(&mac["key"], "mac.key"),
                    param: str_of(&mac["param"], "mac.param"),
                    scheme: str_of(&mac["scheme"], "mac.scheme"),
                    required,
                },
            });
        }
    }
    out
}

#[test]
fn every_spec_operation_has_a_rust_type() {
    let table = table();
    let known: BTreeSet<&str> = table.iter().map(|(id, _)| *id).collect();
    let spec: BTreeSet<String> = spec_ops().into_iter().map(|op| op.id).collect();
    let missing: Vec<&String> = spec
        .iter()
        .filter(|id| !known.contains(id.as_str()))
        .collect();
    let extra: Vec<&&str> = known.iter().filter(|id| !spec.contains(**id)).collect();
    assert!(
        missing.is_empty(),
        "spec operations without a Rust type: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "Rust operations missing from the spec: {extra:?}"
    );
}

#[test]
fn rust_types_match_the_spec() {
    let table = table();
    let mut problems = Vec::new();
    for op in spec_ops() {
        let Some((_, ours)) = table.iter().find(|(id, _)| *id == op.id) else {
            continue;
        };
        let theirs = &op.info;
        let mut check = |what: &str, a: String, b: String| {
            if a != b {
                problems.push(format!("{}: {what}: Rust {a} / spec {b}", op.id));
            }
        };
        check("PATH", ours.path.clone(), theirs.path.clone());
        check("METHOD", ours.method.clone(), theirs.method.clone());
        check("HOST", ours.host.clone(), theirs.host.clone());
        check("ENCODING", ours.encoding.clone(), theirs.encoding.clone());
        check("MAC_SEGMENTS", ours.mac.join("|"), theirs.mac.join("|"));
        check("KEY", ours.key.clone(), theirs.key.clone());
        check("SIGNATURE_PARAM", ours.param.clone(), theirs.param.clone());
        check(
            "SIGNATURE_SCHEME",
            ours.scheme.clone(),
            theirs.scheme.clone(),
        );
        check(
            "required PARAMS",
            format!("{:?}", ours.required),
            format!("{:?}", theirs.required),
        );
        // The confidence declared in the type's annotation is the spec's.
        if let Some(declared) = zalopay_api::catalog::find(&op.id) {
            check(
                "CONFIDENCE",
                declared.confidence.as_str().to_owned(),
                op.confidence.clone(),
            );
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn encodings_and_methods_are_consistent() {
    for (id, info) in table() {
        let get = info.method == "get";
        assert_eq!(get, info.encoding == Encoding::Query.as_str(), "{id}");
    }
}

const START: &str = "<!-- operations-table:start -->";
const END: &str = "<!-- operations-table:end -->";

fn readme_table() -> String {
    let mut out = String::from(
        "| operation | method | host | path | MAC input | key | confidence |\n|---|---|---|---|---|---|---|\n",
    );
    let mut ops = spec_ops();
    ops.sort_by(|a, b| a.id.cmp(&b.id));
    for op in ops {
        let i = &op.info;
        let mut mac = format!("`{}`", i.mac.join("\\|"));
        if i.scheme == "hmac_then_rsa_sha256" {
            mac.push_str(&format!(" → RSA-SHA256, sent as `{}`", i.param));
        }
        out.push_str(&format!(
            "| `{}` | {} | {} | `{}` | {} | {} | {} |\n",
            op.id,
            i.method.to_uppercase(),
            i.host,
            i.path,
            mac,
            i.key,
            op.confidence
        ));
    }
    out
}

#[test]
fn readme_operations_table_matches_the_spec() {
    let readme = std::fs::read_to_string(README).expect("README.md");
    let (Some(start), Some(end)) = (readme.find(START), readme.find(END)) else {
        panic!("README.md lacks the {START} / {END} markers");
    };
    let current = &readme[start + START.len()..end];
    let expected = format!("\n{}", readme_table());
    if current == expected {
        return;
    }
    if std::env::var_os("UPDATE_README").is_some_and(|v| v == "1") {
        let updated = format!(
            "{}{expected}{}",
            &readme[..start + START.len()],
            &readme[end..]
        );
        std::fs::write(README, updated).expect("write README.md");
        return;
    }
    panic!(
        "README.md's operations table differs from the spec; run with UPDATE_README=1 or paste:\n{expected}"
    );
}
