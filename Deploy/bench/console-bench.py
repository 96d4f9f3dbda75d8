"""Console page latency with 100,000 orders in intake (issue 27).

Against the running local stack (`Deploy/local/oms-stack.sh up`, then `demo --setup-only`):
  1. submits 20 web orders with known phones through intake's channel API and waits until intake
     has them;
  2. tops intake's orders up to TARGET rows by copying one of them (fresh order and channel order
     ids, unknown phone hashes, spread over 60 days, a mix of statuses and channels) together with
     its status timeline: the rows intake's searches read, in realistic number;
  3. signs a customer-service account in and times, page by page, what staff do most: search by
     phone, open an order (the console then asks intake, inventory, logistics and after-sales),
     list held web orders of the last 30 days; one client (latency) and 8 at once (throughput);
  4. prints the PostgreSQL plan of each intake query, so the indexes in use are on record.

Usage: console-bench.py [TARGET (100000)] [REQUESTS per page (300)]   (environment: oms-stack.sh env)
Seeded rows are kept (BENCH- ids): a second run only tops up.
"""
import concurrent.futures
import http.cookiejar
import json
import os
import random
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONSOLE = os.environ.get("OMS_CONSOLE_URL", "http://127.0.0.1:8080")
INTAKE = "http://127.0.0.1:8081"
DATABASE = os.environ["OMS_DATABASE_URL"]
TARGET = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
REQUESTS = int(sys.argv[2]) if len(sys.argv) > 2 else 300
RUN = "%06d" % random.randrange(1_000_000)


