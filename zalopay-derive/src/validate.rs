//! How the resolved parts of a request relate, after serde_derive's `internals/check.rs`: one
//! named rule per function, each reporting every violation it finds. Rules only read the
//! model; what they report goes to the one accumulator, so all of it is reported together.

use crate::checks::CheckKind;
use crate::ctxt::Errors;
use crate::model::{Encoding, Filled, Method, Request, Segment};

/// Every rule, in the order their errors are reported.
pub fn check(request: &Request<'_>, errors: &mut Errors) {
    wire_names_are_unique(request, errors);
    signature_param_is_no_field(request, errors);
    unsent_fields_are_signed(request, errors);
    omitted_segments_are_options(request, errors);
    get_carries_no_body(request, errors);
    m_refund_id_has_an_app_id(request, errors);
    not_above_names_another_field(request, errors);
    filled_fields_are_options(request, errors);
    filled_fields_take_no_default(request, errors);
    one_field_per_filled_value(request, errors);
    encrypted_from_an_unsent_field(request, errors);
}

/// No two sent fields share a wire name.
fn wire_names_are_unique(request: &Request<'_>, errors: &mut Errors) {
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
}

/// The signature parameter is produced by the library, never a field.
fn signature_param_is_no_field(request: &Request<'_>, errors: &mut Errors) {
    let Some(signing) = &request.signing else {
        return;
    };
    let param = &signing.param;
    if let Some(field) = request
        .fields
        .iter()
        .find(|f| !f.skip_wire && f.wire_name == *param)
    {
        errors.at(
            field.ident.span(),
            format!("`{param}` is the signature parameter and is produced by the library; remove this field"),
        );
    }
}

/// A `#[wire(skip)]` field is signed, or it would be neither sent nor signed.
fn unsent_fields_are_signed(request: &Request<'_>, errors: &mut Errors) {
    let Some(signing) = &request.signing else {
        return;
    };
    for (index, field) in request.fields.iter().enumerate() {
        let signed = signing
            .segments
            .iter()
            .any(|s| matches!(s, Segment::Field { field, .. } if *field == index));
        if field.skip_wire && !signed {
            errors.at(
                field.ident.span(),
                format!("`{}` is #[wire(skip)] but not in the MAC fields, so it would be neither sent nor signed", field.ident),
            );
        }
    }
}

/// `name?` leaves an absent value out, so `name` is an `Option`.
fn omitted_segments_are_options(request: &Request<'_>, errors: &mut Errors) {
    let Some(signing) = &request.signing else {
        return;
    };
    for segment in &signing.segments {
        if let Segment::Field {
            field,
            omit_when_absent: true,
            span,
        } = segment
            && let Some(field) = request.fields.get(*field)
            && field.option_inner.is_none()
        {
            let ident = field.ident;
            errors.at(
                *span,
                format!("`{ident}?` is left out when absent, so `{ident}` must be an `Option<_>`"),
            );
        }
    }
}

/// A GET request sends its parameters in the query, and only a GET does.
fn get_carries_no_body(request: &Request<'_>, errors: &mut Errors) {
    let Some(endpoint) = &request.endpoint else {
        return;
    };
    let encoding = endpoint.encoding;
    match endpoint.method {
        Method::Get if encoding.value != Encoding::Query => errors.at(
            encoding.span,
            "a GET request carries no body: use `encoding = query`",
        ),
        Method::Post if encoding.value == Encoding::Query => {
            errors.at(encoding.span, "`encoding = query` goes with `method = GET`")
        }
        _ => {}
    }
}

/// `m_refund_id` reads the struct's `app_id` field.
fn m_refund_id_has_an_app_id(request: &Request<'_>, errors: &mut Errors) {
    if request.app_id.is_some() {
        return;
    }
    for check in request.fields.iter().flat_map(|f| &f.checks) {
        if matches!(check.kind, CheckKind::MRefundId) {
            errors.at(
                check.span,
                format!("`m_refund_id` checks the `yyMMdd_<app_id>_` prefix against the `app_id` field, and `{}` has none", request.input.ident),
            );
        }
    }
}

/// `not_above` compares a field with another one.
fn not_above_names_another_field(request: &Request<'_>, errors: &mut Errors) {
    for (index, field) in request.fields.iter().enumerate() {
        for check in &field.checks {
            if let CheckKind::NotAbove(other) = check.kind
                && other.value == index
            {
                errors.at(other.span, "`not_above` must name another field");
            }
        }
    }
}

/// `None` is what says "the client fills it in", so a filled field is an `Option`.
fn filled_fields_are_options(request: &Request<'_>, errors: &mut Errors) {
    for field in &request.fields {
        if let Some(filled) = &field.filled
            && field.option_inner.is_none()
        {
            errors.at(
                filled.span,
                format!(
                    "`#[zalopay({})]` needs an `Option<_>` field: `None` means the client fills it in when sending",
                    filled.value.written()
                ),
            );
        }
    }
}

/// A filled field has the client's value when unset, never a builder default.
fn filled_fields_take_no_default(request: &Request<'_>, errors: &mut Errors) {
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
    }
}

/// One field is the request's app id, one its time (a non-`Option` one was reported by
/// [`filled_fields_are_options`] and is not counted).
fn one_field_per_filled_value(request: &Request<'_>, errors: &mut Errors) {
    let mut first: Vec<&crate::model::Field<'_>> = Vec::new();
    for field in &request.fields {
        let Some(filled) = &field.filled else {
            continue;
        };
        if field.option_inner.is_none() || matches!(filled.value, Filled::Encrypt(_)) {
            continue;
        }
        let kind = std::mem::discriminant(&filled.value);
        match first.iter().find(|f| {
            f.filled
                .is_some_and(|x| std::mem::discriminant(&x.value) == kind)
        }) {
            Some(earlier) => errors.duplicate(
                filled.span,
                earlier.filled.map_or(filled.span, |x| x.span),
                format!(
                    "only one field is the request's `{}`; `{}` already is",
                    filled.value.written(),
                    earlier.ident
                ),
            ),
            None => first.push(field),
        }
    }
}

/// `encrypt = FIELD` encrypts another field whose plain value is not sent.
fn encrypted_from_an_unsent_field(request: &Request<'_>, errors: &mut Errors) {
    for (index, field) in request.fields.iter().enumerate() {
        let Some(filled) = &field.filled else {
            continue;
        };
        let Filled::Encrypt(source) = filled.value else {
            continue;
        };
        // A non-`Option` one was reported by `filled_fields_are_options`.
        if field.option_inner.is_none() {
            continue;
        }
        let Some(plain) = request.fields.get(source.value) else {
            continue;
        };
        if !plain.skip_wire {
            errors.at(
                source.span,
                format!("`{}` is encrypted for the wire, so its plain value must not be sent: mark it `#[wire(skip)]`", plain.ident),
            );
        } else if source.value == index {
            errors.at(source.span, "a field cannot be encrypted from itself");
        }
    }
}
