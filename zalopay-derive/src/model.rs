//! Attributes -> a small model. Parsing only checks syntax; meaning is checked in `validate`.

use proc_macro2::Span;
use syn::{Ident, LitStr, Token, Type};

/// Collects errors so that every problem is reported at once.
#[derive(Default)]
pub struct Errors(Vec<syn::Error>);

impl Errors {
    pub fn push(&mut self, error: syn::Error) {
        self.0.push(error);
    }

    pub fn spanned(&mut self, tokens: impl quote::ToTokens, message: impl std::fmt::Display) {
        self.0.push(syn::Error::new_spanned(tokens, message));
    }

    pub fn at(&mut self, span: Span, message: impl std::fmt::Display) {
        self.0.push(syn::Error::new(span, message));
    }

    /// All errors folded into one, or `None`.
    pub fn finish(self) -> Option<syn::Error> {
        self.0.into_iter().reduce(|mut all, next| {
            all.combine(next);
            all
        })
    }
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
    pub wire_name: String,
    pub skip_wire: bool,
    /// The type is syntactically `Option<T>` (last path segment `Option`).
    pub option_inner: Option<&'a Type>,
    /// `#[check(...)]` entries, in the order written (meaning is checked in `validate`).
    pub checks: Vec<CheckAttr>,
}

/// One entry of `#[check(...)]`: a name, optionally `= value`.
pub struct CheckAttr {
    pub name: Ident,
    pub value: Option<syn::Lit>,
}

/// `#[mac(...)]`.
pub struct MacAttr {
    /// The whole attribute, so "missing ..." errors underline all of it.
    pub tokens: proc_macro2::TokenStream,
    pub key: Option<Ident>,
    pub fields: Option<(Span, Vec<Segment>)>,
    pub param: Option<LitStr>,
    pub then: Option<Ident>,
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
    pub method: Option<Ident>,
    pub host: Option<Ident>,
    pub path: Option<LitStr>,
    pub encoding: Option<Ident>,
    pub response: Option<Type>,
    pub retry: Option<Ident>,
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
                    "unknown zalopay option `{}`; the only one is `crate = path::to::zalopay_api`",
                    path_name(&meta.path)
                )))
            }
        });
        if let Err(error) = result {
            errors.push(error);
        }
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
        .filter_map(|field| {
            let ident = field.ident.as_ref()?;
            let mut wire_name = ident.to_string();
            let mut skip_wire = false;
            for attr in field.attrs.iter().filter(|a| a.path().is_ident("wire")) {
                let result = attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("rename") {
                        let lit: LitStr = meta.value()?.parse()?;
                        if lit.value().is_empty() {
                            return Err(meta.error("wire name cannot be empty"));
                        }
                        wire_name = lit.value();
                        Ok(())
                    } else if meta.path.is_ident("skip") {
                        skip_wire = true;
                        Ok(())
                    } else {
                        Err(meta.error(format!(
                            "unknown wire option `{}`; expected `rename = \"...\"` or `skip`",
                            path_name(&meta.path)
                        )))
                    }
                });
                if let Err(error) = result {
                    errors.push(error);
                }
            }
            let mut checks = Vec::new();
            for attr in field.attrs.iter().filter(|a| a.path().is_ident("check")) {
                if let Err(error) = parse_checks(attr, &mut checks) {
                    errors.push(error);
                }
            }
            for attr in field
                .attrs
                .iter()
                .filter(|a| a.path().is_ident("mac") || a.path().is_ident("endpoint"))
            {
                errors.spanned(
                    attr.path(),
                    "this attribute belongs on the struct; on fields only #[wire(...)] and #[check(...)] are accepted",
                );
            }
            Some(Field {
                ident,
                ty: &field.ty,
                wire_name,
                skip_wire,
                option_inner: option_inner(&field.ty),
                checks,
            })
        })
        .collect();

    Some(Request {
        input,
        fields,
        mac,
        endpoint,
    })
}

fn parse_mac(attr: &syn::Attribute, errors: &mut Errors) -> MacAttr {
    let mut mac = MacAttr {
        tokens: quote::ToTokens::to_token_stream(attr),
        key: None,
        fields: None,
        param: None,
        then: None,
    };
    let result = attr.parse_nested_meta(|meta| {
        let name = path_name(&meta.path);
        match name.as_str() {
            "key" => {
                let value: Ident = meta.value()?.parse()?;
                set_once(&mut mac.key, value, &meta, errors)
            }
            "param" => {
                let value: LitStr = meta.value()?.parse()?;
                set_once(&mut mac.param, value, &meta, errors)
            }
            "then" => {
                let value: Ident = meta.value()?.parse()?;
                set_once(&mut mac.then, value, &meta, errors)
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
    if let Err(error) = result {
        errors.push(error);
    }
    mac
}

fn parse_endpoint(attr: &syn::Attribute, errors: &mut Errors) -> EndpointAttr {
    let mut endpoint = EndpointAttr {
        tokens: quote::ToTokens::to_token_stream(attr),
        method: None,
        host: None,
        path: None,
        encoding: None,
        response: None,
        retry: None,
    };
    let result = attr.parse_nested_meta(|meta| {
        let name = path_name(&meta.path);
        match name.as_str() {
            "method" => {
                let value: Ident = meta.value()?.parse()?;
                set_once(&mut endpoint.method, value, &meta, errors)
            }
            "host" => {
                let value: Ident = meta.value()?.parse()?;
                set_once(&mut endpoint.host, value, &meta, errors)
            }
            "path" => {
                let value: LitStr = meta.value()?.parse()?;
                set_once(&mut endpoint.path, value, &meta, errors)
            }
            "encoding" => {
                let value: Ident = meta.value()?.parse()?;
                set_once(&mut endpoint.encoding, value, &meta, errors)
            }
            "response" => {
                let value: Type = meta.value()?.parse()?;
                set_once(&mut endpoint.response, value, &meta, errors)
            }
            "retry" => {
                let value: Ident = meta.value()?.parse()?;
                set_once(&mut endpoint.retry, value, &meta, errors)
            }
            _ => Err(meta.error(format!(
                "unknown endpoint option `{name}`; expected one of `method`, `host`, `path`, `encoding`, `response`, `retry`"
            ))),
        }
    });
    if let Err(error) = result {
        errors.push(error);
    }
    endpoint
}

/// `#[check(name, name = literal, ...)]`: syntax only; names and values are judged in `validate`.
fn parse_checks(attr: &syn::Attribute, checks: &mut Vec<CheckAttr>) -> syn::Result<()> {
    attr.parse_nested_meta(|meta| {
        let Some(name) = meta.path.get_ident().cloned() else {
            return Err(meta.error(format!(
                "expected a check name such as `positive` or `max_len = 40`, found `{}`",
                path_name(&meta.path)
            )));
        };
        let value = if meta.input.peek(Token![=]) {
            Some(meta.value()?.parse::<syn::Lit>()?)
        } else {
            None
        };
        checks.push(CheckAttr { name, value });
        Ok(())
    })
}

fn set_once<T>(
    slot: &mut Option<T>,
    value: T,
    meta: &syn::meta::ParseNestedMeta<'_>,
    errors: &mut Errors,
) -> syn::Result<()> {
    if slot.is_some() {
        errors.spanned(
            &meta.path,
            format!("duplicate option `{}`", path_name(&meta.path)),
        );
    } else {
        *slot = Some(value);
    }
    Ok(())
}

fn path_name(path: &syn::Path) -> String {
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
