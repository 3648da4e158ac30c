//! Every semantic check in one place. Errors are collected, never thrown one at a time.

use crate::model::{CheckAttr, Errors, Field, Request, Segment};
use proc_macro2::Span;
use syn::{Ident, LitStr, Type};

/// A request that passed every check: what `expand` generates code from.
pub struct Plan<'a> {
    pub input: &'a syn::DeriveInput,
    pub fields: &'a [Field<'a>],
    pub key: Key,
    pub segments: Vec<PlanSegment<'a>>,
    pub param: String,
    pub rsa: bool,
    pub method: Method,
    pub host: Host,
    pub path: LitStr,
    pub encoding: Encoding,
    pub response: Type,
    pub retry: Retry,
    pub checks: Vec<PlanCheck<'a>>,
}

/// `retry = ...` of `#[endpoint(...)]`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    Never,
    Safe,
    SameId,
}

/// One `#[check(...)]` entry that passed every check.
pub struct PlanCheck<'a> {
    pub field: &'a Field<'a>,
    pub kind: CheckKind<'a>,
    /// The check's name in the attribute: generated calls are spanned here, so a check that
    /// does not fit the field's type is reported on the check.
    pub span: Span,
}

pub enum CheckKind<'a> {
    Positive,
    MaxLen(usize),
    NonEmpty,
    AppTransId,
    MRefundId {
        app_id: &'a Field<'a>,
    },
    RecentMs,
    Json,
    /// `min = N`: an integer at least `N`.
    Min(i128),
    /// `max = N`: an integer at most `N`.
    Max(i128),
    /// `not_above = "field"`: an integer no greater than another field of the request.
    NotAbove {
        other: &'a Field<'a>,
    },
}

/// Every check name, for error messages and typo suggestions.
const CHECKS: &[&str] = &[
    "positive",
    "max_len",
    "non_empty",
    "app_trans_id",
    "m_refund_id",
    "recent_ms",
    "json",
    "min",
    "max",
    "not_above",
];

#[derive(Clone, Copy)]
pub enum Key {
    Key1,
    Key2,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

#[derive(Clone, Copy)]
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

pub enum PlanSegment<'a> {
    Field {
        field: &'a Field<'a>,
        omit_when_absent: bool,
    },
    Key,
}

