//! Attributes -> a small, typed model, after serde_derive's `attr.rs`: every value is checked
//! and turned into its type here (an enum, a number, a path), so later steps never match on
//! strings again. Relations between attributes and fields are checked in `validate`.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::{Ident, LitStr, Token, Type};

use crate::checks::{self, Check};
use crate::ctxt::Errors;

/// A value with the span it was written at.
#[derive(Clone, Copy)]
pub struct Sp<T> {
    pub value: T,
    pub span: Span,
}

/// The request struct as the macro sees it.
pub struct Request<'a> {
    pub input: &'a syn::DeriveInput,
    pub fields: Vec<Field<'a>>,
    pub mac: Option<MacAttr>,
    pub endpoint: Option<EndpointAttr>,
}

/// One named field.
pub struct Field<'a> {
    pub ident: &'a Ident,
    pub ty: &'a Type,
    pub vis: &'a syn::Visibility,
    /// The field's `///` docs, copied onto its builder setter.
    pub docs: Vec<&'a syn::Attribute>,
    pub wire_name: String,
    pub skip_wire: bool,
    /// The type is syntactically `Option<T>` (last path segment `Option`).
    pub option_inner: Option<&'a Type>,
    /// `#[check(...)]` entries, in the order written.
    pub checks: Vec<Check>,
    /// `#[zalopay(app_id)]` / `#[zalopay(time)]` / `#[zalopay(encrypt = source)]`: filled
    /// by the client when left `None`.
    pub filled: Option<Sp<Filled>>,
    /// The plain field of `#[zalopay(encrypt = source)]`.
    pub encrypt_source: Option<Ident>,
    /// `#[zalopay(default)]` / `#[zalopay(default = EXPR)]`: what the builder uses when the
    /// caller sets nothing.
    pub default: Option<Sp<FieldDefault>>,
}

impl Field<'_> {
    /// The name errors report: the wire name, or the Rust name of an unsent field.
    pub fn reported_name(&self) -> String {
        if self.skip_wire {
            self.ident.to_string()
        } else {
            self.wire_name.clone()
        }
    }
}

/// A value the client fills in from its `Config` and clock.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Filled {
    AppId,
    Time,
    /// `#[zalopay(encrypt = source)]`: encrypted from the field `Field::encrypt_source`.
    Encrypt,
}

/// A builder default.
pub enum FieldDefault {
    /// `Default::default()`.
    Trait,
    /// The expression written.
    Expr(Box<syn::Expr>),
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Key1,
    Key2,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Host {
    OpenApi,
    Gateway,
    Zod,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Form,
    Json,
    Query,
}

/// `retry = ...` of `#[endpoint(...)]`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    Never,
    Safe,
    SameId,
}

/// `confidence = "..."` of `#[endpoint(...)]`, the api-facts legend.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Confidence {
    C2,
    C1,
    ThirdParty,
    Unconfirmed,
}

/// `#[mac(...)]`.
pub struct MacAttr {
    /// The whole attribute, so "missing ..." errors underline all of it.
    pub tokens: proc_macro2::TokenStream,
    pub key: Option<Key>,
    /// Whether `key = ...` was written at all (an unknown key is reported once).
    pub key_written: bool,
    pub fields: Option<(Span, Vec<Segment>)>,
    pub param: Option<String>,
    /// `then = rsa_sha256`.
    pub rsa: bool,
}

/// One entry of `fields = [...]`.
pub enum Segment {
    Field {
        ident: Ident,
        omit_when_absent: bool,
    },
    Key {
        span: Span,
    },
}

/// `#[endpoint(...)]`.
pub struct EndpointAttr {
    /// The whole attribute, so "missing ..." errors underline all of it.
    pub tokens: proc_macro2::TokenStream,
    pub method: Slot<Method>,
    pub host: Slot<Host>,
    pub path: Slot<LitStr>,
    pub encoding: Slot<Sp<Encoding>>,
    pub response: Slot<Type>,
    pub retry: Slot<Retry>,
    /// `id = "family.name"`: the operation's catalog id.
    pub id: Slot<Sp<String>>,
    pub confidence: Slot<Sp<Confidence>>,
}

