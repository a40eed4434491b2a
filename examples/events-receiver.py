#!/usr/bin/env python3
"""A small callback receiver for trying the events locally: it checks each callback's Standard
Webhooks signature (HMAC-SHA256 over "{webhook-id}.{webhook-timestamp}.{body}") with the demo's
secret, prints the event, and answers 204. For production receivers use a maintained library
(npm standardwebhooks, svix) and deduplicate on the event id.

    python3 examples/events-receiver.py [port]       # default 9000, on 127.0.0.1
"""
import base64
import hashlib
import hmac
import http.server
import sys
import time

# application-demo.properties' events.signing-secret, without its whsec_ prefix
SECRET = base64.b64decode("bG9jYWwtZGVtby1ldmVudHMtc2lnbmluZy1rZXkh")


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        event_id = self.headers.get("webhook-id", "")
        timestamp = self.headers.get("webhook-timestamp", "0")
        signed = f"{event_id}.{timestamp}.".encode() + body
        expected = "v1," + base64.b64encode(hmac.new(SECRET, signed, hashlib.sha256).digest()).decode()
        offered = self.headers.get("webhook-signature", "").split(" ")
        fresh = abs(time.time() - int(timestamp)) <= 300
        genuine = fresh and any(hmac.compare_digest(expected, s) for s in offered)
        print(("verified " if genuine else "FORGED   ") + body.decode(errors="replace"), flush=True)
        self.send_response(204 if genuine else 401)
        self.end_headers()

    def log_message(self, *args):
        pass


port = int(sys.argv[1]) if len(sys.argv) > 1 else 9000
print(f"events receiver on http://127.0.0.1:{port}/events", flush=True)
http.server.HTTPServer(("127.0.0.1", port), Receiver).serve_forever()
