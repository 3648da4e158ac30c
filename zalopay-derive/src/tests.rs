//! Expansion snapshots: what the derive generates for representative requests, pretty-printed.
//! Review changes with `cargo insta review`; CI never writes snapshots.

use quote::quote;

fn expand(input: proc_macro2::TokenStream) -> String {
    let input: syn::DeriveInput = syn::parse2(input).expect("test input parses");
    let output = crate::expand::derive(&input);
    let file: syn::File = syn::parse2(output).expect("expansion is valid Rust");
    prettyplease::unparse(&file)
}

#[test]
fn create_order() {
    insta::assert_snapshot!(expand(quote! {
        #[endpoint(method = POST, host = openapi, path = "/v2/create", encoding = form, response = CreateOrderResponse)]
        #[mac(key = key1, fields = [app_id, app_trans_id, app_user, amount, app_time, embed_data, item])]
        pub struct CreateOrder {
            pub app_id: i64,
            pub app_user: String,
            pub app_trans_id: String,
            pub app_time: i64,
            pub amount: i64,
            pub item: JsonString,
            pub description: String,
            pub embed_data: JsonString,
            pub bank_code: Option<String>,
        }
    }));
}

#[test]
fn query_order_signs_the_key_itself() {
    insta::assert_snapshot!(expand(quote! {
        #[endpoint(method = POST, host = openapi, path = "/v2/query", encoding = form, response = QueryOrderResponse)]
        #[mac(key = key1, fields = [app_id, app_trans_id, @key])]
        pub struct QueryOrder {
            pub app_id: i64,
            pub app_trans_id: String,
        }
    }));
}

#[test]
fn refund_omits_absent_fee_with_its_separator() {
    insta::assert_snapshot!(expand(quote! {
        #[endpoint(method = POST, host = openapi, path = "/v2/refund", encoding = form, response = RefundResponse)]
        #[mac(key = key1, fields = [app_id, zp_trans_id, amount, refund_fee_amount?, description, timestamp])]
        pub struct Refund {
            pub app_id: i64,
            pub m_refund_id: String,
            pub zp_trans_id: String,
            pub amount: i64,
            pub refund_fee_amount: Option<i64>,
            pub timestamp: i64,
            pub description: String,
        }
    }));
}

#[test]
fn zod_get_with_renamed_fields() {
    insta::assert_snapshot!(expand(quote! {
        #[endpoint(method = GET, host = zod, path = "/v2/zod/status", encoding = query, response = ZodStatus)]
        #[mac(key = key1, fields = [app_id, mc_ref_id])]
        pub struct QueryZodStatus<'a> {
            #[wire(rename = "appId")]
            pub app_id: &'a str,
            #[wire(rename = "mcRefId")]
            pub mc_ref_id: &'a str,
        }
    }));
}

#[test]
fn topup_signed_twice_and_unsent_segment() {
    insta::assert_snapshot!(expand(quote! {
        #[endpoint(method = POST, host = openapi, path = "/v2/disbursement/topup", encoding = json, response = TopupResponse)]
        #[mac(key = key1, fields = [app_id, payment_id, code_raw, time], param = "sig", then = rsa_sha256)]
        pub struct Topup {
            pub app_id: i64,
            pub payment_id: String,
            #[wire(skip)]
            pub code_raw: String,
            pub time: i64,
        }
    }));
}

#[test]
fn checks_become_validate_and_retry_a_const() {
    insta::assert_snapshot!(expand(quote! {
        #[endpoint(method = POST, host = openapi, path = "/v2/create", encoding = form, response = CreateOrderResponse, retry = same_id)]
        #[mac(key = key1, fields = [app_id, app_trans_id, app_user, amount, app_time])]
        pub struct CreateOrder {
            pub app_id: i64,
            #[check(non_empty, max_len = 50)]
            pub app_user: String,
            #[check(app_trans_id)]
            pub app_trans_id: String,
            #[check(recent_ms)]
            pub app_time: i64,
            #[check(positive)]
            #[wire(rename = "amountVnd")]
            pub amount: i64,
            #[check(json)]
            pub extra: Option<String>,
        }
    }));
}

#[test]
fn m_refund_id_reads_app_id_and_checks_without_clock_silence_ctx() {
    let refund = expand(quote! {
        #[endpoint(method = POST, host = openapi, path = "/v2/refund", encoding = form, response = R)]
        #[mac(key = key1, fields = [app_id, m_refund_id])]
        pub struct Refund {
            pub app_id: i64,
            #[check(m_refund_id)]
            pub m_refund_id: String,
        }
    });
    let compact: String = refund.split_whitespace().collect();
    assert!(
        compact.contains("check::m_refund_id(\"m_refund_id\",&self.m_refund_id,&self.app_id,ctx,)"),
        "{refund}"
    );
    let no_clock = expand(quote! {
        #[endpoint(method = POST, host = openapi, path = "/v2/query", encoding = form, response = R, retry = safe)]
        #[mac(key = key1, fields = [app_id, app_trans_id])]
        pub struct Query {
            pub app_id: i64,
            #[check(max_len = 40)]
            pub app_trans_id: String,
        }
    });
    assert!(no_clock.contains("let _ = ctx;"), "{no_clock}");
    assert!(no_clock.contains("RetryClass::Safe"), "{no_clock}");
}