/// An option's value: not written, written wrong (already reported), or parsed.
pub enum Slot<T> {
    Absent,
    Invalid,
    Set(T),
}

impl<T> Slot<T> {
    pub fn get(&self) -> Option<&T> {
        match self {
            Slot::Set(value) => Some(value),
            _ => None,
        }
    }
}

/// The path of the runtime crate's hidden module: `::zalopay_api::__private`, or
/// `PATH::__private` when the struct says `#[zalopay(crate = PATH)]` (for a renamed dependency
/// or a re-export, like serde's `#[serde(crate = "...")]`). Read before anything else, so even
/// the stub impls emitted on error name the right crate.
pub fn private_path(input: &syn::DeriveInput, errors: &mut Errors) -> proc_macro2::TokenStream {
    let mut krate: Option<syn::Path> = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("zalopay")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("crate") {
                let path: syn::Path = meta.value()?.parse()?;
                set_once(&mut krate, path, &meta, errors)
            } else {
                Err(meta.error(format!(
                    "unknown zalopay option `{}`; the only one on a struct is `crate = path::to::zalopay_api`",
                    path_name(&meta.path)
                )))
            }
        });
        errors.ok(result);
    }
    match krate {
        Some(path) => quote::quote!(#path::__private),
        None => quote::quote!(::zalopay_api::__private),
    }
}

pub fn parse<'a>(input: &'a syn::DeriveInput, errors: &mut Errors) -> Option<Request<'a>> {
    let named = match &input.data {
        syn::Data::Struct(data) => match &data.fields {
            syn::Fields::Named(named) => named,
            other => {
                errors.spanned(
                    other,
                    "ZaloPayRequest needs a struct with named fields: the MAC names them",
                );
                return None;
            }
        },
        syn::Data::Enum(data) => {
            errors.at(
                data.enum_token.span,
                "ZaloPayRequest cannot be derived for an enum: a request is a struct with named fields",
            );
            return None;
        }
        syn::Data::Union(data) => {
            errors.at(
                data.union_token.span,
                "ZaloPayRequest cannot be derived for a union: a request is a struct with named fields",
            );
            return None;
        }
    };

    let mut mac = None;
    let mut endpoint = None;
    for attr in &input.attrs {
        if attr.path().is_ident("mac") {
            if mac.is_some() {
                errors.spanned(attr, "duplicate #[mac(...)] attribute");
                continue;
            }
            mac = Some(parse_mac(attr, errors));
        } else if attr.path().is_ident("endpoint") {
            if endpoint.is_some() {
                errors.spanned(attr, "duplicate #[endpoint(...)] attribute");
                continue;
            }
            endpoint = Some(parse_endpoint(attr, errors));
        } else if attr.path().is_ident("wire") {
            errors.spanned(attr, "#[wire(...)] belongs on a field, not on the struct");
        } else if attr.path().is_ident("check") {
            errors.spanned(attr, "#[check(...)] belongs on a field, not on the struct");
        }
    }

    let fields = named
        .named
        .iter()
        .filter_map(|field| Some(parse_field(field, field.ident.as_ref()?, errors)))
        .collect();

    Some(Request {
        input,
        fields,
        mac,
        endpoint,
    })
}

fn parse_field<'a>(field: &'a syn::Field, ident: &'a Ident, errors: &mut Errors) -> Field<'a> {
    let mut out = Field {
        ident,
        ty: &field.ty,
        vis: &field.vis,
        docs: field
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("doc"))
            .collect(),
        wire_name: ident.to_string(),
        skip_wire: false,
        option_inner: option_inner(&field.ty),
        checks: Vec::new(),
        filled: None,
        encrypt_source: None,
        default: None,
    };
    for attr in &field.attrs {
        let path = attr.path();
        if path.is_ident("wire") {
            let result = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    let lit: LitStr = meta.value()?.parse()?;
                    if lit.value().is_empty() {
                        return Err(meta.error("wire name cannot be empty"));
                    }
                    out.wire_name = lit.value();
                    Ok(())
                } else if meta.path.is_ident("skip") {
                    out.skip_wire = true;
                    Ok(())
                } else {
                    Err(meta.error(format!(
                        "unknown wire option `{}`; expected `rename = \"...\"` or `skip`",
                        path_name(&meta.path)
                    )))
                }
            });
            errors.ok(result);
        } else if path.is_ident("check") {
            let result = attr.parse_nested_meta(|meta| {
                if let Some(check) = checks::parse(&meta, errors)? {
                    if let Some(first) = out.checks.iter().find(|c| c.name == check.name) {
                        errors.duplicate(
                            check.span,
                            first.span,
                            format!("duplicate check `{}` on `{ident}`", check.name),
                        );
                    } else {
                        out.checks.push(check);
                    }
                }
                Ok(())
            });
            errors.ok(result);
        } else if path.is_ident("zalopay") {
            let result = attr.parse_nested_meta(|meta| parse_field_option(&meta, &mut out, errors));
            errors.ok(result);
        } else if path.is_ident("mac") || path.is_ident("endpoint") {
            errors.spanned(
                path,
                "this attribute belongs on the struct; on fields only #[wire(...)], #[check(...)] and #[zalopay(...)] are accepted",
            );
        }
    }
    out
}

