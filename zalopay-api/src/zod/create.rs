//! `POST /v2/zod`: create a ZOD invoice.

use serde::Serialize;

use super::ZodInvoiceResponse;
use crate::{JsonString, ZaloPayRequest};

/// Who receives the parcel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ZodReceiver {
    /// Contact (phone).
    pub contact: String,
}

/// One parcel of the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ZodOrderInfo {
    /// Tracking number.
    pub tracking_number: String,
    /// Description.
    pub description: String,
    /// Amount, VND.
    pub amount: i64,
}

/// Creates a ZOD invoice (JSON body).
///
/// MAC (key1): `appId|mcRefId|amount|mcExtInfo`.
#[derive(Debug, Clone, PartialEq, Eq, ZaloPayRequest)]
#[endpoint(id = "zod.create", confidence = "C2", method = POST, host = zod, path = "/v2/zod", encoding = json, response = ZodInvoiceResponse)]
#[mac(key = key1, fields = [app_id, mc_ref_id, amount, mc_ext_info])]
pub struct ZodCreateInvoice {
    /// The app id, as text (`appId`).
    #[wire(rename = "appId")]
    #[check(non_empty)]
    #[zalopay(app_id)]
    pub app_id: Option<String>,
    /// The merchant's reference id (`mcRefId`).
    #[wire(rename = "mcRefId")]
    #[check(non_empty)]
    pub mc_ref_id: String,
    /// Hub id (`hubId`).
    #[wire(rename = "hubId")]
    pub hub_id: Option<String>,
    /// Driver id (`driverId`).
    #[wire(rename = "driverId")]
    pub driver_id: Option<String>,
    /// Amount to collect, VND.
    #[check(positive)]
    pub amount: i64,
    /// Who receives the parcel.
    pub receiver: ZodReceiver,
    /// The parcels (`orderInfo`).
    #[wire(rename = "orderInfo")]
    pub order_info: Vec<ZodOrderInfo>,
    /// Merchant data as a JSON string (`mcExtInfo`, e.g. `merchandiseSubtotal`).
    #[wire(rename = "mcExtInfo")]
    #[zalopay(default = JsonString::empty_object())]
    pub mc_ext_info: JsonString,
}
