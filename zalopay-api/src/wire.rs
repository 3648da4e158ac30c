//! Crate-private helpers shared by the operation modules: lenient number decoding and the
//! "result unless the code refuses the request" rejection rule.

use crate::response::{GatewayError, ResultCodes};

/// Rejection rule for operations where `return_code 2` is a business state (a refund or a
/// binding that failed): 1 and 3 are results, 2 is a result unless its class refuses the
/// request (request-level, temporary, duplicate: [`crate::codes::CodeClass::is_refusal`]),
/// anything else is a rejection.
pub(crate) fn result_unless_request_level(codes: &ResultCodes) -> Option<GatewayError> {
    match codes.return_code {
        1 | 3 => None,
        2 if !codes.class().is_refusal() => None,
        _ => Some(GatewayError::from(codes.clone())),
    }
}

/// Rejection rule with a list of `return_code 2` sub codes that carry a business result
/// (e.g. disbursement's `-101` "no wallet" with an onboarding link).
pub(crate) fn result_for_sub_codes(codes: &ResultCodes, business: &[i32]) -> Option<GatewayError> {
    match (codes.return_code, codes.sub_return_code) {
        (2, Some(sub)) if business.contains(&sub) => None,
        _ => codes.rejection(),
    }
}

/// A JSON integer that some endpoints send as a number and others as a decimal string.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum IntOrString {
    Int(i64),
    Text(String),
}

fn to_i64<E: serde::de::Error>(value: IntOrString) -> Result<i64, E> {
    match value {
        IntOrString::Int(n) => Ok(n),
        IntOrString::Text(text) => text.trim().parse::<i64>().map_err(|_| {
            E::custom(format!(
                "expected an integer or a decimal string, got {text:?}"
            ))
        }),
    }
}

/// Deserialises an `i64` sent as a number or as a decimal string (ZOD's `"430000"`).
pub(crate) fn lenient_i64<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<i64, D::Error> {
    let value = <IntOrString as serde::Deserialize>::deserialize(deserializer)?;
    to_i64(value)
}

/// Like [`lenient_i64`], for an optional field (`null` or absent → `None`).
pub(crate) fn lenient_opt_i64<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<i64>, D::Error> {
    let value = <Option<IntOrString> as serde::Deserialize>::deserialize(deserializer)?;
    value.map(to_i64).transpose()
}

/// Deserialises a string sent as a JSON string or as a bare number.
pub(crate) fn lenient_opt_string<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    let value = <Option<IntOrString> as serde::Deserialize>::deserialize(deserializer)?;
    Ok(value.map(|v| match v {
        IntOrString::Int(n) => n.to_string(),
        IntOrString::Text(text) => text,
    }))
}
