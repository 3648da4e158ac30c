//! Tolerant readers for fields the gateway fills: once key2 has verified a callback (or the
//! answer came from ZaloPay's host), ZaloPay is speaking, and a number sent as a string, a
//! `null` where a value was expected or an unknown field is read rather than refused
//! (specs/decisions.md D-91). What a reader cannot make sense of is still an error, and the
//! caller names the field.

use serde::de::{Error as _, Unexpected};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A string, or a number or boolean as its text; `null` is absent.
pub(crate) fn string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Null => None,
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(_) => return Err(D::Error::invalid_type(Unexpected::Seq, &"a string")),
        Value::Object(_) => return Err(D::Error::invalid_type(Unexpected::Map, &"a string")),
    })
}

/// [`string`] for a field whose documented empty value is `""`: `null` reads as empty.
pub(crate) fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(string(d)?.unwrap_or_default())
}

/// An integer, or a string holding one (surrounding spaces allowed); `null` and `""` are
/// absent. A value out of `T`'s range is an error, never truncated.
pub(crate) fn int<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64>,
{
    let wide = match Value::deserialize(d)? {
        Value::Null => return Ok(None),
        Value::Number(n) => n.as_i64().ok_or_else(|| {
            D::Error::invalid_value(Unexpected::Other("a number"), &"an integer in range")
        })?,
        Value::String(s) if s.trim().is_empty() => return Ok(None),
        Value::String(s) => s
            .trim()
            .parse::<i64>()
            .map_err(|_| D::Error::invalid_value(Unexpected::Str(&s), &"an integer"))?,
        Value::Bool(b) => return Err(D::Error::invalid_type(Unexpected::Bool(b), &"an integer")),
        Value::Array(_) => return Err(D::Error::invalid_type(Unexpected::Seq, &"an integer")),
        Value::Object(_) => return Err(D::Error::invalid_type(Unexpected::Map, &"an integer")),
    };
    T::try_from(wide)
        .map(Some)
        .map_err(|_| D::Error::invalid_value(Unexpected::Signed(wide), &"an integer in range"))
}

/// [`int`] for a field that must carry a value.
pub(crate) fn required_int<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64>,
{
    int(d)?.ok_or_else(|| D::Error::invalid_type(Unexpected::Unit, &"an integer"))
}

/// `true` / `false`, as a boolean, a string or `1` / `0`; `null` reads as `false`.
pub(crate) fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(false),
        Value::Bool(b) => Ok(b),
        Value::Number(n) if n.as_i64() == Some(1) => Ok(true),
        Value::Number(n) if n.as_i64() == Some(0) => Ok(false),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Ok(false),
        other => Err(D::Error::invalid_value(
            Unexpected::Other(&other.to_string()),
            &"true or false",
        )),
    }
}
