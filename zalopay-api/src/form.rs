//! `application/x-www-form-urlencoded` bodies and query strings of signed requests: a serde
//! serializer for a struct (or map) of scalar fields, writing through `form_urlencoded`.
//!
//! It covers what requests are made of: integers, strings, booleans, unit enum variants,
//! newtypes over those, and `None`, which leaves the field out (as `serde_urlencoded` does).
//! A nested value (a list, a map, a struct) cannot be a form field and is an error naming the
//! field; the SDK sends those as JSON text (`JsonString`). Written here rather than taken from
//! `serde_urlencoded`, which with `ryu` and `serde` would be the only reason a verify-only
//! build compiles them.

use serde_core::ser::{self, Impossible, Serialize, SerializeMap, SerializeStruct, Serializer};
use std::fmt::Display;

/// Why a value could not be written as a form.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FormError(String);

impl ser::Error for FormError {
    fn custom<T: Display>(msg: T) -> Self {
        Self(msg.to_string())
    }
}

/// `value`, a struct or map of scalar fields, as `name=value&...` in field order.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, FormError> {
    let mut form = Form {
        out: form_urlencoded::Serializer::new(String::new()),
        key: None,
    };
    value.serialize(&mut form)?;
    Ok(form.out.finish())
}

struct Form {
    out: form_urlencoded::Serializer<'static, String>,
    /// A map's key, between `serialize_key` and `serialize_value`.
    key: Option<String>,
}

impl Form {
    fn field<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), FormError> {
        match value.serialize(Scalar) {
            Ok(Some(text)) => {
                self.out.append_pair(name, &text);
                Ok(())
            }
            Ok(None) => Ok(()),
            Err(error) => Err(FormError(format!("form field `{name}`: {error}"))),
        }
    }
}

fn top_level() -> FormError {
    FormError("a form is a struct or map of scalar fields".to_owned())
}

/// The compound values neither level of a form can hold (a variant with data, a list, a
/// tuple), refused with `$error`; `$ok` is the serializer's `Ok` type.
macro_rules! refuse_compound {
    ($ok:ty, $error:expr) => {
        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<$ok, FormError> {
            Err($error)
        }

        fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, FormError> {
            Err($error)
        }

        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, FormError> {
            Err($error)
        }

        fn serialize_tuple_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleStruct, FormError> {
            Err($error)
        }

        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleVariant, FormError> {
            Err($error)
        }

        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStructVariant, FormError> {
            Err($error)
        }
    };
}

/// Everything but a struct or a map at the top is refused.
macro_rules! refuse_top {
    ($($method:ident($($arg:ty),*)),* $(,)?) => {
        $(fn $method(self, $(_: $arg),*) -> Result<(), FormError> {
            Err(top_level())
        })*
    };
}

impl Serializer for &mut Form {
    type Ok = ();
    type Error = FormError;
    type SerializeSeq = Impossible<(), FormError>;
    type SerializeTuple = Impossible<(), FormError>;
    type SerializeTupleStruct = Impossible<(), FormError>;
    type SerializeTupleVariant = Impossible<(), FormError>;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Impossible<(), FormError>;

    refuse_top! {
        serialize_bool(bool), serialize_i8(i8), serialize_i16(i16), serialize_i32(i32),
        serialize_i64(i64), serialize_i128(i128), serialize_u8(u8), serialize_u16(u16),
        serialize_u32(u32), serialize_u64(u64), serialize_u128(u128), serialize_f32(f32),
        serialize_f64(f64), serialize_char(char), serialize_str(&str), serialize_bytes(&[u8]),
        serialize_none(), serialize_unit(), serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), FormError> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), FormError> {
        value.serialize(self)
    }

    refuse_compound!((), top_level());

    fn serialize_map(self, _: Option<usize>) -> Result<Self, FormError> {
        Ok(self)
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, FormError> {
        Ok(self)
    }
}

impl SerializeStruct for &mut Form {
    type Ok = ();
    type Error = FormError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), FormError> {
        self.field(name, value)
    }

    fn end(self) -> Result<(), FormError> {
        Ok(())
    }
}

impl SerializeMap for &mut Form {
    type Ok = ();
    type Error = FormError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), FormError> {
        match key.serialize(Scalar)? {
            Some(key) => {
                self.key = Some(key);
                Ok(())
            }
            None => Err(FormError("a form field's name cannot be absent".to_owned())),
        }
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), FormError> {
        let Some(name) = self.key.take() else {
            return Err(FormError("a form value came without its name".to_owned()));
        };
        self.field(&name, value)
    }

    fn end(self) -> Result<(), FormError> {
        Ok(())
    }
}

