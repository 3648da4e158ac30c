//! The crate's own `Serialize` / `Deserialize` derives against serde_derive: the same types,
//! once with each derive, read from generated JSON objects (fields absent, present, `null`,
//! of the wrong type, repeated, under an alias, next to unknown keys) must give the same
//! value or both fail, and the values must serialize to the same text.
//!
//! Two differences are deliberate, stricter, and tested on their own: serde_derive also reads
//! a struct from a JSON array (fields by position) and a unit variant from the map form
//! `{"BANK": null}`; the gateway sends neither, and the SDK's derive refuses both.

use proptest::prelude::*;

/// The same items twice: under `ours` with the SDK's derives, under `theirs` with serde's.
macro_rules! twins {
    ($($item:item)*) => {
        mod ours {
            #![allow(dead_code)]
            use zalopay_derive::{Deserialize, Serialize};
            use super::with;
            $($item)*
        }
        mod theirs {
            #![allow(dead_code)]
            use serde::{Deserialize, Serialize};
            use super::with;
            $($item)*
        }
    };
}

/// `deserialize_with` helpers, shared by both twins.
mod with {
    use serde::{Deserialize, Deserializer};

    /// A number or a numeric string, as the gateway sends some amounts.
    pub fn lenient_i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Either {
            Int(i64),
            Text(String),
        }
        match Either::deserialize(deserializer)? {
            Either::Int(value) => Ok(value),
            Either::Text(text) => text.parse().map_err(serde::de::Error::custom),
        }
    }

    /// Any string, `null` as empty.
    pub fn string_or_null<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
        Ok(Option::<String>::deserialize(deserializer)?.unwrap_or_default())
    }

    pub fn seven() -> u32 {
        7
    }
}

