//! The shop's HTML: one page layout, the product list and the order page (with its QR code
//! and the script that polls the order's status). No external assets.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use zalopay_emulator::escape_html as escape;
use zalopay_tracker::{RefundState, TrackedRefund};

use super::products::{PRODUCTS, vnd};
use super::status::{PaymentStatus, ShopOrder, status_text};
use crate::CliError;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:34em;margin:2em auto;\
padding:0 1em;color:#222;background:#fff}\
.card{border:1px solid #ddd;border-radius:8px;padding:1em;margin:1em 0}\
button{background:#0068ff;color:#fff;border:0;border-radius:6px;padding:.6em 1.2em;\
font-size:1em;cursor:pointer}\
.qr svg{display:block;width:280px;height:280px}\
#status{font-size:1.3em;font-weight:bold;padding:.5em;border-radius:6px}\
.waiting{background:#fff6d5}.paid{background:#d9f7d9}.failed{background:#fbdada}.declined{background:#fde6cf}\
.attention{background:#fbdada;outline:2px solid #c00}";

/// A whole page: `title`, `body` (HTML), a link back to the shop.
pub(super) fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head>\
         <body><h1>{title}</h1>{body}<p><a href=\"/\">Back to the shop</a></p></body></html>",
        title = escape(title)
    );
    (status, Html(html)).into_response()
}

/// A page saying what went wrong.
pub(super) fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    page(status, title, &format!("<p>{}</p>", escape(message)))
}

/// `/`: every product with its "Pay with ZaloPay" button.
pub(super) fn products_page() -> Response {
    let mut body = String::from(
        "<p>A demo merchant paying through the local ZaloPay emulator (Web-to-App flow).</p>",
    );
    for product in PRODUCTS {
        body.push_str(&format!(
            "<div class=\"card\"><h2>{name}</h2><p>{price}</p>\
             <form method=\"post\" action=\"/checkout\">\
             <input type=\"hidden\" name=\"product\" value=\"{id}\">\
             <button type=\"submit\">Pay with ZaloPay</button></form></div>",
            name = escape(product.name),
            price = vnd(product.price),
            id = product.id,
        ));
    }
    page(StatusCode::OK, "ZaloPay demo shop", &body)
}

fn qr_svg(text: &str) -> Result<String, CliError> {
    let code = qrcode::QrCode::new(text.as_bytes())
        .map_err(|e| CliError::new(format!("cannot make a QR code: {e}")))?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(280, 280)
        .quiet_zone(true)
        .build();
    // Drop the XML declaration: the SVG goes inline into HTML.
    Ok(svg
        .find("<svg")
        .map_or(svg.clone(), |at| svg[at..].to_owned()))
}

/// Asks `/order/{id}/status` every second until the order is settled.
const ORDER_SCRIPT: &str = r#"<script>
const box = document.getElementById('status');
const pay = document.getElementById('pay');
const timer = setInterval(async () => {
  try {
    const s = await (await fetch(location.pathname + '/status')).json();
    box.textContent = s.text;
    box.className = s.status;
    if (s.status !== 'waiting' && s.status !== 'declined') { clearInterval(timer); pay.hidden = true; }
  } catch (e) { /* the shop may be restarting: try again next second */ }
}, 1000);
</script>"#;

/// `/order/{id}`: the order, its status, and while it can be paid, its QR code and link.
pub(super) fn order_page(order: &ShopOrder) -> Response {
    let qr = match qr_svg(&order.order_url) {
        Ok(svg) => svg,
        Err(error) => format!("<p>{}</p>", escape(&error.to_string())),
    };
    let payable = matches!(
        order.status,
        PaymentStatus::Waiting | PaymentStatus::Declined
    );
    let body = format!(
        "<div class=\"card\"><p>{product}: <b>{amount}</b><br>Order <code>{id}</code></p>\
         <p id=\"status\" class=\"{class}\">{status}</p></div>\
         <div id=\"pay\" class=\"card\"{hidden}><p>Scan with ZaloPay, or open the wallet page:</p>\
         <div class=\"qr\">{qr}</div>\
         <p><a id=\"order-link\" href=\"{url}\">Open ZaloPay (emulator wallet)</a></p></div>\
         {refund}{ORDER_SCRIPT}",
        product = escape(&order.product),
        amount = vnd(order.amount),
        id = escape(&order.app_trans_id),
        class = serde_json::to_value(order.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        status = escape(&status_text(order)),
        hidden = if payable { "" } else { " hidden" },
        url = escape(&order.order_url),
        refund = if order.status == PaymentStatus::Paid {
            format!(
                "<form method=\"post\" action=\"/order/{}/refund\">\
                 <button type=\"submit\">Refund</button></form>",
                escape(&order.app_trans_id)
            )
        } else {
            String::new()
        },
    );
    page(StatusCode::OK, "Your order", &body)
}

/// `/refund/{m_refund_id}`: where a refund stands.
pub(super) fn refund_page(refund: &TrackedRefund) -> Response {
    let amount = vnd(refund.amount);
    let text = match refund.state {
        RefundState::Requested | RefundState::Processing => {
            format!("Refund of {amount} requested: ZaloPay is processing it")
        }
        RefundState::Refunded => format!("Refunded: {amount}"),
        RefundState::Failed => match refund.sub_return_code {
            Some(code) => format!("The refund failed (sub_return_code {code})"),
            None => "The refund failed".to_owned(),
        },
        RefundState::Unresolved => {
            format!("Refund of {amount} unresolved: money may have moved; the shop reconciles it")
        }
        // A state added later: named as stored, never read as done or failed.
        other => format!("Refund of {amount}: {other:?}"),
    };
    let body = format!(
        "<div class=\"card\"><p>Refund <code>{id}</code> of transaction {zp}</p>\
         <p id=\"status\">{text}</p></div>",
        id = escape(&refund.m_refund_id),
        zp = refund.zp_trans_id,
        text = escape(&text),
    );
    page(StatusCode::OK, "Refund", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_is_inline_svg() {
        let svg = qr_svg("http://127.0.0.1:1/pay?order=x").unwrap();
        assert!(svg.starts_with("<svg"));
    }
}
