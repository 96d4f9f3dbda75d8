#!/usr/bin/env python3
"""A local marketplace gateway for the demo: Taobao's TOP router and JD's JOS router in one.

Listens on 127.0.0.1:PORT and answers what the integrations service sends a marketplace:
  POST /router/rest   TOP (taobao.logistics.offline.send, taobao.logistics.consign.resend,
                      taobao.item.quantity.update)
  POST /routerjson    JOS (jingdong.pop.order.shipment, jingdong.stock.write.updateSkuStock)
Every request's signature is checked the way the platforms document it: MD5 over
secret + every parameter but `sign` sorted by name as name+value + secret, uppercase hex; a bad
one is refused with the platform's error (TOP code 25, JOS code 19). Each accepted call is
printed as one line. Usage: marketplace-endpoint.py PORT SECRET_FILE [LOG_FILE]
"""
import hashlib
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

PORT = int(sys.argv[1])
SECRET_FILE = sys.argv[2]
LOG = open(sys.argv[3], "a", buffering=1) if len(sys.argv) > 3 else sys.stdout


def sign(params: dict, secret: str) -> str:
    text = secret + "".join(k + v for k, v in sorted(params.items()) if k != "sign") + secret
    return hashlib.md5(text.encode()).hexdigest().upper()


class Gateway(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        params = dict(parse_qsl(body, keep_blank_values=True))
        with open(SECRET_FILE) as f:
            secret = f.read().strip()
        valid = params.get("sign") == sign(params, secret)
        method = params.get("method", "")
        if self.path.startswith("/routerjson"):
            own = json.loads(params.get("360buy_param_json", "{}"))
            stem = method.replace(".", "_") + "_responce"
            if not valid:
                answer = {"error_response": {"code": "19", "zh_desc": "签名错误", "en_desc": "Invalid signature"}}
            elif method == "jingdong.pop.order.shipment":
                answer = {stem: {"code": "0", "sopjosshipment_result": {"success": True, "errorCode": "", "chineseErrCode": "成功"}}}
            else:
                answer = {stem: {"code": "0", "success": True}}
        else:
            own = {k: v for k, v in params.items() if k not in ("method", "app_key", "session", "timestamp", "format", "v", "sign_method", "sign")}
            stem = method.replace("taobao.", "").replace(".", "_") + "_response"
            if not valid:
                answer = {"error_response": {"code": 25, "msg": "Invalid signature"}}
            elif method == "taobao.item.quantity.update":
                answer = {stem: {"item": {"num_iid": own.get("num_iid"), "num": own.get("quantity")}}}
            else:
                answer = {stem: {"shipping": {"is_success": True}}}
        verdict = "signature ok" if valid else "SIGNATURE REFUSED"
        LOG.write(f"{time.strftime('%H:%M:%S')}  {method:<34} {' '.join(f'{k}={v}' for k, v in sorted(own.items()))}  ({verdict})\n")
        data = json.dumps(answer, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", PORT), Gateway).serve_forever()
