//! Relations between attributes and fields, checked once the attributes are typed (`model`).
//! Errors are collected, never thrown one at a time.

use crate::checks::CheckKind;
use crate::ctxt::Errors;
use crate::model::{
    Confidence, Encoding, Field, Filled, Host, Key, Method, Request, Retry, Segment, Slot,
};
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
    /// `id = ...` and `confidence = ...`: the operation is in the catalog.
    pub operation: Option<(String, Confidence)>,
    /// The struct's `app_id` member, which `#[check(m_refund_id)]` reads.
    pub app_id_member: Option<&'a Ident>,
    /// Fields the client fills when left `None`.
    pub filled: Vec<(&'a Field<'a>, Filled)>,
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
            errors.duplicate(
                field.ident.span(),
                first.ident.span(),
                format!("two fields are sent as `{}`", field.wire_name),
            );
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
        key = mac.key;
        if !mac.key_written {
            errors.spanned(
                &mac.tokens,
                "missing `key = key1` (requests) or `key = key2` (callbacks) in #[mac(...)]",
            );
        }
        if let Some(p) = &mac.param {
            param = p.clone();
        }
        rsa = mac.rsa;
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

    // #[endpoint(...)]: values were typed when parsed; here only what is missing or does not
    // go together.
    let mut operation = None;
    let mut complete = true;
    if let Some(endpoint) = endpoint {
        let mut missing = |slot_missing: bool, name: &str| {
            if slot_missing {
                errors.spanned(
                    &endpoint.tokens,
                    format!("missing `{name}` in #[endpoint(...)]"),
                );
            }
        };
        missing(
            matches!(endpoint.method, Slot::Absent),
            "method = GET | POST",
        );
        missing(
            matches!(endpoint.host, Slot::Absent),
            "host = openapi | gateway | zod",
        );
        missing(
            matches!(endpoint.encoding, Slot::Absent),
            "encoding = form | json | query",
        );
        missing(matches!(endpoint.path, Slot::Absent), "path = \"/...\"");
        missing(matches!(endpoint.response, Slot::Absent), "response = Type");
        if let (Some(m), Some(e)) = (endpoint.method.get(), endpoint.encoding.get()) {
            if *m == Method::Get && e.value != Encoding::Query {
                errors.at(
                    e.span,
                    "a GET request carries no body: use `encoding = query`",
                );
            }
            if *m == Method::Post && e.value == Encoding::Query {
                errors.at(e.span, "`encoding = query` goes with `method = GET`");
            }
        }
        match (&endpoint.id, &endpoint.confidence) {
            (Slot::Set(id), Slot::Set(confidence)) => {
                operation = Some((id.value.clone(), confidence.value));
            }
            (Slot::Set(id), Slot::Absent) => errors.at(
                id.span,
                "an operation with an `id` says how sure its path and MAC are: add `confidence = \"C2\" | \"C1\" | \"3P\" | \"?\"`",
            ),
            (Slot::Absent, Slot::Set(confidence)) => errors.at(
                confidence.span,
                "`confidence` rates a catalogued operation: add its `id = \"family.name\"`",
            ),
            _ => {}
        }
        complete = !matches!(endpoint.retry, Slot::Invalid);
    }

    let app_id_member = request
        .fields
        .iter()
        .find(|f| f.ident == "app_id")
        .map(|f| f.ident);
    for field in &request.fields {
        for check in &field.checks {
            if matches!(check.kind, CheckKind::MRefundId) && app_id_member.is_none() {
                errors.at(
                    check.span,
                    format!("`m_refund_id` checks the `yyMMdd_<app_id>_` prefix against the `app_id` field, and `{}` has none", request.input.ident),
                );
            }
            if let CheckKind::NotAbove(other) = &check.kind {
                match request
                    .fields
                    .iter()
                    .find(|f| f.ident == other.value().as_str())
                {
                    Some(found) if found.ident == field.ident => {
                        errors.spanned(other, "`not_above` must name another field");
                    }
                    Some(_) => {}
                    None => errors.spanned(
                        other,
                        format!(
                            "`not_above` names `{}`, which is not a field of `{}`",
                            other.value(),
                            request.input.ident
                        ),
                    ),
                }
            }
        }
    }
    let filled = check_filled(request, errors);

    let endpoint = endpoint?;
    Some(Plan {
        input: request.input,
        fields: &request.fields,
        key: key?,
        segments,
        param,
        rsa,
        method: *endpoint.method.get()?,
        host: *endpoint.host.get()?,
        path: endpoint.path.get()?.clone(),
        encoding: endpoint.encoding.get()?.value,
        response: endpoint.response.get()?.clone(),
        retry: if complete {
            endpoint.retry.get().copied().unwrap_or(Retry::Never)
        } else {
            return None;
        },
        operation,
        app_id_member,
        filled,
    })
}

/// `#[zalopay(app_id)]`, `#[zalopay(time)]` and `#[zalopay(default ...)]` on fields.
fn check_filled<'a>(request: &'a Request<'a>, errors: &mut Errors) -> Vec<(&'a Field<'a>, Filled)> {
    let mut out: Vec<(&'a Field<'a>, Filled, proc_macro2::Span)> = Vec::new();
    for field in &request.fields {
        if let (Some(filled), Some(default)) = (&field.filled, &field.default) {
            errors.duplicate(
                default.span,
                filled.span,
                format!(
                    "`{}` is filled by the client when unset, so it takes no builder default",
                    field.ident
                ),
            );
        }
        let Some(filled) = &field.filled else {
            continue;
        };
        let what = match filled.value {
            Filled::AppId => "app_id",
            Filled::Time => "time",
            Filled::Encrypt => "encrypt = ...",
        };
        if field.option_inner.is_none() {
            errors.at(
                filled.span,
                format!("`#[zalopay({what})]` needs an `Option<_>` field: `None` means the client fills it in when sending"),
            );
            continue;
        }
        if filled.value == Filled::Encrypt {
            let Some(source) = &field.encrypt_source else {
                continue;
            };
            match request.fields.iter().find(|f| f.ident == source) {
                None => errors.spanned(
                    source,
                    format!("`{source}` is not a field of this struct: `encrypt = FIELD` names the plain value to encrypt"),
                ),
                Some(plain) if !plain.skip_wire => errors.spanned(
                    source,
                    format!("`{source}` is encrypted for the wire, so its plain value must not be sent: mark it `#[wire(skip)]`"),
                ),
                Some(plain) if plain.ident == field.ident => errors.spanned(
                    source,
                    "a field cannot be encrypted from itself",
                ),
                Some(_) => {}
            }
            out.push((field, filled.value, filled.span));
            continue;
        }
        if let Some((first, _, span)) = out.iter().find(|(_, f, _)| *f == filled.value) {
            errors.duplicate(
                filled.span,
                *span,
                format!(
                    "only one field is the request's `{what}`; `{}` already is",
                    first.ident
                ),
            );
            continue;
        }
        out.push((field, filled.value, filled.span));
    }
    out.into_iter().map(|(f, k, _)| (f, k)).collect()
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

/// [`closest`] over plain names.
pub(crate) fn closest_name<'a>(
    name: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .map(|c| (edit_distance(name, c), c))
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