/// `#[zalopay(app_id | time | encrypt = FIELD | default | default = EXPR)]` on a field.
fn parse_field_option(
    meta: &ParseNestedMeta<'_>,
    field: &mut Field<'_>,
    errors: &mut Errors,
) -> syn::Result<()> {
    let span = meta
        .path
        .get_ident()
        .map_or_else(Span::call_site, Ident::span);
    let filled = if meta.path.is_ident("app_id") {
        Some(Filled::AppId)
    } else if meta.path.is_ident("time") {
        Some(Filled::Time)
    } else if meta.path.is_ident("encrypt") {
        let source: Ident = meta.value()?.parse()?;
        if field.filled.is_none() {
            field.encrypt_source = Some(source);
        }
        Some(Filled::Encrypt)
    } else {
        None
    };
    if let Some(value) = filled {
        if let Some(first) = &field.filled {
            errors.duplicate(
                span,
                first.span,
                "a field is filled by the client in one way only: `app_id`, `time` or `encrypt`",
            );
        } else {
            field.filled = Some(Sp { value, span });
        }
        return Ok(());
    }
    if meta.path.is_ident("default") {
        let value = if meta.input.peek(Token![=]) {
            FieldDefault::Expr(Box::new(meta.value()?.parse()?))
        } else {
            FieldDefault::Trait
        };
        if let Some(first) = &field.default {
            errors.duplicate(span, first.span, "duplicate zalopay option `default`");
        } else {
            field.default = Some(Sp { value, span });
        }
        return Ok(());
    }
    Err(meta.error(format!(
        "unknown zalopay option `{}` on a field; expected `app_id` (filled from the client's Config), `time` (filled from the client's clock), `encrypt = FIELD` (encrypted by the client from FIELD), `default` or `default = EXPR` (the builder's value when unset)",
        path_name(&meta.path)
    )))
}

