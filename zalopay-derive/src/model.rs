//! The request as the rest of the macro sees it, after serde_derive's `internals/ast.rs`: built
//! from the typed attributes (`attr`), with every name an attribute writes resolved to the
//! field it names (MAC segments, `not_above`, `encrypt`, the `app_id` that `m_refund_id`
//! reads). A name that resolves to nothing is reported here; how resolved parts relate is
//! `validate`'s; `expand` and `builder` only read.

use proc_macro2::Span;
use syn::{Ident, LitStr, Type};

use crate::attr::{self, Attr};
pub use crate::attr::{Confidence, Encoding, FieldDefault, Host, Key, Method, Retry, Sp};
use crate::checks::Check;
use crate::ctxt::Errors;
use crate::names::closest;

/// A field of the request, by its position in [`Request::fields`].
pub type FieldRef = usize;

/// The request struct, resolved.
pub struct Request<'a> {
    pub input: &'a syn::DeriveInput,
    pub fields: Vec<Field<'a>>,
    /// `#[mac(...)]`, when it is complete.
    pub signing: Option<Signing>,
    /// `#[endpoint(...)]`, when it is complete.
    pub endpoint: Option<Endpoint>,
    /// The struct's `app_id` field, which `#[check(m_refund_id)]` reads.
    pub app_id: Option<FieldRef>,
}

/// One named field.
pub struct Field<'a> {
    pub ident: &'a Ident,
    pub ty: &'a Type,
    pub vis: &'a syn::Visibility,
    /// The field's `///` docs, copied onto its builder setter.
    pub docs: Vec<&'a syn::Attribute>,
    pub wire_name: String,
    /// `#[wire(skip)]`: signed, never sent.
    pub skip_wire: bool,
    /// The type is syntactically `Option<T>` (last path segment `Option`).
    pub option_inner: Option<&'a Type>,
    /// `#[check(...)]` entries in the order written, `not_above` resolved (with the span of
    /// the name written).
    pub checks: Vec<Check<Sp<FieldRef>>>,
    /// Filled by the client when left `None`; `encrypt`'s plain field resolved.
    pub filled: Option<Sp<Filled>>,
    /// What the builder uses when the caller sets nothing.
    pub default: Option<Sp<FieldDefault>>,
}

/// A value the client fills in; `Encrypt` holds the plain field it is encrypted from (with
/// the span of the name written).
pub type Filled = attr::Filled<Sp<FieldRef>>;

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

/// A complete `#[mac(...)]`.
pub struct Signing {
    pub key: Key,
    pub segments: Vec<Segment>,
    /// The signature parameter on the wire (`mac` unless `param = "..."`).
    pub param: String,
    /// `then = rsa_sha256`.
    pub rsa: bool,
}

/// One entry of the MAC input, resolved.
pub enum Segment {
    Field {
        field: FieldRef,
        omit_when_absent: bool,
        /// Where the entry is written.
        span: Span,
    },
    Key,
}

/// A complete `#[endpoint(...)]`.
pub struct Endpoint {
    pub method: Method,
    pub host: Host,
    pub path: LitStr,
    /// With the span of its value, where a mismatch with the method is reported.
    pub encoding: Sp<Encoding>,
    pub response: Type,
    pub retry: Retry,
    /// `id = ...` and `confidence = ...`: the operation is in the catalog.
    pub operation: Option<(String, Confidence)>,
}

