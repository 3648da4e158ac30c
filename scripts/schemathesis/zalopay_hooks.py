"""Schemathesis hooks: sign every generated request the way the spec says, so cases reach the
emulator's business logic instead of stopping at the MAC check.

Each operation's `x-zalopay.mac` annotation in specs/zalopay.openapi.json gives the MAC input
(field order, `@key` for the key itself, `name?` for a field left out when absent, `name!` for a
signed value that is not sent), the key and the parameter that carries the signature. The hook
fills the app id and the time field (when the generated value is a well-typed one, so a
negative case keeps the value it negated), computes the MAC over the values as they go on the
wire, and puts it in the signature parameter. Quick pay's payment code is encrypted with the
emulator's ZaloPay public key, and the top-up's `sig` is signed with the published test RSA key,
as the SDK does.

ZaloPay refuses a malformed request in the body (HTTP 200, `return_code` 2 with a request-level
`sub_return_code`), not with an HTTP status. `after_call` shows the checks such a refusal as the
HTTP 400 it stands for, so `negative_data_rejection` and `positive_data_acceptance` judge what
the gateway meant; every other answer keeps its status.
"""

import base64
import hashlib
import hmac
import json
import os
import re
import time

import schemathesis
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

SPEC = os.environ.get("ZALOPAY_SPEC", "specs/zalopay.openapi.json")

# The emulator's demo apps (zalopay_emulator::App::sandbox_demo_apps; public sandbox keys).
APPS = {
    2553: "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
    15555: "2uFWRt7qFGdUNjwBQb4DtEia3QOHJmoO",
}
# zalopay_emulator::TEST_RSA_PRIVATE_KEY (PKCS#8, published test key; its public half is both
# the disbursement app's key and the emulator's ZaloPay key).
TEST_RSA_PRIVATE_KEY = (
    "MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAuhr9fssauZOaef4HCEJ4OAJQ6g8yO8de5KwB1LM/fIlRZGsnD0VO"
    "+YBGrdttnKsieErQPujmyV7Tnw19yLVGGwIDAQABAkEAgpPzbyZUrwbIqXW6O2pf7XR6j29wII9nnmytsC7AicCd2uGAd+yHKEOQ"
    "GEHBN+rm/IZ8F5WWT2OpnOTY3DZTgQIhAPyzS24ahh0ogYuDy4VXsiLscEAngrAvZA5qpWWPFV9BAiEAvIkWcJzM9kaJ2YjoNcGv"
    "O3ydDsepNeC79dfIA7tL6lsCIELaRChayARKxQrd0SfzrWLj3kZ6rW5i+zt9J0iY8/SBAiEAsw53c2hX+KWxkhpGf5d9dz+4YisZ"
    "94OCv8+5tGGTjfUCIEs9pi1DsVZBi0HNibXIpVBO4KERvHBJ92bAbPeplIb2"
)
PRIVATE_KEY = serialization.load_der_private_key(base64.b64decode(TEST_RSA_PRIVATE_KEY), None)

# What one PKCS#1 v1.5 block of the 512-bit test key holds (the SDK's PaymentCode limit); a
# longer generated code is sent as it is, and refused.
MAX_PAYMENT_CODE_BYTES = 53
APP_ID_FIELDS = ("app_id", "appId", "appid")
TIME_FIELDS = ("app_time", "timestamp", "req_date", "time", "reqtime")
# Refusals of the request itself (codes.rs: invalid data, unknown app or MAC, signature,
# client; the m_refund_id's format, date and app id parts); the list-banks API's own codes for
# the same.
REQUEST_LEVEL = {-401, -402, -403, -405, -24, -25, -26}
# Answers that carry nothing out but are business answers to valid data (an amount above what
# was paid, an id used before): a refusal for a negative case, an answer for a positive one.
NOT_CARRIED_OUT = {-14, -68, -23}
BANKS_REQUEST_LEVEL = {-1, -2}


def _annotations():
    with open(SPEC, encoding="utf-8") as spec:
        document = json.load(spec)
    table = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "x-zalopay" in operation:
                table[(method.upper(), path)] = operation["x-zalopay"]
    return table


ANNOTATIONS = _annotations()


