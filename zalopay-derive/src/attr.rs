//! Attributes -> typed values, after serde_derive's `internals/attr.rs`: every option is read
//! into an [`Attr`] slot (which reports a repeat, pointing at the first), and every value is
//! checked and turned into its type here (an enum, a number, a path), so later steps never
//! match on strings again. What the attributes say about each other and about the fields is
//! the model's business (`model`), not this module's.

use proc_macro2::{Span, TokenStream};
use syn::meta::ParseNestedMeta;
use syn::{Ident, LitStr, Token, Type};

use crate::checks::{self, Check};
use crate::ctxt::Errors;
use crate::names::path_name;

/// A value with the span it was written at.
#[derive(Clone, Copy)]
pub struct Sp<T> {
    pub value: T,
    pub span: Span,
}

/// One attribute or option that may be written at most once: not written, written wrong
/// (already reported), or set. A second occurrence is reported at its own span with a note
/// on the first, and the first value is kept.
pub struct Attr<T> {
    /// The error for a repeat: "duplicate option `key`".
    duplicate: String,
    /// Where it was first written, whether its value was valid or not.
    first: Option<Span>,
    value: Option<T>,
}

impl<T> Attr<T> {
    pub fn none(duplicate: impl Into<String>) -> Self {
        Attr {
            duplicate: duplicate.into(),
            first: None,
            value: None,
        }
    }

    /// Records `value` written at `span`; a repeat is reported and `value` dropped.
    pub fn set(&mut self, errors: &mut Errors, span: Span, value: T) {
        self.set_result(errors, span, Ok(value));
    }

    /// Like [`Attr::set`] for a value that may be wrong: an `Err` is reported and leaves the
    /// slot written but empty. A repeat is reported instead of its value's own error.
    pub fn set_result(&mut self, errors: &mut Errors, span: Span, value: syn::Result<T>) {
        if self.repeated(errors, span) {
            return;
        }
        self.first = Some(span);
        match value {
            Ok(value) => self.value = Some(value),
            Err(error) => errors.push(error),
        }
    }

    /// Whether writing it again at `span` would be a repeat; if so, the repeat is reported
    /// (for attributes whose value is not worth reading a second time).
    pub fn repeated(&self, errors: &mut Errors, span: Span) -> bool {
        match self.first {
            Some(first) => {
                errors.duplicate(span, first, &self.duplicate);
                true
            }
            None => false,
        }
    }

    /// Whether it was written at all (even with a wrong value).
    pub fn written(&self) -> bool {
        self.first.is_some()
    }

    pub fn get(&self) -> Option<&T> {
        self.value.as_ref()
    }

    pub fn into_value(self) -> Option<T> {
        self.value
    }
}

/// What the struct's attributes say.
pub struct Container {
    pub mac: Attr<Mac>,
    pub endpoint: Attr<Endpoint>,
}

/// `#[mac(...)]`.
pub struct Mac {
    /// The whole attribute, so "missing ..." errors underline all of it.
    pub tokens: TokenStream,
    pub key: Attr<Key>,
    /// `fields = [...]`, with the span of the brackets.
    pub fields: Attr<Sp<Vec<Segment>>>,
    pub param: Attr<String>,
    /// `then = rsa_sha256`, the only second step.
    pub then: Attr<()>,
}

/// One entry of `fields = [...]`, as written.
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
pub struct Endpoint {
    /// The whole attribute, so "missing ..." errors underline all of it.
    pub tokens: TokenStream,
    pub method: Attr<Method>,
    pub host: Attr<Host>,
    pub path: Attr<LitStr>,
    pub encoding: Attr<Sp<Encoding>>,
    pub response: Attr<Type>,
    pub retry: Attr<Retry>,
    /// `id = "family.name"`: the operation's catalog id.
    pub id: Attr<Sp<String>>,
    pub confidence: Attr<Sp<Confidence>>,
}

/// What a field's attributes say.
pub struct FieldAttrs {
    /// `#[wire(rename = "...")]`.
    pub rename: Attr<String>,
    /// `#[wire(skip)]`.
    pub skip: Attr<()>,
    /// `#[check(...)]` entries in the order written, one slot per check name.
    pub checks: Vec<Attr<Check>>,
    /// `#[zalopay(app_id | time | encrypt = FIELD)]`: one slot, a field is filled one way.
    pub filled: Attr<Sp<Filled<Ident>>>,
    /// `#[zalopay(default)]` / `#[zalopay(default = EXPR)]`.
    pub default: Attr<Sp<FieldDefault>>,
}

/// A value the client fills in from its `Config`, clock and encryptor. `F` names the plain
/// field of `encrypt`: the identifier written, until the model resolves it.
#[derive(Clone, Copy)]
pub enum Filled<F> {
    AppId,
    Time,
    /// `#[zalopay(encrypt = source)]`: encrypted from the field `source`.
    Encrypt(F),
}