pub fn check<'a>(request: &'a Request<'a>, errors: &mut Errors) -> Option<Plan<'a>> {
    let ident = &request.input.ident;

    // Fields: no wire-name clashes, no field that would collide with the signature parameter.
    for (index, field) in request.fields.iter().enumerate() {
        if let Some(first) = request.fields[..index]
            .iter()
            .find(|f| !f.skip_wire && !field.skip_wire && f.wire_name == field.wire_name)
        {
            let mut error = syn::Error::new(
                field.ident.span(),
                format!("two fields are sent as `{}`", field.wire_name),
            );
            error.combine(syn::Error::new(first.ident.span(), "first one here"));
            errors.push(error);
        }
    }

    let mac = request.mac.as_ref();
    let endpoint = request.endpoint.as_ref();
    if mac.is_none() {
        errors.at(
            ident.span(),
            format!(
                "missing #[mac(key = key1, fields = [...])] on `{ident}`: ZaloPay requests are signed"
            ),
        );
    }
    if endpoint.is_none() {
        errors.at(
            ident.span(),
            format!(
                "missing #[endpoint(method = POST, host = openapi, path = \"/...\", encoding = form, response = Type)] on `{ident}`"
            ),
        );
    }

    // #[mac(...)]
    let mut key = None;
    let mut segments = Vec::new();
    let mut param = "mac".to_owned();
    let mut rsa = false;
    if let Some(mac) = mac {
        match &mac.key {
            None => errors.spanned(
                &mac.tokens,
                "missing `key = key1` (requests) or `key = key2` (callbacks) in #[mac(...)]",
            ),
            Some(k) if k == "key1" => key = Some(Key::Key1),
            Some(k) if k == "key2" => key = Some(Key::Key2),
            Some(k) => errors.spanned(k, format!("unknown key `{k}`; expected `key1` or `key2`")),
        }
        if let Some(p) = &mac.param {
            let value = p.value();
            if value.is_empty()
                || !value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                errors.spanned(
                    p,
                    "the signature parameter must be a non-empty name such as \"mac\" or \"sig\"",
                );
            }
            param = value;
        }
        if let Some(then) = &mac.then {
            if then == "rsa_sha256" {
                rsa = true;
            } else {
                errors.spanned(
                    then,
                    format!("unknown `then = {then}`; the only second step is `rsa_sha256`"),
                );
            }
        }
        match &mac.fields {
            None => errors.spanned(&mac.tokens, "missing `fields = [...]` in #[mac(...)]: list the MAC input in the documented order"),
            Some((span, list)) if list.is_empty() => {
                errors.at(*span, "`fields` is empty: list the MAC input in the documented order")
            }
            Some((_, list)) => segments = check_segments(request, list, errors),
        }
    }
    if let Some(field) = request
        .fields
        .iter()
        .find(|f| !f.skip_wire && f.wire_name == param)
    {
        errors.at(
            field.ident.span(),
            format!("`{param}` is the signature parameter and is produced by the library; remove this field"),
        );
    }
    for field in request.fields.iter().filter(|f| f.skip_wire) {
        let signed = segments
            .iter()
            .any(|s| matches!(s, PlanSegment::Field { field: f, .. } if f.ident == field.ident));
        if !signed {
            errors.at(
                field.ident.span(),
                format!("`{}` is #[wire(skip)] but not in the MAC fields, so it would be neither sent nor signed", field.ident),
            );
        }
    }

    // #[endpoint(...)]
    let mut method = None;
    let mut host = None;
    let mut encoding = None;
    let mut path = None;
    let mut response = None;
    let mut retry = Some(Retry::Never);
    if let Some(endpoint) = endpoint {
        let missing = |name: &str, errors: &mut Errors| {
            errors.spanned(
                &endpoint.tokens,
                format!("missing `{name}` in #[endpoint(...)]"),
            )
        };
        match &endpoint.method {
            None => missing("method = GET | POST", errors),
            Some(m) if m == "GET" => method = Some(Method::Get),
            Some(m) if m == "POST" => method = Some(Method::Post),
            Some(m) => errors.spanned(
                m,
                format!("unsupported method `{m}`; ZaloPay uses `GET` or `POST`"),
            ),
        }
        match &endpoint.host {
            None => missing("host = openapi | gateway | zod", errors),
            Some(h) if h == "openapi" => host = Some(Host::OpenApi),
            Some(h) if h == "gateway" => host = Some(Host::Gateway),
            Some(h) if h == "zod" => host = Some(Host::Zod),
            Some(h) => errors.spanned(
                h,
                format!("unknown host `{h}`; expected `openapi`, `gateway` or `zod`"),
            ),
        }
        match &endpoint.encoding {
            None => missing("encoding = form | json | query", errors),
            Some(e) if e == "form" => encoding = Some(Encoding::Form),
            Some(e) if e == "json" => encoding = Some(Encoding::Json),
            Some(e) if e == "query" => encoding = Some(Encoding::Query),
            Some(e) => errors.spanned(
                e,
                format!("unknown encoding `{e}`; expected `form`, `json` or `query`"),
            ),
        }
        match &endpoint.path {
            None => missing("path = \"/...\"", errors),
            Some(p) if !p.value().starts_with('/') => errors.spanned(
                p,
                "the path must start with `/` (the host comes from the environment)",
            ),
            Some(p) if p.value().contains(['?', '#', ' ']) => {
                errors.spanned(p, "the path must not contain `?`, `#` or spaces")
            }
            Some(p) => path = Some(p.clone()),
        }
        match &endpoint.response {
            None => missing("response = Type", errors),
            Some(r) => response = Some(r.clone()),
        }
        match &endpoint.retry {
            None => {}
            Some(r) if r == "never" => retry = Some(Retry::Never),
            Some(r) if r == "safe" => retry = Some(Retry::Safe),
            Some(r) if r == "same_id" => retry = Some(Retry::SameId),
            Some(r) => {
                retry = None;
                errors.spanned(
                    r,
                    format!("unknown `retry = {r}`; expected `safe` (a query: repeat freely), `same_id` (repeat the identical request; the merchant id deduplicates) or `never`"),
                );
            }
        }
        if let (Some(m), Some(e), Some(span)) = (method, encoding, endpoint.encoding.as_ref()) {
            if m == Method::Get && e != Encoding::Query {
                errors.spanned(
                    span,
                    "a GET request carries no body: use `encoding = query`",
                );
            }
            if m == Method::Post && e == Encoding::Query {
                errors.spanned(span, "`encoding = query` goes with `method = GET`");
            }
        }
    }

    let checks = check_checks(request, errors);

    Some(Plan {
        input: request.input,
        fields: &request.fields,
        key: key?,
        segments,
        param,
        rsa,
        method: method?,
        host: host?,
        path: path?,
        encoding: encoding?,
        response: response?,
        retry: retry?,
        checks,
    })
}