def psql(sql):
    return subprocess.run(["psql", DATABASE, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True, check=True).stdout.strip()


def tokens():
    out = {}
    for entry in os.environ["OMS_API_TOKENS"].split(","):
        head, token = entry.split("=", 1)
        out[head.split(":", 1)[1]] = token
    return out


def api(method, url, body=None, token=None):
    request = urllib.request.Request(url, data=json.dumps(body).encode() if body is not None else None, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


def submit_orders():
    with open(os.path.join(REPO, "docs", "intake", "examples", "web.json")) as f:
        example = json.load(f)
    phones, ids = [], []
    for n in range(20):
        phone = "138%08d" % random.randrange(100_000_000)
        payload = json.loads(json.dumps(example))
        payload["orderNumber"] = "CB-%s-%02d" % (RUN, n)
        payload["customer"]["phone"] = phone
        payload["customer"]["accountId"] = "cb-" + phone
        payload["deviceId"] = "cb-" + phone
        payload["shippingAddress"]["street"] += " %s 室" % phone[-4:]
        ids.append(api("POST", INTAKE + "/v1/channels/web/orders", payload, tokens()["channel/web"])["orderId"])
        phones.append(phone)
    deadline = time.time() + 120
    while time.time() < deadline:
        known = int(psql("SELECT count(*) FROM intake.orders WHERE order_id IN (%s)" % ",".join("'%s'" % i for i in ids)))
        if known == len(ids):
            return phones, ids
        time.sleep(1)
    sys.exit("console-bench: intake did not record the 20 orders")


def top_up(template):
    have = int(psql("SELECT count(*) FROM intake.orders"))
    missing = TARGET - have
    if missing <= 0:
        return have
    start = int(psql("SELECT coalesce(max(substring(order_id FROM 7)::int), 0) FROM intake.orders WHERE order_id LIKE 'BENCH-%'")) + 1
    print(f"console-bench: copying order {template} {missing} times (intake has {have})", flush=True)
    began = time.time()
    psql(f"""
        INSERT INTO intake.orders (order_id, channel, channel_order_id, status, status_rank, customer_key, phone_hash, total_fen, body,
                                   applied_promotions, reasons, details, received_at, updated_at)
        SELECT 'BENCH-' || g, (ARRAY['web','web','web','marketplace','miniprogram','pos','phone'])[1 + g % 7], 'BENCH-CO-' || g,
               (ARRAY['delivered','delivered','delivered','shipped','shipped','held','backordered','cancelled'])[1 + g % 8], o.status_rank,
               'bench-' || (g % 20000), md5('bench' || g), o.total_fen, o.body, o.applied_promotions, o.reasons, o.details,
               now() - make_interval(secs => (g % 5184000)::int), now()
        FROM intake.orders o, generate_series({start}, {start + missing - 1}) g WHERE o.order_id = '{template}';
        INSERT INTO intake.order_timeline (order_id, event_type, status, status_changed, occurred_at, detail, event_id)
        SELECT 'BENCH-' || g, t.event_type, t.status, t.status_changed, t.occurred_at, t.detail, gen_random_uuid()
        FROM intake.order_timeline t, generate_series({start}, {start + missing - 1}) g WHERE t.order_id = '{template}';
        ANALYZE intake.orders; ANALYZE intake.order_timeline;
    """)
    print(f"console-bench: seeded in {time.time() - began:.0f} s", flush=True)
    return int(psql("SELECT count(*) FROM intake.orders"))


class Session:
    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def get(self, path):
        try:
            with self.opener.open(CONSOLE + path, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(self, path, form):
        data = urllib.parse.urlencode(form).encode()
        try:
            with self.opener.open(urllib.request.Request(CONSOLE + path, data=data, method="POST"), timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def hidden(name, html):
    marker = 'name="%s" value="' % name
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]


def signed_in():
    name = "bench-cs-" + RUN
    one_time = api("POST", CONSOLE + "/v1/console/staff", {"name": name, "displayName": name, "role": "customer-service"}, tokens()["ops"])["oneTimePassword"]
    session = Session()
    _, page = session.get("/login")
    session.post("/login", {"_signin": hidden("_signin", page), "account": name, "password": one_time})
    _, page = session.get("/password")
    password = "Bench-Tea-%s-x" % RUN
    session.post("/password", {"_csrf": hidden("_csrf", page), "current": one_time, "new": password, "repeat": password})
    status, _ = session.get("/")
    assert status == 200, "sign-in failed"
    return session


def measure(session, label, paths, clients):
    def one(path):
        started = time.perf_counter()
        status, _ = session.get(path)
        assert status == 200, f"{path} answered {status}"
        return (time.perf_counter() - started) * 1000

    began = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        latencies = sorted(pool.map(one, paths))
    elapsed = time.perf_counter() - began
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
    print(f"  {label:<34} clients {clients}  {len(paths):>4} pages  {len(paths) / elapsed:7.1f} pages/s  "
          f"p50 {p(0.50):6.1f} ms  p99 {p(0.99):6.1f} ms  max {latencies[-1]:6.1f} ms", flush=True)


def main():
    phones, ids = submit_orders()
    total = top_up(ids[0])
    print(f"console-bench: intake holds {total} orders", flush=True)
    session = signed_in()
    seeded = [r for r in psql("SELECT order_id FROM intake.orders WHERE order_id LIKE 'BENCH-%' ORDER BY random() LIMIT 500").split("\n") if r]
    pages = {
        "search by phone": lambda: "/orders?q=" + random.choice(phones),
        "order page (5 services)": lambda: "/orders/" + random.choice(seeded + ids),
        "held web orders, last 30 days": lambda: "/orders?status=held&channel=web",
    }
    for label, make in pages.items():
        for _ in range(10):
            session.get(make())   # warm up
        for clients in (1, 8):
            measure(session, label, [make() for _ in range(REQUESTS)], clients)
    print("\nPlans (EXPLAIN ANALYZE of the queries intake runs for these pages):")
    phone_hash = psql(f"SELECT phone_hash FROM intake.orders WHERE order_id = '{ids[0]}'")
    for label, sql in [
        ("by phone", f"SELECT order_id, channel, channel_order_id, status, total_fen, received_at FROM intake.orders WHERE phone_hash = '{phone_hash}' ORDER BY received_at DESC LIMIT 50"),
        ("one order", f"SELECT channel, status, body FROM intake.orders WHERE order_id = '{seeded[0]}'"),
        ("its timeline", f"SELECT event_type, status FROM intake.order_timeline WHERE order_id = '{seeded[0]}' ORDER BY occurred_at, id"),
        ("held web, 30 days", "SELECT order_id FROM intake.orders WHERE channel = 'web' AND status = 'held' AND received_at >= now() - interval '30 days' "
                              "AND received_at < now() ORDER BY received_at DESC LIMIT 50"),
    ]:
        plan = psql("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) " + sql)
        print(f"  -- {label}")
        for line in plan.split("\n"):
            print("     " + line)


if __name__ == "__main__":
    main()
