#!/usr/bin/env python3
"""A webhook receiver for the demo, and the reference for receivers (docs/integrations.md).

Listens on 127.0.0.1:PORT, verifies every delivery the way a receiver must:
  1. the OMS-Webhook-Timestamp header is within 5 minutes of now (refuses replays),
  2. OMS-Webhook-Signature holds v1=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>,
     compared in constant time,
  3. OMS-Webhook-Id has not been processed before (at-least-once: duplicates are normal),
then prints one line per event. Answers 2xx only after it has kept the event; 401 on a bad
signature. Usage: webhook-receiver.py PORT SECRET_FILE [LOG_FILE]
"""
import hashlib
import hmac
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
SECRET_FILE = sys.argv[2]
LOG = open(sys.argv[3], "a", buffering=1) if len(sys.argv) > 3 else sys.stdout
TOLERANCE_SECONDS = 300
seen = set()


def verify(secret: bytes, timestamp: str, signature: str, body: bytes) -> bool:
    try:
        if abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
            return False
    except ValueError:
        return False
    expected = "v1=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, part.strip()) for part in signature.split(","))


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with open(SECRET_FILE) as f:
            secret = f.read().strip().encode()
        if not verify(secret, self.headers.get("OMS-Webhook-Timestamp", ""), self.headers.get("OMS-Webhook-Signature", ""), body):
            self.send_response(401)
            self.end_headers()
            return
        event_id = self.headers.get("OMS-Webhook-Id", "")
        if event_id not in seen:
            seen.add(event_id)
            event = json.loads(body)
            LOG.write(f"{event['occurredAt']}  {event['orderId']:<28} {event['type']:<28} attempt {self.headers.get('OMS-Webhook-Attempt')}\n")
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", PORT), Receiver).serve_forever()