/// The model of `input`, or `None` when it is not a struct with named fields.
pub fn build<'a>(input: &'a syn::DeriveInput, errors: &mut Errors) -> Option<Request<'a>> {
    let named = named_fields(input, errors)?;
    let container = attr::container(input, errors);
    let written: Vec<(&'a syn::Field, &'a Ident, attr::FieldAttrs)> = named
        .named
        .iter()
        .filter_map(|field| {
            let ident = field.ident.as_ref()?;
            Some((field, ident, attr::field(field, ident, errors)))
        })
        .collect();
    let idents: Vec<&'a Ident> = written.iter().map(|(_, ident, _)| *ident).collect();
    let position = |name: &str| idents.iter().position(|ident| *ident == name);

    let struct_name = &input.ident;
    if !container.mac.written() {
        errors.at(
            struct_name.span(),
            format!(
                "missing #[mac(key = key1, fields = [...])] on `{struct_name}`: ZaloPay requests are signed"
            ),
        );
    }
    if !container.endpoint.written() {
        errors.at(
            struct_name.span(),
            format!(
                "missing #[endpoint(method = POST, host = openapi, path = \"/...\", encoding = form, response = Type)] on `{struct_name}`"
            ),
        );
    }
    let signing = container
        .mac
        .into_value()
        .and_then(|mac| signing(mac, input, &idents, errors));
    let endpoint = container
        .endpoint
        .into_value()
        .and_then(|endpoint| endpoint_of(endpoint, errors));

    let mut fields = Vec::with_capacity(written.len());
    for (field, ident, attrs) in written {
        let checks = resolve_checks(attrs.checks, &position, struct_name, errors);
        let filled = attrs
            .filled
            .into_value()
            .and_then(|filled| resolve_filled(filled, &position, errors));
        fields.push(Field {
            ident,
            ty: &field.ty,
            vis: &field.vis,
            docs: field
                .attrs
                .iter()
                .filter(|a| a.path().is_ident("doc"))
                .collect(),
            wire_name: attrs
                .rename
                .into_value()
                .unwrap_or_else(|| ident.to_string()),
            skip_wire: attrs.skip.written(),
            option_inner: option_inner(&field.ty),
            checks,
            filled,
            default: attrs.default.into_value(),
        });
    }

    Some(Request {
        input,
        fields,
        signing,
        endpoint,
        app_id: position("app_id"),
    })
}

/// The checks written, `not_above` resolved to its field (one that names no field is reported
/// and dropped).
fn resolve_checks(
    written: Vec<Attr<Check>>,
    position: &impl Fn(&str) -> Option<FieldRef>,
    struct_name: &Ident,
    errors: &mut Errors,
) -> Vec<Check<Sp<FieldRef>>> {
    written
        .into_iter()
        .filter_map(Attr::into_value)
        .filter_map(|check| {
            let kind = check.kind.resolve(|other: LitStr| {
                let found = position(&other.value());
                if found.is_none() {
                    errors.spanned(
                        &other,
                        format!(
                            "`not_above` names `{}`, which is not a field of `{struct_name}`",
                            other.value()
                        ),
                    );
                }
                found.map(|value| Sp {
                    value,
                    span: other.span(),
                })
            })?;
            Some(Check {
                kind,
                span: check.span,
                name: check.name,
            })
        })
        .collect()
}

/// What fills a field, `encrypt`'s plain field resolved (one that names no field is reported).
fn resolve_filled(
    filled: Sp<attr::Filled<Ident>>,
    position: &impl Fn(&str) -> Option<FieldRef>,
    errors: &mut Errors,
) -> Option<Sp<Filled>> {
    let value = match filled.value {
        attr::Filled::AppId => attr::Filled::AppId,
        attr::Filled::Time => attr::Filled::Time,
        attr::Filled::Encrypt(source) => match position(&source.to_string()) {
            Some(plain) => attr::Filled::Encrypt(Sp {
                value: plain,
                span: source.span(),
            }),
            None => {
                errors.spanned(
                    &source,
                    format!("`{source}` is not a field of this struct: `encrypt = FIELD` names the plain value to encrypt"),
                );
                return None;
            }
        },
    };
    Some(Sp {
        value,
        span: filled.span,
    })
}

fn named_fields<'a>(
    input: &'a syn::DeriveInput,
    errors: &mut Errors,
) -> Option<&'a syn::FieldsNamed> {
    match &input.data {
        syn::Data::Struct(data) => match &data.fields {
            syn::Fields::Named(named) => Some(named),
            other => {
                errors.spanned(
                    other,
                    "ZaloPayRequest needs a struct with named fields: the MAC names them",
                );
                None
            }
        },
        syn::Data::Enum(data) => {
            errors.at(
                data.enum_token.span,
                "ZaloPayRequest cannot be derived for an enum: a request is a struct with named fields",
            );
            None
        }
        syn::Data::Union(data) => {
            errors.at(
                data.union_token.span,
                "ZaloPayRequest cannot be derived for a union: a request is a struct with named fields",
            );
            None
        }
    }
}