#[test]
fn check_misuse_is_reported_together() {
    let out = expand(quote! {
        #[endpoint(method = POST, host = openapi, path = "/v2/x", encoding = form, response = R, retry = sometimes)]
        #[mac(key = key1, fields = [amount])]
        pub struct Broken {
            #[check(postive, max_len, non_empty = 3)]
            pub amount: i64,
            #[check(max_len = 0)]
            pub other: String,
            #[check(m_refund_id, json, json)]
            pub id: String,
        }
    });
    for message in [
        "unknown `retry = sometimes`",
        "unknown check `postive`; did you mean `positive`?",
        "`max_len` needs a value",
        "`non_empty` takes no value",
        "`max_len` must be a positive whole number",
        "against the `app_id` field",
        "duplicate check `json`",
    ] {
        assert!(out.contains(message), "missing {message:?} in {out}");
    }
}

#[test]
fn errors_come_together_with_stub_impls() {
    insta::assert_snapshot!(expand(quote! {
        #[endpoint(method = POST, host = openapi, path = "v2/query", encoding = form)]
        #[mac(key = key9, fields = [app_id, app_id, nope])]
        pub struct Broken {
            pub app_id: i64,
        }
    }));
}

#[test]
fn edit_distance_suggests_typos_only() {
    let fields: Vec<syn::Ident> = ["app_trans_id", "amount"]
        .iter()
        .map(|n| syn::Ident::new(n, proc_macro2::Span::call_site()))
        .collect();
    let typo = syn::Ident::new("app_tran_id", proc_macro2::Span::call_site());
    let far = syn::Ident::new("description", proc_macro2::Span::call_site());
    assert_eq!(
        crate::names::closest(&typo, fields.iter()).map(|i| i.to_string()),
        Some("app_trans_id".to_owned())
    );
    assert_eq!(crate::names::closest(&far, fields.iter()), None);
}

#[test]
fn renamed_runtime_crate() {
    insta::assert_snapshot!(expand(quote! {
        #[zalopay(crate = payments::zalopay)]
        #[endpoint(method = POST, host = openapi, path = "/v2/query", encoding = form, response = Reply)]
        #[mac(key = key1, fields = [app_id, app_trans_id, @key])]
        pub struct QueryOrder {
            pub app_id: i64,
            pub app_trans_id: String,
        }
    }));
}

#[test]
fn client_filled_fields_defaults_and_operation_id() {
    let out = expand(quote! {
        #[endpoint(id = "refund.query", confidence = "3P", method = POST, host = openapi, path = "/v2/query_refund", encoding = form, response = R, retry = safe)]
        #[mac(key = key1, fields = [app_id, m_refund_id, timestamp])]
        #[derive(Clone)]
        pub struct QueryRefund {
            #[zalopay(app_id)]
            pub app_id: Option<i64>,
            #[check(m_refund_id)]
            pub m_refund_id: String,
            #[zalopay(time)]
            #[check(recent_ms)]
            pub timestamp: Option<i64>,
            #[zalopay(default = JsonString::empty_object())]
            pub extra: JsonString,
        }
    });
    let compact: String = out.split_whitespace().collect();
    for needle in [
        // Filled fields are always sent and listed as required parameters.
        "Param{name:\"app_id\",required:true,kind:::zalopay_api::__private::KindOf::<Option<i64>>::KIND,}",
        "serialize_field(&mutstate,\"timestamp\",&self.timestamp,)?",
        // fill(): refuse another app's request, then fill what is unset in a copy.
        "fill::check_app_id(\"app_id\",&self.app_id,ctx)?;",
        "ifself.app_id.is_none()||self.timestamp.is_none(){",
        "fill::time(&mutfilled.timestamp,ctx);",
        // The catalog id and confidence from the annotation.
        "constID:&'staticstr=\"refund.query\";",
        "Confidence::ThirdParty",
        // The builder: one required slot (`m_refund_id`), the rest optional or defaulted.
        "pubstructQueryRefundBuilder<__State1=::zalopay_api::__private::Unset>",
        "__State1:__QueryRefundBuilder_m_refund_id<String>",
        "::zalopay_api::__private::None=>JsonString::empty_object(),",
    ] {
        assert!(compact.contains(needle), "missing {needle:?} in {out}");
    }
}