def _wire_text(value):
    """A value as the MAC sees it: the text sent (numbers in decimal, JSON values compact)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, str)):
        return str(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63


def _is_digits(value):
    """A well-typed value of a field the spec types as text holding a number (`appId`)."""
    return isinstance(value, str) and value.isascii() and value.isdigit()


def _app_for(path):
    return 15555 if path.startswith("/v2/disbursement/") else 2553


# Parameters whose value is JSON text of one kind (the spec's descriptions say so).
JSON_TEXT_FIELDS = {
    "item": "[]",
    "embed_data": "{}",
    "binding_data": "{}",
    "payment_data": "{}",
}


def _json_of_kind(text, empty):
    try:
        value = json.loads(text)
    except ValueError:
        return False
    return isinstance(value, list) if empty == "[]" else isinstance(value, dict)


def _integral_floats_as_ints(value):
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if isinstance(value, list):
        return [_integral_floats_as_ints(v) for v in value]
    if isinstance(value, dict):
        return {k: _integral_floats_as_ints(v) for k, v in value.items()}
    return value


def _is_positive(case):
    meta = getattr(case, "meta", None)
    generation = getattr(meta, "generation", None)
    mode = getattr(generation, "mode", None)
    return bool(mode is not None and mode.is_positive)


def _params(case):
    """The dict the case sends its parameters in (body or query), or None."""
    if isinstance(case.body, dict):
        return case.body
    if isinstance(case.query, dict):
        return case.query
    return None


@schemathesis.hook
def before_call(context, case, **kwargs):
    annotation = ANNOTATIONS.get((case.method.upper(), case.path))
    params = _params(case)
    if annotation is None or params is None:
        return
    mac = annotation["mac"]
    # JSON Schema counts 354.0 as the integer 354; an encoder of an integer writes 354.
    # (Whether the gateway reads 354.0 as 354 is unknown; the emulator refuses it.) Nested
    # values too: ZOD's `orderInfo` items carry amounts.
    for name, value in list(params.items()):
        params[name] = _integral_floats_as_ints(value)
    app_id = _app_for(case.path)
    key = APPS[app_id]
    for name in APP_ID_FIELDS:
        if name in params and _is_int(params[name]):
            params[name] = app_id
        elif name in params and _is_digits(params[name]):
            params[name] = str(app_id)
    now = int(time.time() * 1000)
    for name in TIME_FIELDS:
        if name in params and _is_int(params[name]):
            params[name] = now
        elif name in params and _is_digits(params[name]):
            params[name] = str(now)
    # The date a new merchant id must start with (Vietnam time), which no schema can say.
    today = time.strftime("%y%m%d", time.gmtime(time.time() + 7 * 3600))
    if isinstance(params.get("app_trans_id"), str) and re.match(r"^[0-9]{6}_", params["app_trans_id"]):
        params["app_trans_id"] = today + params["app_trans_id"][6:]
    refund_id = params.get("m_refund_id")
    if case.path == "/v2/refund" and isinstance(refund_id, str):
        match = re.match(r"^[0-9]{6}_[0-9]+_(.+)$", refund_id)
        if match:
            params["m_refund_id"] = f"{today}_{app_id}_{match.group(1)}"
    # JSON text the schema can only call a string (`item` is "[]"-like, `embed_data`
    # "{}"-like): a case sends valid JSON of that kind. A non-empty string is never what a
    # negative case negated (the schema allows any), so this holds for every case; an empty
    # one may be a negated `minLength` and is left alone there.
    for name, empty in JSON_TEXT_FIELDS.items():
        value = params.get(name)
        if (
            isinstance(value, str)
            and (value or _is_positive(case))
            and not _json_of_kind(value, empty)
        ):
            params[name] = empty
    unsent = {}
    if _is_positive(case) and isinstance(params.get("payment_code"), str):
        # A valid case's code fits one RSA block, as the SDK's PaymentCode requires.
        code = params["payment_code"]
        while len(code.encode()) > MAX_PAYMENT_CODE_BYTES:
            code = code[:-1]
        params["payment_code"] = code or "0"
    if (
        "payment_code" in params
        and isinstance(params["payment_code"], str)
        and len(params["payment_code"].encode()) <= MAX_PAYMENT_CODE_BYTES
    ):
        # Quick pay: the MAC covers the raw code, the wire carries it encrypted.
        raw = params["payment_code"]
        unsent["payment_code_raw"] = raw
        public = PRIVATE_KEY.public_key()
        params["payment_code"] = base64.b64encode(
            public.encrypt(raw.encode(), padding.PKCS1v15())
        ).decode()
    parts = []
    for field in mac["fields"]:
        if field == "@key":
            parts.append(key)
        elif field.endswith("?"):
            if field[:-1] in params:
                parts.append(_wire_text(params[field[:-1]]))
        elif field.endswith("!"):
            parts.append(_wire_text(unsent.get(field[:-1])))
        else:
            parts.append(_wire_text(params.get(field)))
    digest = hmac.new(key.encode(), "|".join(parts).encode(), hashlib.sha256).hexdigest()
    if mac["scheme"] == "hmac_then_rsa_sha256":
        signature = base64.b64encode(
            PRIVATE_KEY.sign(digest.encode(), padding.PKCS1v15(), hashes.SHA256())
        ).decode()
    else:
        signature = digest
    params[mac["param"]] = signature


@schemathesis.hook
def after_call(context, case, response):
    try:
        body = json.loads(response.content)
    except ValueError:
        return
    if not isinstance(body, dict):
        return
    if case.path == "/api/getlistmerchantbanks":
        refused = (
            body.get("returncode") in BANKS_REQUEST_LEVEL
            or body.get("subreturncode") in REQUEST_LEVEL
        )
    else:
        refusals = REQUEST_LEVEL if _is_positive(case) else REQUEST_LEVEL | NOT_CARRIED_OUT
        refused = body.get("return_code") == 2 and body.get("sub_return_code") in refusals
    if response.status_code == 200 and refused:
        response.status_code = 400


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """Keeps every failure but one kind (specs/decisions.md D-130): a negative case whose only
    fault is a text field carried as another JSON type (number, boolean, array, object) or an
    optional text field sent as `null`. The emulator reads the first as its JSON text and the
    second as absent, by design, and a form body carries nothing but text anyway; whether the
    gateway refuses them is unconfirmed. Every other negative case still has to be refused."""
    if getattr(failure, "code", "") != "ST201":
        return True
    return not _only_text_fields_retyped(case)


def _only_text_fields_retyped(case):
    """Whether some text-typed property carries another JSON type, or an optional one `null`,
    at the top level or inside objects and arrays (ZOD's `orderInfo` items)."""
    params = _params(case)
    if params is None or case.media_type is None:
        return False
    content = case.operation.definition.raw.get("requestBody", {}).get("content", {})
    schema = content.get(case.media_type, {}).get("schema", {})
    return _retyped(schema, params)


def _retyped(schema, value):
    if schema.get("type") == "array" and isinstance(value, list):
        return any(_retyped(schema.get("items", {}), item) for item in value)
    if not isinstance(value, dict):
        return False
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    for name, field in value.items():
        prop = properties.get(name, {})
        if prop.get("type") == "string":
            if field is None and name not in required:
                return True
            if field is not None and not isinstance(field, str):
                return True
        elif _retyped(prop, field):
            return True
    return False
