#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/<target>/ from the documented shapes.

Sources: ../shared/zalopay/api-facts.md (beside the project) §8 (callback body), §10.7 (agreement callback),
§9 (redirect query), §19.4 (sample responses) and the decode fixtures of
zalopay-api/tests/operations_decode.rs. MACs are made with the public demo key2 of app 2553
(§19.1), so the raw-mode seeds pass the MAC check and reach the data parser.

Each callback/redirect seed starts with the mode byte the target reads first
(0x00 raw body, 0x80-0xBF signed text, 0xC0-0xFF structured); decode_responses seeds are
bare bodies. Run from the repository root or fuzz/: `python3 fuzz/seeds.py`.
"""
import hashlib
import hmac
import json
import os
import urllib.parse

KEY2 = b"kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz"
HERE = os.path.dirname(os.path.abspath(__file__))


def mac(text):
    return hmac.new(KEY2, text.encode(), hashlib.sha256).hexdigest()


def write(target, name, data):
    path = os.path.join(HERE, "corpus", target)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "seed-" + name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# §8: a payment callback's data, with the documented field types.
payment = json.dumps({
    "app_id": 2553,
    "app_trans_id": "240101_123456",
    "app_time": 1704067200000,
    "app_user": "user123",
    "amount": 50000,
    "embed_data": json.dumps({"redirecturl": "https://example.com/result"}),
    "item": "[]",
    "zp_trans_id": 240101000000123,
    "server_time": 1704067260000,
    "channel": 38,
    "merchant_user_id": "rSVW4XKDsdZqo3pV6uFeG6h6U2oVdX0Zi7ZOsjjpcMo",
    "user_fee_amount": 0,
    "discount_amount": 0,
}, separators=(",", ":"))
# §10.7: an agreement callback (status and pay_token seen in the official sample).
agreement = json.dumps({
    "status": 1,
    "pay_token": "NJLHNTRLZDETZGQYZI0ZNTBKLTGWZJKTMTKXYJHLMWI5NTFI",
    "app_id": 2553,
    "binding_id": "230407qQe7vGnqp0agyforLAy0D2b1x3",
    "app_trans_id": "230407_13221300383",
    "server_time": 1680850000,
}, separators=(",", ":"))


def body(data, kind, good=True):
    m = mac(data) if good else "0" * 64
    return json.dumps({"data": data, "mac": m, "type": kind})


write("callback", "raw-payment", b"\x00" + body(payment, 1).encode())
write("callback", "raw-payment-v1-no-type", b"\x00" + json.dumps({"data": payment, "mac": mac(payment)}).encode())
write("callback", "raw-agreement", b"\x00" + body(agreement, 2).encode())
write("callback", "raw-bad-mac", b"\x00" + body(payment, 1, good=False).encode())
write("callback", "raw-zod", b"\x00" + body(json.dumps({"mcRefId": "ORDER_001", "amount": 430000}), 1).encode())
# mode byte % 3 is the type: 0x82 -> 1 (payment), 0x80 -> 2 (agreement).
write("callback", "signed-payment", b"\x82" + payment.encode())
write("callback", "signed-agreement", b"\x80" + agreement.encode())
write("callback", "structured", b"\xc0" + bytes(range(256)))

# §9: the redirect query as the gateway sends it (empty bankcode stays empty).
def redirect(values):
    names = ["appid", "apptransid", "pmcid", "bankcode", "amount", "discountamount", "status"]
    checksum = mac("|".join(values))
    return urllib.parse.urlencode(list(zip(names, values)) + [("checksum", checksum)])


write("redirect", "raw-success", b"\x00?" + redirect(["2553", "240101_123456", "38", "", "50000", "0", "1"]).encode())
write("redirect", "raw-atm", b"\x00" + redirect(["2553", "240101_123457", "39", "VCB", "50000", "1000", "1"]).encode())
write("redirect", "raw-failed-empty-pmcid", b"\x00" + redirect(["2553", "240101_123458", "", "", "50000", "0", "-49"]).encode())
write("redirect", "typed", b"\x80" + bytes(range(128)))
write("redirect", "raw-values", b"\xc0" + bytes(range(255, 0, -1)))

# §19.4 and operations_decode.rs fixtures.
responses = {
    "create": '{"return_code":1,"return_message":"Transaction successful.","sub_return_code":1,"sub_return_message":"Transaction successful.","zp_trans_token":"ACdrmzS_TGxHZyafUiHs3OjQ","order_url":"https://qcgateway.zalopay.vn/openinapp?order=eyJ6cHRyYW5zdG9rZW4iOiJBQ2RybXpTX1RHeEhaeWFmVWlIczNPalEiLCJhcHBpZCI6MTU4NDd9"}',
    "create-rejected": '{"return_code":2,"return_message":"Giao dich that bai","sub_return_code":-401,"sub_return_message":"Du lieu yeu cau khong hop le"}',
    "query": '{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","amount":5000,"is_processing":false,"zp_trans_id":230512000007041}',
    "refund": '{"return_code":3,"return_message":"Processing","sub_return_code":3,"sub_return_message":"Refund is processing","refund_id":123456789}',
    "query-refund": '{"return_code":2,"return_message":"","sub_return_code":-13,"sub_return_message":"REFUND_EXPIRE_TIME"}',
    "banks": '{"returncode":1,"returnmessage":"","banks":{"38":[{"bankcode":"zalopayapp","name":"V\u00ed ZaloPay","displayorder":0,"pmcid":38,"minamount":1000,"maxamount":50000000}],"39":[{"bankcode":"VCB","name":"Vietcombank","displayorder":2,"pmcid":39,"minamount":10000,"maxamount":100000000}]}}',
    "agreement-bind": '{"return_code":1,"return_message":"Giao d\u1ecbch th\u00e0nh c\u00f4ng","sub_return_code":1,"sub_return_message":"","binding_token":"230407qQe7vGnqp0agyforLAy0D2b1x3","binding_qr_link":"https://qcgateway.zalopay.vn/openinapp?b=x","deep_link":"zalopay://launch/app/730?view=authorize&b=x","short_link":"https://zlpqc.page.link/x"}',
    "agreement-query": '{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","data":{"app_id":2554,"app_trans_id":"230407_13221300383","binding_id":"230407qQe7vGnqp0agyforLAy0D2b1x3","pay_token":"NJLHNTRLZDETZGQYZI0ZNTBKLTGWZJKTMTKXYJHLMWI5NTFI","server_time":1680850000,"merchant_user_id":"ZLP User","status":1,"msg_type":1,"zp_user_id":"u1","masked_user_phone":"****6938","expiry_timestamp_in_ms":1712472000000}}',
    "agreement-balance": '{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","data":[{"channel":38,"payable":true,"bank_code":"zp_app"}],"discount_amount":0}',
    "agreement-pay-processing": '{"return_code":3,"return_message":"Giao d\u1ecbch \u0111ang \u0111\u01b0\u1ee3c x\u1eed l\u00fd","sub_return_code":3,"sub_return_message":"","app_trans_id":"230407_13583500399","zp_trans_id":230407000006575}',
    "tokenization-query": '{"return_code":3,"return_message":"pending","sub_return_code":3,"sub_return_message":"","binding_token":"T1","order_no":12,"zp_trans_id":"230407000006575","status":3}',
    "hybrid-fallback": '{"return_code":2,"return_message":"","sub_return_code":-63,"sub_return_message":"balance not enough","solution_url":"https://qcgateway.zalopay.vn/pay?order=x"}',
    "disbursement-user-no-wallet": '{"return_code":2,"return_message":"","sub_return_code":-101,"sub_return_message":"no wallet","data":{"onboarding_url":"https://example.invalid/onboard"}}',
    "disbursement-txn": '{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","data":{"order_id":"230407000000123","status":3,"m_u_id":"m","phone":"0904123456","amount":1000,"description":"Topup","partner_fee":0,"zlp_fee":0,"extra_info":"{}","time":1680848533635}}',
    "disbursement-topup": '{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","data":{"order_id":230407000000123,"status":1,"amount":1000,"zp_trans_id":"230407000006575","result_url":"https://example.invalid/r"}}',
    # The All-in-One disbursement answers and the other operations without a seed above
    # (operations_decode.rs fixtures).
    "aio-query-txn": '{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","data":{"order_id":230407000000123,"status":1,"amount":1000,"zp_trans_id":"230407000006575"}}',
    "aio-verify-account": '{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","data":{"account_holder_name":"NGUYEN VAN A"}}',
    "aio-bank-codes": '{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","data":{"bank_list":[{"bank_code":"VCB","short_name":"Vietcombank"}]}}',
    "agreement-query-user": '{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","phone":"****1234"}',
    "tokenization-bind": '{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","binding_token":"T1","binding_url":"https://example.invalid/b"}',
    "disbursement-balance": '{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","data":{"balance":1000000}}',
    "disbursement-user": '{"return_code":1,"return_message":"","sub_return_code":1,"sub_return_message":"","data":{"reference_id":"R1","m_u_id":"m1","name":"NGUYEN VAN A","phone":"0904123456"}}',
    "zod-invoice": '{"orderUrl":"https://sbgateway.zalopay.vn/openinapp?order=x"}',
    "zod-status": '{"amount":"430000","status":1,"zpTransId":"0"}',
}
for name, text in responses.items():
    write("decode_responses", name, text)


# Captured traffic (specs/traffic/, see its README and manifest.json): each sample turned back
# into wire bytes the way zalopay-api/tests/common/traffic.rs does, so the fuzzers start from
# what the gateway really sent. Callbacks go in raw (the body as posted, with its published MAC
# where there is one, else signed with key2) and as signed text (mode 0x82: payment), so the
# data parser sees them past the MAC check; redirects as raw query strings; answers as bodies.
TRAFFIC = os.path.join(HERE, "..", "specs", "traffic")


def js_object_to_json(text):
    """A flat JavaScript object as Node prints it (`key: 'text',` lines, maybe behind //)."""
    obj = {}
    for line in text.splitlines():
        line = line.strip()
        line = line[2:].strip() if line.startswith("//") else line
        if ": " not in line:
            continue
        key, value = line.split(": ", 1)
        value = value.rstrip(",")
        obj[key] = value[1:-1] if value.startswith("'") else json.loads(value)
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


with open(os.path.join(TRAFFIC, "manifest.json"), encoding="utf-8") as f:
    samples = json.load(f)["samples"]
for s in samples:
    with open(os.path.join(TRAFFIC, s["file"]), encoding="utf-8") as f:
        text = f.read()
    form, name = s["form"], "traffic-" + s["id"]
    if form.startswith("callback"):
        if form == "callback-body":
            data, raw = json.loads(text)["data"], text
        else:
            data = json.loads('"' + text + '"') if form == "callback-data-js-string" else text
            published = s.get("mac")
            raw = json.dumps({"data": data, "mac": published or mac(data), "type": 1},
                             ensure_ascii=False)
        write("callback", name + "-raw", b"\x00" + raw.encode())
        write("callback", name + "-signed", b"\x82" + data.encode())
    elif form == "redirect-query":
        query = "".join(l[2:] if l.startswith("//") else l for l in text.splitlines())
        write("redirect", name, b"\x00" + query.encode())
    elif form == "response-json":
        write("decode_responses", name, text)
    elif form == "response-go-raw":
        write("decode_responses", name, "".join(text.split("`")[1::2]))
    elif form == "response-js-object":
        write("decode_responses", name, js_object_to_json(text))
    else:
        raise SystemExit(f"{s['id']}: unknown form {form}")