fn parse_mac(attr: &syn::Attribute, errors: &mut Errors) -> MacAttr {
    let mut mac = MacAttr {
        tokens: quote::ToTokens::to_token_stream(attr),
        key: None,
        key_written: false,
        fields: None,
        param: None,
        rsa: false,
    };
    let mut then_seen = false;
    let result = attr.parse_nested_meta(|meta| {
        let name = path_name(&meta.path);
        match name.as_str() {
            "key" => {
                let value: Ident = meta.value()?.parse()?;
                if mac.key_written {
                    return duplicate(&meta, errors);
                }
                mac.key_written = true;
                mac.key = match value.to_string().as_str() {
                    "key1" => Some(Key::Key1),
                    "key2" => Some(Key::Key2),
                    _ => {
                        errors.spanned(
                            &value,
                            format!("unknown key `{value}`; expected `key1` or `key2`"),
                        );
                        None
                    }
                };
                Ok(())
            }
            "param" => {
                let value: LitStr = meta.value()?.parse()?;
                if mac.param.is_some() {
                    return duplicate(&meta, errors);
                }
                let text = value.value();
                if text.is_empty()
                    || !text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                {
                    errors.spanned(
                        &value,
                        "the signature parameter must be a non-empty name such as \"mac\" or \"sig\"",
                    );
                }
                mac.param = Some(text);
                Ok(())
            }
            "then" => {
                let value: Ident = meta.value()?.parse()?;
                if then_seen {
                    return duplicate(&meta, errors);
                }
                then_seen = true;
                if value == "rsa_sha256" {
                    mac.rsa = true;
                } else {
                    errors.spanned(
                        &value,
                        format!("unknown `then = {value}`; the only second step is `rsa_sha256`"),
                    );
                }
                Ok(())
            }
            "fields" => {
                let stream = meta.value()?;
                let content;
                let bracket = syn::bracketed!(content in stream);
                let mut segments = Vec::new();
                while !content.is_empty() {
                    if content.peek(Token![@]) {
                        let at: Token![@] = content.parse()?;
                        let word: Ident = content.parse()?;
                        if word != "key" {
                            return Err(syn::Error::new(
                                word.span(),
                                format!("unknown special segment `@{word}`; the only one is `@key` (the signing key)"),
                            ));
                        }
                        segments.push(Segment::Key {
                            span: at.span.join(word.span()).unwrap_or(word.span()),
                        });
                    } else {
                        let ident: Ident = content.parse()?;
                        let omit_when_absent = if content.peek(Token![?]) {
                            content.parse::<Token![?]>()?;
                            true
                        } else {
                            false
                        };
                        segments.push(Segment::Field {
                            ident,
                            omit_when_absent,
                        });
                    }
                    if content.is_empty() {
                        break;
                    }
                    content.parse::<Token![,]>()?;
                }
                if mac.fields.is_some() {
                    errors.spanned(&meta.path, "duplicate mac option `fields`");
                } else {
                    mac.fields = Some((bracket.span.join(), segments));
                }
                Ok(())
            }
            _ => Err(meta.error(format!(
                "unknown mac option `{name}`; expected one of `key`, `fields`, `param`, `then`"
            ))),
        }
    });
    errors.ok(result);
    mac
}

fn parse_endpoint(attr: &syn::Attribute, errors: &mut Errors) -> EndpointAttr {
    let mut endpoint = EndpointAttr {
        tokens: quote::ToTokens::to_token_stream(attr),
        method: Slot::Absent,
        host: Slot::Absent,
        path: Slot::Absent,
        encoding: Slot::Absent,
        response: Slot::Absent,
        retry: Slot::Absent,
        id: Slot::Absent,
        confidence: Slot::Absent,
    };
    let result = attr.parse_nested_meta(|meta| {
        let name = path_name(&meta.path);
        match name.as_str() {
            "method" => {
                let value = word(&meta, &[("GET", Method::Get), ("POST", Method::Post)], |m| {
                    format!("unsupported method `{m}`; ZaloPay uses `GET` or `POST`")
                })?;
                fill_slot(&mut endpoint.method, value.map(|v| v.value), &meta, errors)
            }
            "host" => {
                let value = word(
                    &meta,
                    &[
                        ("openapi", Host::OpenApi),
                        ("gateway", Host::Gateway),
                        ("zod", Host::Zod),
                    ],
                    |h| format!("unknown host `{h}`; expected `openapi`, `gateway` or `zod`"),
                )?;
                fill_slot(&mut endpoint.host, value.map(|v| v.value), &meta, errors)
            }
            "encoding" => {
                let value = word(
                    &meta,
                    &[
                        ("form", Encoding::Form),
                        ("json", Encoding::Json),
                        ("query", Encoding::Query),
                    ],
                    |e| format!("unknown encoding `{e}`; expected `form`, `json` or `query`"),
                )?;
                fill_slot(&mut endpoint.encoding, value, &meta, errors)
            }
            "retry" => {
                let value = word(
                    &meta,
                    &[
                        ("never", Retry::Never),
                        ("safe", Retry::Safe),
                        ("same_id", Retry::SameId),
                    ],
                    |r| format!("unknown `retry = {r}`; expected `safe` (a query: repeat freely), `same_id` (repeat the identical request; the merchant id deduplicates) or `never`"),
                )?;
                fill_slot(&mut endpoint.retry, value.map(|v| v.value), &meta, errors)
            }
            "path" => {
                let lit: LitStr = meta.value()?.parse()?;
                let text = lit.value();
                let value = if !text.starts_with('/') {
                    Err(syn::Error::new_spanned(
                        &lit,
                        "the path must start with `/` (the host comes from the environment)",
                    ))
                } else if text.contains(['?', '#', ' ']) {
                    Err(syn::Error::new_spanned(
                        &lit,
                        "the path must not contain `?`, `#` or spaces",
                    ))
                } else {
                    Ok(lit)
                };
                fill_slot(&mut endpoint.path, value, &meta, errors)
            }
            "response" => {
                let value: Type = meta.value()?.parse()?;
                fill_slot(&mut endpoint.response, Ok(value), &meta, errors)
            }
            "id" => {
                let lit: LitStr = meta.value()?.parse()?;
                let text = lit.value();
                let shape = text.split('.').count() == 2
                    && text.split('.').all(|part| {
                        !part.is_empty()
                            && part
                                .bytes()
                                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                    });
                let value = if shape {
                    Ok(Sp {
                        value: text,
                        span: lit.span(),
                    })
                } else {
                    Err(syn::Error::new_spanned(
                        &lit,
                        "an operation id is `family.name` in lowercase, as in the spec: `order.create`, `refund.query`",
                    ))
                };
                fill_slot(&mut endpoint.id, value, &meta, errors)
            }
            "confidence" => {
                let lit: LitStr = meta.value()?.parse()?;
                let value = match lit.value().as_str() {
                    "C2" => Ok(Confidence::C2),
                    "C1" => Ok(Confidence::C1),
                    "3P" => Ok(Confidence::ThirdParty),
                    "?" => Ok(Confidence::Unconfirmed),
                    other => Err(syn::Error::new_spanned(
                        &lit,
                        format!("unknown confidence {other:?}; expected \"C2\" (two official sources), \"C1\" (one), \"3P\" (third-party only) or \"?\" (unconfirmed)"),
                    )),
                }
                .map(|value| Sp {
                    value,
                    span: lit.span(),
                });
                fill_slot(&mut endpoint.confidence, value, &meta, errors)
            }
            _ => Err(meta.error(format!(
                "unknown endpoint option `{name}`; expected one of `method`, `host`, `path`, `encoding`, `response`, `retry`, `id`, `confidence`"
            ))),
        }
    });
    errors.ok(result);
    endpoint
}

