// A setter has its field's visibility: a private field cannot be set from outside.
mod shop {
    use zalopay_api::ZaloPayRequest;

    #[derive(ZaloPayRequest)]
    #[endpoint(method = POST, host = openapi, path = "/v2/query", encoding = form, response = zalopay_api::order::QueryOrderResponse)]
    #[mac(key = key1, fields = [app_id, app_trans_id])]
    pub struct Query {
        pub app_id: i64,
        app_trans_id: String,
    }
}

fn main() {
    let _query = shop::Query::builder().app_id(2553).app_trans_id("x").build();
}
