//! Code for the parsed [`Container`]: a few straight lines per field that call the runtime in
//! `zalopay_api::__private::serde_fields`, instead of serde_derive's visitor per type.

use super::model::{Container, Data, Field, FieldDefault};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub fn deserialize(container: &Container<'_>, p: &TokenStream) -> TokenStream {
    let ident = container.ident;
    let rt = quote!(#p::serde_fields);
    let body = match (&container.try_from, &container.data) {
        (Some(wire), _) => quote! {
            let wire = <#wire as #p::serde::Deserialize<'de>>::deserialize(deserializer)?;
            <Self as ::core::convert::TryFrom<#wire>>::try_from(wire)
                .map_err(<__D::Error as #p::serde::de::Error>::custom)
        },
        (None, Data::Enum(variants)) => {
            let names: Vec<&String> = variants.iter().map(|v| &v.name).collect();
            let idents = variants.iter().map(|v| v.ident);
            quote! {
                let text = #rt::variant_text(deserializer)?;
                match text.as_str() {
                    #( #names => #p::Ok(Self::#idents), )*
                    other => #p::Result::Err(<__D::Error as #p::serde::de::Error>::unknown_variant(
                        other, &[#(#names),*],
                    )),
                }
            }
        }
        (None, Data::Struct(_)) => quote!(#rt::deserialize_from_fields(deserializer)),
    };
    let deserialize = quote! {
        impl<'de> #p::serde::Deserialize<'de> for #ident {
            fn deserialize<__D: #p::serde::Deserializer<'de>>(
                deserializer: __D,
            ) -> #p::Result<Self, __D::Error> {
                #body
            }
        }
    };
    let (None, Data::Struct(fields)) = (&container.try_from, &container.data) else {
        return deserialize;
    };
    // serde gives a flattened field what the others leave, so the others are taken first.
    let (flat, own): (Vec<&Field<'_>>, Vec<&Field<'_>>) = fields.iter().partition(|f| f.flatten);
    let container_default = container
        .default
        .then(|| quote!(let __default: Self = #p::Default::default();));
    let takes = own.iter().map(|field| {
        let local = format_ident!("__field_{}", field.ident);
        let ty = field.ty;
        let name = &field.name;
        let aliases = &field.aliases;
        let present = match &field.deserialize_with {
            Some(with) => {
                quote!(fields.optional_with(#name, &[#(#aliases),*], |value| #with(value))?)
            }
            None => quote!(fields.optional::<#ty>(#name, &[#(#aliases),*])?),
        };
        let ident = field.ident;
        let value = match (&field.default, container.default, &field.deserialize_with) {
            (FieldDefault::Trait, _, _) => quote!(#present.unwrap_or_default()),
            (FieldDefault::Path(path), _, _) => quote!(#present.unwrap_or_else(#path)),
            (FieldDefault::None, true, _) => quote!(#present.unwrap_or(__default.#ident)),
            // serde: a `deserialize_with` field that is absent is missing, whatever its type.
            (FieldDefault::None, false, Some(_)) => {
                quote!(#present.ok_or_else(|| #rt::missing(#name))?)
            }
            (FieldDefault::None, false, None) => {
                quote!(fields.required::<#ty>(#name, &[#(#aliases),*])?)
            }
        };
        quote!(let #local: #ty = #value;)
    });
    let flattens = flat.iter().map(|field| {
        let local = format_ident!("__field_{}", field.ident);
        let ty = field.ty;
        quote!(let #local: #ty = <#ty as #rt::FromFields>::from_fields(fields)?;)
    });
    let inits = fields.iter().map(|field| {
        let ident = field.ident;
        let local = format_ident!("__field_{}", field.ident);
        quote!(#ident: #local)
    });
    quote! {
        #deserialize
        impl #rt::FromFields for #ident {
            #[inline]
            fn from_fields(fields: &mut #rt::Fields) -> #p::Result<Self, #rt::Error> {
                #container_default
                #(#takes)*
                #(#flattens)*
                #p::Ok(Self { #(#inits),* })
            }
        }
    }
}

pub fn serialize(container: &Container<'_>, p: &TokenStream) -> TokenStream {
    let ident = container.ident;
    let rt = quote!(#p::serde_fields);
    let (body, to_fields) = match &container.data {
        Data::Enum(variants) => {
            let type_name = ident.to_string();
            let arms = variants.iter().enumerate().map(|(index, variant)| {
                let variant_ident = variant.ident;
                let name = &variant.name;
                let index = proc_macro2::Literal::u32_unsuffixed(u32::try_from(index).unwrap_or(u32::MAX));
                quote!(Self::#variant_ident => serializer.serialize_unit_variant(#type_name, #index, #name))
            });
            (quote!(match self { #(#arms,)* }), None)
        }
        Data::Struct(fields) => {
            let entries = fields.iter().map(|field| {
                let field_ident = field.ident;
                let name = &field.name;
                let entry = if field.flatten {
                    quote!(#rt::ToFields::to_fields(&self.#field_ident, map)?;)
                } else {
                    quote!(#p::serde::ser::SerializeMap::serialize_entry(map, #name, &self.#field_ident)?;)
                };
                match &field.skip_serializing_if {
                    Some(skip) => quote!(if !#skip(&self.#field_ident) { #entry }),
                    None => entry,
                }
            });
            let to_fields = quote! {
                impl #rt::ToFields for #ident {
                    fn to_fields<__M: #p::serde::ser::SerializeMap>(
                        &self,
                        map: &mut __M,
                    ) -> #p::Result<(), __M::Error> {
                        #(#entries)*
                        #p::Ok(())
                    }
                }
            };
            (
                quote!(#rt::serialize_with_fields(self, serializer)),
                Some(to_fields),
            )
        }
    };
    quote! {
        impl #p::serde::Serialize for #ident {
            fn serialize<__S: #p::serde::Serializer>(
                &self,
                serializer: __S,
            ) -> #p::Result<__S::Ok, __S::Error> {
                #body
            }
        }
        #to_fields
    }
}