#[test]
fn field_options_are_checked() {
    let out = expand(quote! {
        #[endpoint(id = "Order Create", method = POST, host = openapi, path = "/v2/x", encoding = form, response = R)]
        #[mac(key = key1, fields = [app_id, time])]
        pub struct Broken {
            #[zalopay(app_id, time)]
            pub app_id: Option<i64>,
            #[zalopay(time, default)]
            pub time: i64,
            #[zalopay(sometimes)]
            pub other: String,
        }
    });
    for message in [
        "an operation id is `family.name` in lowercase",
        "a field is filled by the client in one way only",
        "is filled by the client when unset, so it takes no builder default",
        "`#[zalopay(time)]` needs an `Option<_>` field",
        "unknown zalopay option `sometimes` on a field",
    ] {
        assert!(out.contains(message), "missing {message:?} in {out}");
    }
    let id_only = expand(quote! {
        #[endpoint(id = "order.create", method = POST, host = openapi, path = "/v2/x", encoding = form, response = R)]
        #[mac(key = key1, fields = [app_id])]
        pub struct NoConfidence {
            pub app_id: i64,
        }
    });
    assert!(
        id_only.contains("says how sure its path and MAC are"),
        "{id_only}"
    );
}

#[test]
fn every_repeated_option_is_reported_with_the_first() {
    let out = expand(quote! {
        #[endpoint(method = POST, host = openapi, path = "/v2/x", encoding = form, response = R, retry = safe, retry = never)]
        #[mac(key = key1, fields = [app_id, amount], then = rsa_sha256, then = rsa_sha256)]
        pub struct Repeated {
            pub app_id: i64,
            #[wire(rename = "amount_vnd", rename = "amountVnd")]
            #[wire(skip, skip)]
            #[zalopay(default, default = 1)]
            pub amount: i64,
        }
    });
    for message in [
        "duplicate option `retry`",
        "duplicate option `then`",
        "duplicate wire option `rename`",
        "duplicate wire option `skip`",
        "duplicate zalopay option `default`",
    ] {
        assert_eq!(out.matches(message).count(), 1, "{message:?} once in {out}");
    }
    assert_eq!(out.matches("first one here").count(), 5, "{out}");
    let twice = expand(quote! {
        #[endpoint(method = POST, host = openapi, path = "/v2/x", encoding = form, response = R)]
        #[mac(key = key1, fields = [app_id])]
        #[mac(key = key2, fields = [app_id])]
        pub struct Twice {
            pub app_id: i64,
        }
    });
    assert!(twice.contains("duplicate #[mac(...)] attribute"), "{twice}");
    assert!(twice.contains("first one here"), "{twice}");
}

#[test]
fn names_are_resolved_in_the_model() {
    let out = expand(quote! {
        #[endpoint(method = POST, host = openapi, path = "/v2/x", encoding = form, response = R)]
        #[mac(key = key1, fields = [app_id, raw, amount])]
        #[derive(Clone)]
        pub struct Resolved {
            pub app_id: i64,
            #[check(not_above = "ceiling")]
            pub amount: i64,
            #[wire(rename = "ceilingVnd")]
            pub ceiling: i64,
            #[wire(skip)]
            pub raw: String,
            #[zalopay(encrypt = raw)]
            pub code: Option<String>,
        }
    });
    let compact: String = out.split_whitespace().collect();
    for needle in [
        "check::not_above(\"amount\",&self.amount,\"ceilingVnd\",&self.ceiling,)?;",
        "fill::encrypt(\"code\",&filled.raw,&mutfilled.code,ctx,)?;",
    ] {
        assert!(compact.contains(needle), "missing {needle:?} in {out}");
    }
    let unknown = expand(quote! {
        #[endpoint(method = POST, host = openapi, path = "/v2/x", encoding = form, response = R)]
        #[mac(key = key1, fields = [amount])]
        pub struct Unknown {
            #[check(not_above = "amount")]
            pub amount: i64,
            #[check(not_above = "cieling")]
            pub fee: i64,
        }
    });
    for message in [
        "`not_above` must name another field",
        "`not_above` names `cieling`, which is not a field of `Unknown`",
    ] {
        assert!(
            unknown.contains(message),
            "missing {message:?} in {unknown}"
        );
    }
}

#[test]
fn every_collected_error_is_reported() {
    // The accumulator has no constructor but `scope`, which always reports what it holds.
    let out = crate::ctxt::Errors::scope(|errors| {
        errors.at(proc_macro2::Span::call_site(), "first");
        errors.at(proc_macro2::Span::call_site(), "second");
        crate::ctxt::Generated {
            code: Some(quote!(
                struct Generated;
            )),
            stub: quote!(
                struct Stub;
            ),
        }
    })
    .to_string();
    assert!(
        out.contains("\"first\"") && out.contains("\"second\""),
        "{out}"
    );
    assert!(out.contains("Stub") && !out.contains("Generated"), "{out}");
}