/// `#[check(...)]` on fields: known names, values where needed and only there, no repeats.
/// Whether a check fits the field's *type* is left to the compiler (trait bounds with their
/// own messages), since the macro sees only the type's tokens.
fn check_checks<'a>(request: &'a Request<'a>, errors: &mut Errors) -> Vec<PlanCheck<'a>> {
    let mut out = Vec::new();
    for field in &request.fields {
        let mut seen: Vec<&Ident> = Vec::new();
        for CheckAttr { name, value } in &field.checks {
            if let Some(first) = seen.iter().find(|s| **s == name) {
                let mut error = syn::Error::new(
                    name.span(),
                    format!("duplicate check `{name}` on `{}`", field.ident),
                );
                error.combine(syn::Error::new(first.span(), "first one here"));
                errors.push(error);
                continue;
            }
            seen.push(name);
            let known = name.to_string();
            if !CHECKS.contains(&known.as_str()) {
                let candidates: Vec<Ident> = CHECKS
                    .iter()
                    .map(|c| Ident::new(c, Span::call_site()))
                    .collect();
                let hint = closest(name, candidates.iter())
                    .map(|c| format!("did you mean `{c}`? "))
                    .unwrap_or_default();
                errors.spanned(
                    name,
                    format!(
                        "unknown check `{name}`; {hint}expected one of `positive`, `max_len = N`, `non_empty`, `app_trans_id`, `m_refund_id`, `recent_ms`, `json`, `min = N`, `max = N`, `not_above = \"field\"`"
                    ),
                );
                continue;
            }
            let kind = if known == "min" || known == "max" {
                match value {
                    Some(syn::Lit::Int(n)) => match n.base10_parse::<i128>() {
                        Ok(bound) if known == "min" => CheckKind::Min(bound),
                        Ok(bound) => CheckKind::Max(bound),
                        Err(_) => {
                            errors.spanned(n, format!("`{known}` takes a whole number"));
                            continue;
                        }
                    },
                    Some(other) => {
                        errors.spanned(
                            other,
                            format!("`{known}` takes a whole number: `{known} = 300`"),
                        );
                        continue;
                    }
                    None => {
                        errors.spanned(
                            name,
                            format!(
                                "`{known}` needs a value: `{known} = 300` (an inclusive bound)"
                            ),
                        );
                        continue;
                    }
                }
            } else if known == "not_above" {
                match value {
                    Some(syn::Lit::Str(other)) => {
                        match request
                            .fields
                            .iter()
                            .find(|f| f.ident == other.value().as_str())
                        {
                            Some(found) if found.ident == field.ident => {
                                errors.spanned(other, "`not_above` must name another field");
                                continue;
                            }
                            Some(found) => CheckKind::NotAbove { other: found },
                            None => {
                                errors.spanned(
                                    other,
                                    format!(
                                        "`not_above` names `{}`, which is not a field of `{}`",
                                        other.value(),
                                        request.input.ident
                                    ),
                                );
                                continue;
                            }
                        }
                    }
                    _ => {
                        errors.spanned(
                            name,
                            "`not_above` needs the name of another field: `not_above = \"amount\"`",
                        );
                        continue;
                    }
                }
            } else if known == "max_len" {
                match value {
                    None => {
                        errors.spanned(
                            name,
                            "`max_len` needs a value: `max_len = 40` (the maximum number of characters)",
                        );
                        continue;
                    }
                    Some(syn::Lit::Int(n)) => match n.base10_parse::<usize>() {
                        Ok(0) | Err(_) => {
                            errors.spanned(
                                n,
                                "`max_len` must be a positive whole number of characters",
                            );
                            continue;
                        }
                        Ok(max) => CheckKind::MaxLen(max),
                    },
                    Some(other) => {
                        errors.spanned(other, "`max_len` takes a whole number: `max_len = 40`");
                        continue;
                    }
                }
            } else {
                if let Some(value) = value {
                    errors.spanned(value, format!("`{name}` takes no value"));
                    continue;
                }
                match known.as_str() {
                    "positive" => CheckKind::Positive,
                    "non_empty" => CheckKind::NonEmpty,
                    "app_trans_id" => CheckKind::AppTransId,
                    "recent_ms" => CheckKind::RecentMs,
                    "json" => CheckKind::Json,
                    _ => match request.fields.iter().find(|f| f.ident == "app_id") {
                        Some(app_id) => CheckKind::MRefundId { app_id },
                        None => {
                            errors.spanned(
                                name,
                                format!("`m_refund_id` checks the `yyMMdd_<app_id>_` prefix against the `app_id` field, and `{}` has none", request.input.ident),
                            );
                            continue;
                        }
                    },
                }
            };
            out.push(PlanCheck {
                field,
                kind,
                span: name.span(),
            });
        }
    }
    out
}

