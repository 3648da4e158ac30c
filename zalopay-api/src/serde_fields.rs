//! The runtime of the crate's own serde derives (`zalopay_derive::{Serialize, Deserialize}`):
//! what serde_derive would generate per type, written once. A struct is read as one JSON
//! object whose entries each field takes by name (a flattened field takes what the others
//! left), and written as a map of its fields in declaration order.

use serde_core::de::{self, DeserializeOwned, Deserializer, Error as _, MapAccess, Visitor};
use serde_core::ser::{SerializeMap, Serializer};
use serde_json::{Map, Value};
use std::fmt;

/// The error fields are read with (turned into the outer deserializer's error at the end).
pub use serde_json::Error;

/// A JSON object being taken apart into a struct's fields.
pub struct Fields {
    map: Map<String, Value>,
    /// Keys that appeared more than once: taking one is an error, as serde_derive reports a
    /// repeated field (unknown keys may repeat, as serde ignores them).
    repeated: Vec<String>,
}

impl Fields {
    /// Removes the entry `name` (or the first alias present) and deserializes it; `None` when
    /// absent.
    pub fn optional<T: DeserializeOwned>(
        &mut self,
        name: &'static str,
        aliases: &[&'static str],
    ) -> Result<Option<T>, Error> {
        self.optional_with(name, aliases, serde_json::from_value)
    }

    /// Like [`Fields::optional`], through a `deserialize_with` function.
    pub fn optional_with<T>(
        &mut self,
        name: &'static str,
        aliases: &[&'static str],
        with: impl FnOnce(Value) -> Result<T, Error>,
    ) -> Result<Option<T>, Error> {
        let Some(value) = self.take(name, aliases)? else {
            return Ok(None);
        };
        with(value)
            .map(Some)
            .map_err(|error| Error::custom(format_args!("field `{name}`: {error}")))
    }

    /// A field without a default: absent is "missing field", except for types that have a
    /// value for absence (`Option` is `None`), as serde_derive does.
    pub fn required<T: DeserializeOwned>(
        &mut self,
        name: &'static str,
        aliases: &[&'static str],
    ) -> Result<T, Error> {
        match self.optional(name, aliases)? {
            Some(value) => Ok(value),
            None => T::deserialize(Missing(name)),
        }
    }

    fn take(
        &mut self,
        name: &'static str,
        aliases: &[&'static str],
    ) -> Result<Option<Value>, Error> {
        let mut found = None;
        for key in std::iter::once(&name).chain(aliases) {
            if self.repeated.iter().any(|r| r == key) {
                return Err(Error::duplicate_field(name));
            }
            if let Some(value) = self.map.remove(*key) {
                if found.is_some() {
                    return Err(Error::duplicate_field(name));
                }
                found = Some(value);
            }
        }
        Ok(found)
    }
}

impl<'de> de::Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(FieldsVisitor)
    }
}

struct FieldsVisitor;

impl<'de> Visitor<'de> for FieldsVisitor {
    type Value = Fields;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Fields, A::Error> {
        let mut fields = Fields {
            map: Map::new(),
            repeated: Vec::new(),
        };
        while let Some((key, value)) = access.next_entry::<String, Value>()? {
            if fields.map.contains_key(&key) {
                fields.repeated.push(key.clone());
            }
            fields.map.insert(key, value);
        }
        Ok(fields)
    }
}

/// A struct read field by field (the derive's `Deserialize`, and how a flattened field is
/// read out of its parent's object).
pub trait FromFields: Sized {
    /// Takes this type's fields out of `fields`.
    fn from_fields(fields: &mut Fields) -> Result<Self, Error>;
}

/// A struct written field by field (the derive's `Serialize`, and how a flattened field is
/// written into its parent's map).
pub trait ToFields {
    /// Writes this type's fields as entries of `map`.
    fn to_fields<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error>;
}

/// The derive's `Deserialize::deserialize` for a struct.
pub fn deserialize_from_fields<'de, T: FromFields, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    let mut fields = <Fields as de::Deserialize>::deserialize(deserializer)?;
    T::from_fields(&mut fields).map_err(D::Error::custom)
}

/// The derive's `Serialize::serialize` for a struct.
pub fn serialize_with_fields<T: ToFields, S: Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(None)?;
    value.to_fields(&mut map)?;
    map.end()
}

/// The text of a unit enum variant.
pub fn variant_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    <String as de::Deserialize>::deserialize(deserializer)
}

/// serde's "missing field" error.
pub fn missing(name: &'static str) -> Error {
    Error::missing_field(name)
}

/// What serde_derive deserializes an absent field from: `None` for an `Option`, "missing
/// field" for anything else.
struct Missing(&'static str);

impl<'de> Deserializer<'de> for Missing {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Error> {
        Err(Error::missing_field(self.0))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_none()
    }

    serde_core::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}