impl<F> Filled<F> {
    /// How the attribute is written, for error messages.
    pub fn written(&self) -> &'static str {
        match self {
            Filled::AppId => "app_id",
            Filled::Time => "time",
            Filled::Encrypt(_) => "encrypt = ...",
        }
    }
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

/// The path of the runtime crate's hidden module: `::zalopay_api::__private`, or
/// `PATH::__private` when the struct says `#[zalopay(crate = PATH)]` (for a renamed dependency
/// or a re-export, like serde's `#[serde(crate = "...")]`). Read before anything else, so even
/// the stub impls emitted on error name the right crate.
pub fn private_path(input: &syn::DeriveInput, errors: &mut Errors) -> TokenStream {
    let mut krate: Attr<syn::Path> = Attr::none("duplicate option `crate`");
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("zalopay")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("crate") {
                let path: syn::Path = meta.value()?.parse()?;
                krate.set(errors, option_span(&meta), path);
                Ok(())
            } else {
                Err(meta.error(format!(
                    "unknown zalopay option `{}`; the only one on a struct is `crate = path::to::zalopay_api`",
                    path_name(&meta.path)
                )))
            }
        });
        errors.ok(result);
    }
    match krate.into_value() {
        Some(path) => quote::quote!(#path::__private),
        None => quote::quote!(::zalopay_api::__private),
    }
}

/// The struct's `#[mac(...)]` and `#[endpoint(...)]` (its `#[zalopay(...)]` is
/// [`private_path`]'s); attributes that belong on fields are reported.
pub fn container(input: &syn::DeriveInput, errors: &mut Errors) -> Container {
    let mut container = Container {
        mac: Attr::none("duplicate #[mac(...)] attribute"),
        endpoint: Attr::none("duplicate #[endpoint(...)] attribute"),
    };
    for attr in &input.attrs {
        let span = syn::spanned::Spanned::span(attr);
        // A repeated attribute is reported, not read.
        if attr.path().is_ident("mac") {
            if !container.mac.repeated(errors, span) {
                let mac = mac(attr, errors);
                container.mac.set(errors, span, mac);
            }
        } else if attr.path().is_ident("endpoint") {
            if !container.endpoint.repeated(errors, span) {
                let endpoint = endpoint(attr, errors);
                container.endpoint.set(errors, span, endpoint);
            }
        } else if attr.path().is_ident("wire") {
            errors.spanned(attr, "#[wire(...)] belongs on a field, not on the struct");
        } else if attr.path().is_ident("check") {
            errors.spanned(attr, "#[check(...)] belongs on a field, not on the struct");
        }
    }
    container
}