fn check_segments<'a>(
    request: &'a Request<'a>,
    list: &[Segment],
    errors: &mut Errors,
) -> Vec<PlanSegment<'a>> {
    let mut out = Vec::new();
    let mut seen: Vec<&Ident> = Vec::new();
    let mut key_seen = false;
    for segment in list {
        match segment {
            Segment::Key { span } => {
                if key_seen {
                    errors.at(*span, "`@key` is listed twice");
                }
                key_seen = true;
                out.push(PlanSegment::Key);
            }
            Segment::Field {
                ident,
                omit_when_absent,
            } => {
                if let Some(first) = seen.iter().find(|s| **s == ident) {
                    let mut error =
                        syn::Error::new(ident.span(), format!("duplicate MAC field `{ident}`"));
                    error.combine(syn::Error::new(first.span(), "first one here"));
                    errors.push(error);
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
                let Some(field) = request.fields.iter().find(|f| f.ident == ident) else {
                    let hint = closest(ident, request.fields.iter().map(|f| f.ident))
                        .map(|c| format!("; did you mean `{c}`?"))
                        .unwrap_or_default();
                    errors.spanned(
                        ident,
                        format!(
                            "unknown field `{ident}` in MAC fields: `{}` has no such field{hint}",
                            request.input.ident
                        ),
                    );
                    continue;
                };
                if *omit_when_absent && field.option_inner.is_none() {
                    errors.spanned(
                        ident,
                        format!("`{ident}?` is left out when absent, so `{ident}` must be an `Option<_>`"),
                    );
                    continue;
                }
                out.push(PlanSegment::Field {
                    field,
                    omit_when_absent: *omit_when_absent,
                });
            }
        }
    }
    out
}

/// The candidate closest to `name` by edit distance, when close enough to be a typo.
pub(crate) fn closest<'a>(
    name: &Ident,
    candidates: impl Iterator<Item = &'a Ident>,
) -> Option<&'a Ident> {
    let name = name.to_string();
    candidates
        .map(|c| (edit_distance(&name, &c.to_string()), c))
        .filter(|(d, _)| *d <= name.len().max(3) / 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}