/// `= WORD`, looked up in `table`; an unknown word is an `Err` with `unknown`'s message.
fn word<T: Copy>(
    meta: &ParseNestedMeta<'_>,
    table: &[(&str, T)],
    unknown: impl Fn(&Ident) -> String,
) -> syn::Result<syn::Result<Sp<T>>> {
    let ident: Ident = meta.value()?.parse()?;
    Ok(match table.iter().find(|(name, _)| ident == *name) {
        Some((_, value)) => Ok(Sp {
            value: *value,
            span: ident.span(),
        }),
        None => Err(syn::Error::new_spanned(&ident, unknown(&ident))),
    })
}

/// Stores a parsed option; reports a repeat or a wrong value and goes on parsing.
fn fill_slot<T>(
    slot: &mut Slot<T>,
    value: syn::Result<T>,
    meta: &ParseNestedMeta<'_>,
    errors: &mut Errors,
) -> syn::Result<()> {
    if !matches!(slot, Slot::Absent) {
        return duplicate(meta, errors);
    }
    *slot = match value {
        Ok(value) => Slot::Set(value),
        Err(error) => {
            errors.push(error);
            Slot::Invalid
        }
    };
    Ok(())
}

fn duplicate(meta: &ParseNestedMeta<'_>, errors: &mut Errors) -> syn::Result<()> {
    errors.spanned(
        &meta.path,
        format!("duplicate option `{}`", path_name(&meta.path)),
    );
    Ok(())
}

fn set_once<T>(
    slot: &mut Option<T>,
    value: T,
    meta: &ParseNestedMeta<'_>,
    errors: &mut Errors,
) -> syn::Result<()> {
    if slot.is_some() {
        duplicate(meta, errors)
    } else {
        *slot = Some(value);
        Ok(())
    }
}

pub fn path_name(path: &syn::Path) -> String {
    path.segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(inner) if args.args.len() == 1 => Some(inner),
        _ => None,
    }
}