twins! {
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    pub struct Outer {
        pub name: String,
        pub amount: i64,
        #[serde(rename = "returncode")]
        pub code: i32,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub note: Option<String>,
        #[serde(default)]
        pub tags: Vec<u32>,
        #[serde(default = "with::seven")]
        pub retries: u32,
        #[serde(default, alias = "zp_user_id")]
        pub user_id: String,
        #[serde(deserialize_with = "with::lenient_i64")]
        pub fee: i64,
        #[serde(default, deserialize_with = "with::string_or_null")]
        pub message: String,
        pub status: Option<Kind>,
        #[serde(flatten)]
        pub inner: Inner,
    }

    #[derive(Debug, PartialEq, Default, Serialize, Deserialize)]
    #[serde(default)]
    pub struct Inner {
        pub zp_trans_id: i64,
        pub channel: Option<u8>,
        pub flag: bool,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    pub enum Kind {
        #[serde(rename = "WALLET")]
        Wallet,
        #[serde(rename = "BANK")]
        Bank,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Camel {
        pub cod_amount: i64,
        pub item_weight: Option<u32>,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(try_from = "Camel")]
    pub struct Checked {
        pub cod_amount: i64,
    }

    impl TryFrom<Camel> for Checked {
        type Error = String;
        fn try_from(camel: Camel) -> Result<Self, String> {
            if camel.cod_amount < 0 {
                return Err(format!("negative amount {}", camel.cod_amount));
            }
            Ok(Checked { cod_amount: camel.cod_amount })
        }
    }
}

/// One key's good JSON values (of its type, some at the edge of it).
fn good_value(key: &str) -> BoxedStrategy<String> {
    match key {
        "name" | "note" | "user_id" | "message" => {
            "[a-z0-9 ]{0,6}".prop_map(|s| format!("\"{s}\"")).boxed()
        }
        "amount" | "zp_trans_id" | "codAmount" => any::<i64>().prop_map(|n| n.to_string()).boxed(),
        "fee" => prop_oneof![
            any::<i64>().prop_map(|n| n.to_string()),
            any::<i64>().prop_map(|n| format!("\"{n}\"")),
        ]
        .boxed(),
        "returncode" => any::<i32>().prop_map(|n| n.to_string()).boxed(),
        "retries" | "itemWeight" => any::<u32>().prop_map(|n| n.to_string()).boxed(),
        "channel" => any::<u8>().prop_map(|n| n.to_string()).boxed(),
        "tags" => proptest::collection::vec(any::<u32>(), 0..3)
            .prop_map(|v| format!("{v:?}").replace(' ', ""))
            .boxed(),
        "status" => prop_oneof![Just("\"WALLET\"".to_owned()), Just("\"BANK\"".to_owned())].boxed(),
        "flag" => any::<bool>().prop_map(|b| b.to_string()).boxed(),
        _ => "[a-z]{0,3}".prop_map(|s| format!("\"{s}\"")).boxed(),
    }
}

/// A value of the wrong type for most keys (or out of range, or not one of the variants).
fn wrong_value() -> BoxedStrategy<String> {
    prop_oneof![
        Just("null".to_owned()),
        Just("\"text\"".to_owned()),
        Just("\"12x\"".to_owned()),
        Just("-1.5".to_owned()),
        Just("-1".to_owned()),
        Just("300".to_owned()),
        Just("9223372036854775808".to_owned()),
        Just("{}".to_owned()),
        Just("[1]".to_owned()),
        Just("true".to_owned()),
        Just("\"CARD\"".to_owned()),
    ]
    .boxed()
}

/// What is done to one entry of a good object.
#[derive(Debug, Clone)]
enum Change {
    Remove,
    Replace(String),
    /// The key again, later, with this value.
    Repeat(String),
    /// The entry under its other name (an alias, or a name the type does not know).
    Rename,
    /// An unknown key beside it.
    Unknown(String),
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        Just(Change::Remove),
        wrong_value().prop_map(Change::Replace),
        wrong_value().prop_map(Change::Repeat),
        Just(Change::Rename),
        wrong_value().prop_map(Change::Unknown),
    ]
}

/// The other name of a key: the alias serde knows, or the snake_case one it does not.
fn other_name(key: &str) -> String {
    match key {
        "user_id" => "zp_user_id".to_owned(),
        "codAmount" => "cod_amount".to_owned(),
        "returncode" => "code".to_owned(),
        other => format!("{other}_x"),
    }
}

/// A good object over `keys` with up to three changes, in a shuffled order, written as text
/// so that repeated keys survive.
fn object(keys: &'static [&'static str]) -> impl Strategy<Value = String> {
    let good: Vec<BoxedStrategy<(String, String)>> = keys
        .iter()
        .map(|key| {
            good_value(key)
                .prop_map(move |v| ((*key).to_owned(), v))
                .boxed()
        })
        .collect();
    let changes = proptest::collection::vec((0..keys.len(), change()), 0..4);
    (good, changes)
        .prop_map(|(mut pairs, changes)| {
            let mut extra = Vec::new();
            for (index, change) in changes {
                let Some(entry) = pairs.get_mut(index) else {
                    continue;
                };
                match change {
                    Change::Remove => entry.0 = "removed".to_owned(),
                    Change::Replace(value) => entry.1 = value,
                    Change::Repeat(value) => extra.push((entry.0.clone(), value)),
                    Change::Rename => entry.0 = other_name(&entry.0),
                    Change::Unknown(value) => extra.push(("unknown".to_owned(), value)),
                }
            }
            pairs.extend(extra);
            pairs
        })
        .prop_shuffle()
        .prop_map(|pairs| {
            let body: Vec<String> = pairs
                .iter()
                .map(|(key, value)| format!("\"{key}\":{value}"))
                .collect();
            format!("{{{}}}", body.join(","))
        })
}

const OUTER_KEYS: &[&str] = &[
    "name",
    "amount",
    "returncode",
    "note",
    "tags",
    "retries",
    "user_id",
    "fee",
    "message",
    "status",
    "zp_trans_id",
    "channel",
    "flag",
];

