//! `#[serde(...)]` attributes parsed into a small typed model. Only the options the SDK's own
//! wire types use are accepted, with serde's meaning; any other is an error on its token, so a
//! type never silently gets a different shape than serde_derive would give it.

use crate::ctxt::Errors;
use crate::model::path_name;
use syn::meta::ParseNestedMeta;
use syn::{Ident, LitStr, Type};

/// A type to derive for.
pub struct Container<'a> {
    pub ident: &'a Ident,
    pub data: Data<'a>,
    /// `#[serde(default)]`: absent fields come from the type's `Default`.
    pub default: bool,
    /// `#[serde(try_from = "Type")]`: deserialize that type, then convert.
    pub try_from: Option<Type>,
}

pub enum Data<'a> {
    Struct(Vec<Field<'a>>),
    /// Unit variants only, as strings (serde's externally tagged unit variants).
    Enum(Vec<Variant<'a>>),
}

pub struct Field<'a> {
    pub ident: &'a Ident,
    pub ty: &'a Type,
    /// The JSON key: the field's name, `rename`d or under `rename_all`.
    pub name: String,
    /// `alias = "..."`: other keys accepted when deserializing.
    pub aliases: Vec<String>,
    pub default: FieldDefault,
    /// `flatten`: the field's own fields sit in this object.
    pub flatten: bool,
    /// `skip_serializing_if = "path"`.
    pub skip_serializing_if: Option<syn::ExprPath>,
    /// `deserialize_with = "path"`.
    pub deserialize_with: Option<syn::ExprPath>,
}

pub enum FieldDefault {
    /// Absent is an error (an `Option` is `None`, as in serde).
    None,
    /// `default`: `Default::default()`.
    Trait,
    /// `default = "path"`: `path()`.
    Path(syn::ExprPath),
}

pub struct Variant<'a> {
    pub ident: &'a Ident,
    pub name: String,
}

/// Both derives read the same attributes, as serde's do: each uses the options that concern
/// it (`skip_serializing_if` only serializing, `default` and `alias` only deserializing).
pub fn parse<'a>(input: &'a syn::DeriveInput, errors: &mut Errors) -> Option<Container<'a>> {
    // Reported with the rest: every error of the type comes out in one compile.
    let generic = !input.generics.params.is_empty();
    if generic {
        errors.spanned(
            &input.generics,
            "the SDK's serde derive takes types without generics or lifetimes",
        );
    }
    let mut default = false;
    let mut try_from = None;
    let mut camel_case = false;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("default") {
                default = true;
            } else if meta.path.is_ident("try_from") {
                let lit: LitStr = meta.value()?.parse()?;
                try_from = Some(lit.parse::<Type>()?);
            } else if meta.path.is_ident("rename_all") {
                let lit: LitStr = meta.value()?.parse()?;
                if lit.value() != "camelCase" {
                    return Err(syn::Error::new(
                        lit.span(),
                        "only `rename_all = \"camelCase\"` is supported",
                    ));
                }
                camel_case = true;
            } else {
                return Err(unknown(
                    &meta,
                    "default, try_from = \"Type\", rename_all = \"camelCase\"",
                ));
            }
            Ok(())
        });
        errors.ok(result);
    }
    let data = match &input.data {
        syn::Data::Struct(data) => {
            let syn::Fields::Named(named) = &data.fields else {
                errors.spanned(
                    &data.fields,
                    "the SDK's serde derive takes named fields only",
                );
                return None;
            };
            let fields = named
                .named
                .iter()
                .filter_map(|field| {
                    let ident = field.ident.as_ref()?;
                    Some(parse_field(field, ident, camel_case, errors))
                })
                .collect();
            Data::Struct(fields)
        }
        syn::Data::Enum(data) => {
            let mut variants = Vec::new();
            for variant in &data.variants {
                if !matches!(variant.fields, syn::Fields::Unit) {
                    errors.spanned(variant, "the SDK's serde derive takes unit variants only");
                    continue;
                }
                let mut name = variant.ident.to_string();
                for attr in variant.attrs.iter().filter(|a| a.path().is_ident("serde")) {
                    let result = attr.parse_nested_meta(|meta| {
                        if meta.path.is_ident("rename") {
                            name = text(&meta)?;
                            Ok(())
                        } else {
                            Err(unknown(&meta, "rename"))
                        }
                    });
                    errors.ok(result);
                }
                variants.push(Variant {
                    ident: &variant.ident,
                    name,
                });
            }
            Data::Enum(variants)
        }
        syn::Data::Union(data) => {
            errors.at(
                data.union_token.span,
                "the SDK's serde derive takes structs and enums",
            );
            return None;
        }
    };
    if generic {
        return None;
    }
    Some(Container {
        ident: &input.ident,
        data,
        default,
        try_from,
    })
}

fn parse_field<'a>(
    field: &'a syn::Field,
    ident: &'a Ident,
    camel_case: bool,
    errors: &mut Errors,
) -> Field<'a> {
    let raw = ident.to_string();
    let mut out = Field {
        ident,
        ty: &field.ty,
        name: if camel_case { camel(&raw) } else { raw },
        aliases: Vec::new(),
        default: FieldDefault::None,
        flatten: false,
        skip_serializing_if: None,
        deserialize_with: None,
    };
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let result = attr.parse_nested_meta(|meta| {
            let path = &meta.path;
            if path.is_ident("rename") {
                out.name = text(&meta)?;
            } else if path.is_ident("alias") {
                out.aliases.push(text(&meta)?);
            } else if path.is_ident("default") {
                out.default = if meta.input.peek(syn::Token![=]) {
                    let lit: LitStr = meta.value()?.parse()?;
                    FieldDefault::Path(lit.parse()?)
                } else {
                    FieldDefault::Trait
                };
            } else if path.is_ident("flatten") {
                out.flatten = true;
            } else if path.is_ident("skip_serializing_if") {
                let lit: LitStr = meta.value()?.parse()?;
                out.skip_serializing_if = Some(lit.parse()?);
            } else if path.is_ident("deserialize_with") {
                let lit: LitStr = meta.value()?.parse()?;
                out.deserialize_with = Some(lit.parse()?);
            } else {
                return Err(unknown(
                    &meta,
                    "rename, alias, default, flatten, skip_serializing_if, deserialize_with",
                ));
            }
            Ok(())
        });
        errors.ok(result);
    }
    if out.flatten
        && (out.deserialize_with.is_some()
            || out.skip_serializing_if.is_some()
            || !matches!(out.default, FieldDefault::None)
            || !out.aliases.is_empty())
    {
        errors.spanned(ident, "a `flatten` field takes no other serde option here");
    }
    out
}

/// The string of `name = "text"`.
fn text(meta: &ParseNestedMeta<'_>) -> syn::Result<String> {
    Ok(meta.value()?.parse::<LitStr>()?.value())
}

fn unknown(meta: &ParseNestedMeta<'_>, known: &str) -> syn::Error {
    meta.error(format!(
        "serde option `{}` is not supported by the SDK's serde derive (supported here: {known})",
        path_name(&meta.path)
    ))
}

/// `snake_case` to `camelCase`, as serde's `rename_all = "camelCase"`.
fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn camel_case_matches_serde() {
        assert_eq!(super::camel("cod_amount"), "codAmount");
        assert_eq!(super::camel("weight"), "weight");
        assert_eq!(super::camel("a_b_c"), "aBC");
    }
}