/// `#[mac(...)]` with its segments resolved to fields; `None` when a part is missing or wrong.
fn signing(
    mac: attr::Mac,
    input: &syn::DeriveInput,
    idents: &[&Ident],
    errors: &mut Errors,
) -> Option<Signing> {
    if !mac.key.written() {
        errors.spanned(
            &mac.tokens,
            "missing `key = key1` (requests) or `key = key2` (callbacks) in #[mac(...)]",
        );
    }
    let segments = match mac.fields.into_value() {
        None => {
            errors.spanned(
                &mac.tokens,
                "missing `fields = [...]` in #[mac(...)]: list the MAC input in the documented order",
            );
            None
        }
        Some(list) if list.value.is_empty() => {
            errors.at(
                list.span,
                "`fields` is empty: list the MAC input in the documented order",
            );
            None
        }
        Some(list) => Some(segments(&list.value, input, idents, errors)),
    };
    Some(Signing {
        key: *mac.key.get()?,
        segments: segments?,
        param: mac.param.into_value().unwrap_or_else(|| "mac".to_owned()),
        rsa: mac.then.get().is_some(),
    })
}

/// The segments that name a field of the struct, once each; the rest are reported.
fn segments(
    list: &[attr::Segment],
    input: &syn::DeriveInput,
    idents: &[&Ident],
    errors: &mut Errors,
) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut seen: Vec<&Ident> = Vec::new();
    let mut key_seen = false;
    for segment in list {
        match segment {
            attr::Segment::Key { span } => {
                if key_seen {
                    errors.at(*span, "`@key` is listed twice");
                }
                key_seen = true;
                out.push(Segment::Key);
            }
            attr::Segment::Field {
                ident,
                omit_when_absent,
            } => {
                if let Some(first) = seen.iter().find(|s| **s == ident) {
                    errors.duplicate(
                        ident.span(),
                        first.span(),
                        format!("duplicate MAC field `{ident}`"),
                    );
                    continue;
                }
                seen.push(ident);
                if ident == "mac" || ident == "sig" {
                    errors.spanned(
                        ident,
                        format!(
                            "`{ident}` is the signature itself and cannot be part of its own input"
                        ),
                    );
                    continue;
                }
                let Some(field) = idents.iter().position(|f| *f == ident) else {
                    let hint = closest(ident, idents.iter().copied())
                        .map(|c| format!("; did you mean `{c}`?"))
                        .unwrap_or_default();
                    errors.spanned(
                        ident,
                        format!(
                            "unknown field `{ident}` in MAC fields: `{}` has no such field{hint}",
                            input.ident
                        ),
                    );
                    continue;
                };
                out.push(Segment::Field {
                    field,
                    omit_when_absent: *omit_when_absent,
                    span: ident.span(),
                });
            }
        }
    }
    out
}

/// `#[endpoint(...)]` with every required part; what is missing is reported.
fn endpoint_of(endpoint: attr::Endpoint, errors: &mut Errors) -> Option<Endpoint> {
    let mut missing = |written: bool, name: &str| {
        if !written {
            errors.spanned(
                &endpoint.tokens,
                format!("missing `{name}` in #[endpoint(...)]"),
            );
        }
    };
    missing(endpoint.method.written(), "method = GET | POST");
    missing(endpoint.host.written(), "host = openapi | gateway | zod");
    missing(
        endpoint.encoding.written(),
        "encoding = form | json | query",
    );
    missing(endpoint.path.written(), "path = \"/...\"");
    missing(endpoint.response.written(), "response = Type");
    let operation = match (endpoint.id.get(), endpoint.confidence.get()) {
        (Some(id), Some(confidence)) => Some((id.value.clone(), confidence.value)),
        (Some(id), None) if !endpoint.confidence.written() => {
            errors.at(
                id.span,
                "an operation with an `id` says how sure its path and MAC are: add `confidence = \"C2\" | \"C1\" | \"3P\" | \"?\"`",
            );
            None
        }
        (None, Some(confidence)) if !endpoint.id.written() => {
            errors.at(
                confidence.span,
                "`confidence` rates a catalogued operation: add its `id = \"family.name\"`",
            );
            None
        }
        _ => None,
    };
    // `retry` may be left out (`never`); written wrong, it was reported.
    let retry = match endpoint.retry.get() {
        Some(retry) => *retry,
        None if endpoint.retry.written() => return None,
        None => Retry::Never,
    };
    Some(Endpoint {
        method: *endpoint.method.get()?,
        host: *endpoint.host.get()?,
        path: endpoint.path.into_value()?,
        encoding: *endpoint.encoding.get()?,
        response: endpoint.response.into_value()?,
        retry,
        operation,
    })
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
