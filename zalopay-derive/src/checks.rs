//! The one table of `#[check(...)]` entries: each name and how its value is parsed. A name
//! that is not in [`CHECKS`] is an error, never a fall-through. The runtime call each check
//! becomes is in `expand`.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;

use crate::ctxt::Errors;
use crate::names::{closest_name, path_name};

/// What to verify, typed when parsed. `F` is how `not_above` names the other field: the
/// string written (`syn::LitStr`) until the model resolves it to the field itself.
#[derive(Clone)]
pub enum CheckKind<F = syn::LitStr> {
    Positive,
    MaxLen(usize),
    NonEmpty,
    AppTransId,
    MRefundId,
    RecentMs,
    Json,
    /// `min = N`: an integer at least `N`.
    Min(i128),
    /// `max = N`: an integer at most `N`.
    Max(i128),
    /// `not_above = "field"`: an integer no greater than another field (resolved in
    /// `model`).
    NotAbove(F),
}

/// One entry of `#[check(...)]` on a field.
pub struct Check<F = syn::LitStr> {
    pub kind: CheckKind<F>,
    /// The check's name in the attribute: generated calls are spanned here, so a check that
    /// does not fit the field's type is reported on the check.
    pub span: Span,
    pub name: &'static str,
}

/// One row of the table.
pub struct CheckSpec {
    /// The name written in `#[check(...)]`.
    pub name: &'static str,
    /// How it is written, for error messages.
    pub usage: &'static str,
    /// Parses what follows the name (`= value`, or nothing).
    parse: fn(&ParseNestedMeta<'_>, &'static str) -> syn::Result<CheckKind>,
}

/// Every check, in the order the docs list them.
pub const CHECKS: &[CheckSpec] = &[
    CheckSpec {
        name: "positive",
        usage: "positive",
        parse: |meta, name| flag(meta, name, CheckKind::Positive),
    },
    CheckSpec {
        name: "max_len",
        usage: "max_len = N",
        parse: max_len,
    },
    CheckSpec {
        name: "non_empty",
        usage: "non_empty",
        parse: |meta, name| flag(meta, name, CheckKind::NonEmpty),
    },
    CheckSpec {
        name: "app_trans_id",
        usage: "app_trans_id",
        parse: |meta, name| flag(meta, name, CheckKind::AppTransId),
    },
    CheckSpec {
        name: "m_refund_id",
        usage: "m_refund_id",
        parse: |meta, name| flag(meta, name, CheckKind::MRefundId),
    },
    CheckSpec {
        name: "recent_ms",
        usage: "recent_ms",
        parse: |meta, name| flag(meta, name, CheckKind::RecentMs),
    },
    CheckSpec {
        name: "json",
        usage: "json",
        parse: |meta, name| flag(meta, name, CheckKind::Json),
    },
    CheckSpec {
        name: "min",
        usage: "min = N",
        parse: |meta, name| bound(meta, name).map(CheckKind::Min),
    },
    CheckSpec {
        name: "max",
        usage: "max = N",
        parse: |meta, name| bound(meta, name).map(CheckKind::Max),
    },
    CheckSpec {
        name: "not_above",
        usage: "not_above = \"field\"",
        parse: not_above,
    },
];

/// Parses one entry of `#[check(...)]`: `Ok(None)` when it was wrong but parsing can go on
/// (the error is in `errors`).
pub fn parse(meta: &ParseNestedMeta<'_>, errors: &mut Errors) -> syn::Result<Option<Check>> {
    let Some(ident) = meta.path.get_ident() else {
        return Err(meta.error(format!(
            "expected a check name such as `positive` or `max_len = 40`, found `{}`",
            path_name(&meta.path)
        )));
    };
    let Some(spec) = CHECKS.iter().find(|spec| ident == spec.name) else {
        let hint = closest_name(&ident.to_string(), CHECKS.iter().map(|c| c.name))
            .map(|c| format!("did you mean `{c}`? "))
            .unwrap_or_default();
        let expected: Vec<String> = CHECKS.iter().map(|c| format!("`{}`", c.usage)).collect();
        errors.spanned(
            ident,
            format!(
                "unknown check `{ident}`; {hint}expected one of {}",
                expected.join(", ")
            ),
        );
        // Skip a value so the entries after this one are still read.
        if meta.input.peek(syn::Token![=]) {
            meta.value()?.parse::<syn::Expr>()?;
        }
        return Ok(None);
    };
    match (spec.parse)(meta, spec.name) {
        Ok(kind) => Ok(Some(Check {
            kind,
            span: ident.span(),
            name: spec.name,
        })),
        Err(error) => {
            errors.push(error);
            Ok(None)
        }
    }
}