const CAMEL_KEYS: &[&str] = &["codAmount", "itemWeight"];

/// Both twins read `json` alike: the same value (and the same serialized text), or both fail.
fn same<O, T>(json: &str) -> Result<(), TestCaseError>
where
    O: serde::de::DeserializeOwned + serde::Serialize + std::fmt::Debug,
    T: serde::de::DeserializeOwned + serde::Serialize + std::fmt::Debug,
{
    let ours = serde_json::from_str::<O>(json);
    let theirs = serde_json::from_str::<T>(json);
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => {
            let a = serde_json::to_string(a).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let b = serde_json::to_string(b).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(a, b, "input {}", json);
        }
        (Err(_), Err(_)) => {}
        _ => prop_assert!(
            false,
            "input {json}: ours {ours:?}, serde_derive {theirs:?}"
        ),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn outer_reads_like_serde_derive(json in object(OUTER_KEYS)) {
        same::<ours::Outer, theirs::Outer>(&json)?;
    }

    #[test]
    fn camel_case_and_try_from_read_like_serde_derive(json in object(CAMEL_KEYS)) {
        same::<ours::Camel, theirs::Camel>(&json)?;
        same::<ours::Checked, theirs::Checked>(&json)?;
    }

    #[test]
    fn unit_variants_read_like_serde_derive(json in prop_oneof![good_value("status"), wrong_value()]) {
        same::<ours::Kind, theirs::Kind>(&json)?;
        same::<Option<ours::Kind>, Option<theirs::Kind>>(&json)?;
    }
}

/// The generated objects are read successfully often enough for the comparison to mean
/// something (a generator that only makes broken objects would pass any derive).
#[test]
fn the_generator_makes_readable_objects_often() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = object(OUTER_KEYS);
    let mut read = 0;
    for _ in 0..500 {
        let Ok(tree) = strategy.new_tree(&mut runner) else {
            continue;
        };
        if serde_json::from_str::<theirs::Outer>(&tree.current()).is_ok() {
            read += 1;
        }
    }
    assert!(
        (100..450).contains(&read),
        "{read} of 500 generated objects read"
    );
}

/// A full object reads and writes the same through both, with every option in play.
#[test]
fn a_complete_object_round_trips_alike() -> Result<(), Box<dyn std::error::Error>> {
    let json = r#"{"name":"n","amount":5,"returncode":1,"note":"x","tags":[1,2],"retries":3,
        "zp_user_id":"u","fee":"42","message":null,"status":"BANK","zp_trans_id":9,
        "channel":38,"flag":true,"extra":[1,2,3]}"#;
    let ours: ours::Outer = serde_json::from_str(json)?;
    let theirs: theirs::Outer = serde_json::from_str(json)?;
    assert_eq!(ours.fee, 42);
    assert_eq!(ours.user_id, "u");
    assert_eq!(ours.inner.channel, Some(38));
    assert_eq!(
        serde_json::to_string(&ours)?,
        serde_json::to_string(&theirs)?
    );
    Ok(())
}

/// The deliberate differences, both stricter: a struct is a JSON object, never an array by
/// position; a unit variant is its string, never the map form `{"BANK": null}`.
#[test]
fn an_array_is_not_a_struct() {
    let json = r#"[-5, null]"#;
    assert!(serde_json::from_str::<theirs::Camel>(json).is_ok());
    assert!(serde_json::from_str::<ours::Camel>(json).is_err());
}

#[test]
fn a_unit_variant_is_only_its_string() {
    let json = r#"{"BANK": null}"#;
    assert!(matches!(
        serde_json::from_str::<theirs::Kind>(json),
        Ok(theirs::Kind::Bank)
    ));
    assert!(serde_json::from_str::<ours::Kind>(json).is_err());
    assert!(matches!(
        serde_json::from_str::<ours::Kind>(r#""BANK""#),
        Ok(ours::Kind::Bank)
    ));
}