/// One field's value as text; `None` when the field is left out.
struct Scalar;

fn nested() -> FormError {
    FormError("a form field holds one value, not a list, map or struct".to_owned())
}

/// Scalars written with their `Display` text (integers, booleans, characters).
macro_rules! display {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(fn $method(self, value: $ty) -> Result<Option<String>, FormError> {
            Ok(Some(value.to_string()))
        })*
    };
}

impl Serializer for Scalar {
    type Ok = Option<String>;
    type Error = FormError;
    type SerializeSeq = Impossible<Option<String>, FormError>;
    type SerializeTuple = Impossible<Option<String>, FormError>;
    type SerializeTupleStruct = Impossible<Option<String>, FormError>;
    type SerializeTupleVariant = Impossible<Option<String>, FormError>;
    type SerializeMap = Impossible<Option<String>, FormError>;
    type SerializeStruct = Impossible<Option<String>, FormError>;
    type SerializeStructVariant = Impossible<Option<String>, FormError>;

    display! {
        serialize_bool(bool), serialize_i8(i8), serialize_i16(i16), serialize_i32(i32),
        serialize_i64(i64), serialize_i128(i128), serialize_u8(u8), serialize_u16(u16),
        serialize_u32(u32), serialize_u64(u64), serialize_u128(u128), serialize_f32(f32),
        serialize_f64(f64), serialize_char(char),
    }

    fn serialize_str(self, value: &str) -> Result<Option<String>, FormError> {
        Ok(Some(value.to_owned()))
    }

    fn serialize_bytes(self, _: &[u8]) -> Result<Option<String>, FormError> {
        Err(FormError(
            "raw bytes have no form text (send them as a string)".to_owned(),
        ))
    }

    fn serialize_none(self) -> Result<Option<String>, FormError> {
        Ok(None)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Option<String>, FormError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<Option<String>, FormError> {
        Ok(Some(String::new()))
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<Option<String>, FormError> {
        Ok(Some(String::new()))
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Option<String>, FormError> {
        Ok(Some(variant.to_owned()))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Option<String>, FormError> {
        value.serialize(self)
    }

    refuse_compound!(Option<String>, nested());

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, FormError> {
        Err(nested())
    }

    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, FormError> {
        Err(nested())
    }
}

/// `name=value&...` of `pairs`, in order (the catalog's requests, built at run time).
pub fn pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Request {
        app_id: i64,
        text: &'static str,
        absent: Option<i64>,
        present: Option<String>,
        flag: bool,
        kind: Kind,
    }

    #[derive(serde::Serialize)]
    enum Kind {
        #[serde(rename = "BANK")]
        Bank,
    }

    #[test]
    fn scalars_in_field_order_none_left_out_like_serde_urlencoded() -> Result<(), FormError> {
        let request = Request {
            app_id: -2553,
            text: "a b&c=d/é+",
            absent: None,
            present: Some("x".to_owned()),
            flag: true,
            kind: Kind::Bank,
        };
        let ours = to_string(&request)?;
        assert_eq!(
            ours,
            "app_id=-2553&text=a+b%26c%3Dd%2F%C3%A9%2B&present=x&flag=true&kind=BANK"
        );
        assert_eq!(
            Ok(ours),
            serde_urlencoded::to_string(&request).map_err(|e| e.to_string())
        );
        Ok(())
    }

    #[test]
    fn nested_values_are_errors_naming_the_field() {
        #[derive(serde::Serialize)]
        struct Nested {
            items: Vec<u8>,
        }
        let error = to_string(&Nested { items: vec![1] })
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(
            error,
            Err(
                "form field `items`: a form field holds one value, not a list, map or struct"
                    .to_owned()
            )
        );
        assert!(to_string(&5).is_err());
        assert!(to_string(&vec![("a", "b")]).is_err());
    }

    #[derive(serde::Serialize)]
    struct Any {
        text: String,
        number: i64,
        maybe: Option<String>,
    }

    proptest::proptest! {
        #[test]
        fn any_text_encodes_like_serde_urlencoded(
            text in "\\PC*",
            number in proptest::num::i64::ANY,
            maybe in proptest::option::of("\\PC{0,8}"),
        ) {
            let value = Any { text, number, maybe };
            let ours = to_string(&value).map_err(|e| e.to_string());
            let theirs = serde_urlencoded::to_string(&value).map_err(|e| e.to_string());
            proptest::prop_assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn pairs_encode_like_the_struct() {
        assert_eq!(pairs([("a", "1 2"), ("mac", "ff")]), "a=1+2&mac=ff");
    }
}