fn flag(meta: &ParseNestedMeta<'_>, name: &str, kind: CheckKind) -> syn::Result<CheckKind> {
    if meta.input.peek(syn::Token![=]) {
        let value: syn::Expr = meta.value()?.parse()?;
        return Err(syn::Error::new_spanned(
            value,
            format!("`{name}` takes no value"),
        ));
    }
    Ok(kind)
}

fn max_len(meta: &ParseNestedMeta<'_>, _: &str) -> syn::Result<CheckKind> {
    if !meta.input.peek(syn::Token![=]) {
        return Err(meta
            .error("`max_len` needs a value: `max_len = 40` (the maximum number of characters)"));
    }
    match meta.value()?.parse::<syn::Lit>()? {
        syn::Lit::Int(n) => match n.base10_parse::<usize>() {
            Ok(0) | Err(_) => Err(syn::Error::new_spanned(
                n,
                "`max_len` must be a positive whole number of characters",
            )),
            Ok(max) => Ok(CheckKind::MaxLen(max)),
        },
        other => Err(syn::Error::new_spanned(
            other,
            "`max_len` takes a whole number: `max_len = 40`",
        )),
    }
}

/// `min = N` / `max = N`: an inclusive integer bound.
fn bound(meta: &ParseNestedMeta<'_>, name: &str) -> syn::Result<i128> {
    if !meta.input.peek(syn::Token![=]) {
        return Err(meta.error(format!(
            "`{name}` needs a value: `{name} = 300` (an inclusive bound)"
        )));
    }
    let value: syn::Expr = meta.value()?.parse()?;
    // A literal, possibly negated: `min = -1`.
    let (negative, lit) = match &value {
        syn::Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => (true, &**expr),
        other => (false, other),
    };
    match lit {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(n),
            ..
        }) => match n.base10_parse::<i128>() {
            Ok(bound) if negative => Ok(-bound),
            Ok(bound) => Ok(bound),
            Err(_) => Err(syn::Error::new_spanned(
                n,
                format!("`{name}` takes a whole number"),
            )),
        },
        _ => Err(syn::Error::new_spanned(
            value,
            format!("`{name}` takes a whole number: `{name} = 300`"),
        )),
    }
}

fn not_above(meta: &ParseNestedMeta<'_>, _: &str) -> syn::Result<CheckKind> {
    if !meta.input.peek(syn::Token![=]) {
        return Err(
            meta.error("`not_above` needs the name of another field: `not_above = \"amount\"`")
        );
    }
    match meta.value()?.parse::<syn::Lit>()? {
        syn::Lit::Str(other) => Ok(CheckKind::NotAbove(other)),
        other => Err(syn::Error::new_spanned(
            other,
            "`not_above` needs the name of another field: `not_above = \"amount\"`",
        )),
    }
}

impl<F> CheckKind<F> {
    /// Whether the check reads the client's clock.
    pub fn uses_ctx(&self) -> bool {
        matches!(
            self,
            CheckKind::AppTransId | CheckKind::MRefundId | CheckKind::RecentMs
        )
    }

    /// The same check with `not_above`'s field turned into `G` by `resolve` (`None`: it named
    /// no field, and the check is dropped).
    pub fn resolve<G>(self, resolve: impl FnOnce(F) -> Option<G>) -> Option<CheckKind<G>> {
        Some(match self {
            CheckKind::Positive => CheckKind::Positive,
            CheckKind::MaxLen(max) => CheckKind::MaxLen(max),
            CheckKind::NonEmpty => CheckKind::NonEmpty,
            CheckKind::AppTransId => CheckKind::AppTransId,
            CheckKind::MRefundId => CheckKind::MRefundId,
            CheckKind::RecentMs => CheckKind::RecentMs,
            CheckKind::Json => CheckKind::Json,
            CheckKind::Min(bound) => CheckKind::Min(bound),
            CheckKind::Max(bound) => CheckKind::Max(bound),
            CheckKind::NotAbove(other) => CheckKind::NotAbove(resolve(other)?),
        })
    }
}