/// `#[wire(...)]`, `#[check(...)]` and `#[zalopay(...)]` on the field `ident`.
pub fn field(field: &syn::Field, ident: &Ident, errors: &mut Errors) -> FieldAttrs {
    let mut out = FieldAttrs {
        rename: Attr::none("duplicate wire option `rename`"),
        skip: Attr::none("duplicate wire option `skip`"),
        checks: Vec::new(),
        filled: Attr::none(
            "a field is filled by the client in one way only: `app_id`, `time` or `encrypt`",
        ),
        default: Attr::none("duplicate zalopay option `default`"),
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
                    out.rename.set(errors, option_span(&meta), lit.value());
                    Ok(())
                } else if meta.path.is_ident("skip") {
                    out.skip.set(errors, option_span(&meta), ());
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
            let result =
                attr.parse_nested_meta(|meta| {
                    if let Some(check) = checks::parse(&meta, errors)? {
                        let span = check.span;
                        match out.checks.iter_mut().find(|slot| {
                            slot.get().is_some_and(|written| written.name == check.name)
                        }) {
                            Some(slot) => slot.set(errors, span, check),
                            None => {
                                let mut slot = Attr::none(format!(
                                    "duplicate check `{}` on `{ident}`",
                                    check.name
                                ));
                                slot.set(errors, span, check);
                                out.checks.push(slot);
                            }
                        }
                    }
                    Ok(())
                });
            errors.ok(result);
        } else if path.is_ident("zalopay") {
            let result = attr.parse_nested_meta(|meta| field_option(&meta, &mut out, errors));
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
fn field_option(
    meta: &ParseNestedMeta<'_>,
    field: &mut FieldAttrs,
    errors: &mut Errors,
) -> syn::Result<()> {
    let span = option_span(meta);
    let filled = if meta.path.is_ident("app_id") {
        Some(Filled::AppId)
    } else if meta.path.is_ident("time") {
        Some(Filled::Time)
    } else if meta.path.is_ident("encrypt") {
        Some(Filled::Encrypt(meta.value()?.parse()?))
    } else {
        None
    };
    if let Some(value) = filled {
        field.filled.set(errors, span, Sp { value, span });
        return Ok(());
    }
    if meta.path.is_ident("default") {
        let value = if meta.input.peek(Token![=]) {
            FieldDefault::Expr(Box::new(meta.value()?.parse()?))
        } else {
            FieldDefault::Trait
        };
        field.default.set(errors, span, Sp { value, span });
        return Ok(());
    }
    Err(meta.error(format!(
        "unknown zalopay option `{}` on a field; expected `app_id` (filled from the client's Config), `time` (filled from the client's clock), `encrypt = FIELD` (encrypted by the client from FIELD), `default` or `default = EXPR` (the builder's value when unset)",
        path_name(&meta.path)
    )))
}

fn mac(attr: &syn::Attribute, errors: &mut Errors) -> Mac {
    let mut mac = Mac {
        tokens: quote::ToTokens::to_token_stream(attr),
        key: Attr::none("duplicate option `key`"),
        fields: Attr::none("duplicate option `fields`"),
        param: Attr::none("duplicate option `param`"),
        then: Attr::none("duplicate option `then`"),
    };
    let result = attr.parse_nested_meta(|meta| {
        let name = path_name(&meta.path);
        let span = option_span(&meta);
        match name.as_str() {
            "key" => {
                let value = word(&meta, &[("key1", Key::Key1), ("key2", Key::Key2)], |k| {
                    format!("unknown key `{k}`; expected `key1` or `key2`")
                })?;
                mac.key.set_result(errors, span, value.map(|v| v.value));
            }
            "param" => {
                let lit: LitStr = meta.value()?.parse()?;
                let text = lit.value();
                let value = if text.is_empty()
                    || !text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                {
                    Err(syn::Error::new_spanned(
                        &lit,
                        "the signature parameter must be a non-empty name such as \"mac\" or \"sig\"",
                    ))
                } else {
                    Ok(text)
                };
                mac.param.set_result(errors, span, value);
            }
            "then" => {
                let value = word(&meta, &[("rsa_sha256", ())], |t| {
                    format!("unknown `then = {t}`; the only second step is `rsa_sha256`")
                })?;
                mac.then.set_result(errors, span, value.map(|v| v.value));
            }
            "fields" => {
                let segments = segments(&meta)?;
                mac.fields.set(errors, span, segments);
            }
            _ => {
                return Err(meta.error(format!(
                    "unknown mac option `{name}`; expected one of `key`, `fields`, `param`, `then`"
                )));
            }
        }
        Ok(())
    });
    errors.ok(result);
    mac
}

/// `= [SEGMENT, ...]` of `fields`.
fn segments(meta: &ParseNestedMeta<'_>) -> syn::Result<Sp<Vec<Segment>>> {
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
                    format!(
                        "unknown special segment `@{word}`; the only one is `@key` (the signing key)"
                    ),
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
    Ok(Sp {
        value: segments,
        span: bracket.span.join(),
    })
}

fn endpoint(attr: &syn::Attribute, errors: &mut Errors) -> Endpoint {
    let mut endpoint = Endpoint {
        tokens: quote::ToTokens::to_token_stream(attr),
        method: Attr::none("duplicate option `method`"),
        host: Attr::none("duplicate option `host`"),
        path: Attr::none("duplicate option `path`"),
        encoding: Attr::none("duplicate option `encoding`"),
        response: Attr::none("duplicate option `response`"),
        retry: Attr::none("duplicate option `retry`"),
        id: Attr::none("duplicate option `id`"),
        confidence: Attr::none("duplicate option `confidence`"),
    };
    let result = attr.parse_nested_meta(|meta| {
        let name = path_name(&meta.path);
        let span = option_span(&meta);
        match name.as_str() {
            "method" => {
                let value = word(&meta, &[("GET", Method::Get), ("POST", Method::Post)], |m| {
                    format!("unsupported method `{m}`; ZaloPay uses `GET` or `POST`")
                })?;
                endpoint.method.set_result(errors, span, value.map(|v| v.value));
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
                endpoint.host.set_result(errors, span, value.map(|v| v.value));
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
                endpoint.encoding.set_result(errors, span, value);
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
                endpoint.retry.set_result(errors, span, value.map(|v| v.value));
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
                endpoint.path.set_result(errors, span, value);
            }
            "response" => {
                let value: Type = meta.value()?.parse()?;
                endpoint.response.set(errors, span, value);
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
                endpoint.id.set_result(errors, span, value);
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
                endpoint.confidence.set_result(errors, span, value);
            }
            _ => {
                return Err(meta.error(format!(
                    "unknown endpoint option `{name}`; expected one of `method`, `host`, `path`, `encoding`, `response`, `retry`, `id`, `confidence`"
                )));
            }
        }
        Ok(())
    });
    errors.ok(result);
    endpoint
}

/// `= WORD`, looked up in `table`; an unknown word is an `Err` with `unknown`'s message (the
/// outer `Err` is a syntax error that ends the attribute).
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

/// Where an option's name is written: repeats are reported there.
fn option_span(meta: &ParseNestedMeta<'_>) -> Span {
    syn::spanned::Spanned::span(&meta.path)
}
