#!/usr/bin/env python3
"""A local Aliyun SMS endpoint (dysmsapi `SendSms`, version 2017-05-25) for the demo.

Listens on 127.0.0.1:PORT and answers POST / as Aliyun does: the request's Signature is checked
as Aliyun documents it (HMAC-SHA1 with key `AccessKeySecret&` over
`POST&%2F&` + percent-encoded canonical query of every other parameter sorted by name, RFC 3986
encoding) and a bad one is refused with SignatureDoesNotMatch; a repeated SignatureNonce with
SignatureNonceUsed; a number that is not a mainland mobile with isv.MOBILE_NUMBER_ILLEGAL. An
accepted message is answered {"Code":"OK","BizId":...} and printed as one line (the number
masked, the template code and its variables) — the customer's phone, as far as the demo goes.
Usage: sms-endpoint.py PORT SECRET_FILE [LOG_FILE]
"""
import base64, hashlib, hmac, json, re, sys, time, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote

PORT = int(sys.argv[1])
SECRET_FILE = sys.argv[2]
LOG = open(sys.argv[3], "a", buffering=1) if len(sys.argv) > 3 else sys.stdout
NONCES = set()


def encode(text):
    return quote(text, safe="-_.~")


def signature(params, secret):
    canonical = "&".join(encode(k) + "=" + encode(v) for k, v in sorted(params.items()) if k != "Signature")
    to_sign = "POST&" + encode("/") + "&" + encode(canonical)
    return base64.b64encode(hmac.new((secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()).decode()


class Endpoint(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.answer(200, {"ok": True})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        params = dict(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
        request_id = str(uuid.uuid4()).upper()
        secret = open(SECRET_FILE).read().strip()
        if params.get("Action") != "SendSms" or params.get("Version") != "2017-05-25":
            return self.answer(404, {"Code": "InvalidAction.NotFound", "Message": "Specified api is not found", "RequestId": request_id})
        if not hmac.compare_digest(params.get("Signature", ""), signature(params, secret)):
            return self.answer(400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched with our calculation.", "RequestId": request_id})
        if params.get("SignatureNonce") in NONCES:
            return self.answer(400, {"Code": "SignatureNonceUsed", "Message": "Specified signature nonce was used already.", "RequestId": request_id})
        NONCES.add(params.get("SignatureNonce"))
        phone = params.get("PhoneNumbers", "")
        if not re.fullmatch(r"1[3-9]\d{9}", phone):
            return self.answer(200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "Illegal mobile number", "RequestId": request_id})
        try:
            variables = json.loads(params.get("TemplateParam", "{}"))
        except ValueError:
            return self.answer(200, {"Code": "isv.INVALID_JSON_PARAM", "Message": "JSON parameter is invalid", "RequestId": request_id})
        biz = f"{int(time.time() * 1000)}^{uuid.uuid4().hex[:10]}"
        LOG.write(f"SMS to {phone[:3]}****{phone[-4:]} 【{params.get('SignName')}】{params.get('TemplateCode')} "
                  f"{json.dumps(variables, ensure_ascii=False, sort_keys=True)}\n")
        self.answer(200, {"Code": "OK", "Message": "OK", "BizId": biz, "RequestId": request_id})


ThreadingHTTPServer(("127.0.0.1", PORT), Endpoint).serve_forever()
