"""Browser tests of the back-office console (issue 27), in a real headless Chromium driven by
Selenium, against the running local stack (`Deploy/local/oms-stack.sh up`).

Each test signs in as a staff member created for this run through the console's staff API (the
one-time password is replaced at first sign-in, as a person would), works through the pages and
checks what the services did. Orders are submitted for the run through intake's channel API from
the documented examples, with a fresh customer, so nothing depends on earlier runs. Screenshots of
every page go to OUT (default $OMS_STACK_DIR/logs/browser); `--docs` also copies them to
docs/console/.

Usage: console_browser_test.py [--docs]   (environment: `oms-stack.sh env`)
"""
import json
import os
import random
import shutil
import subprocess
import sys
import time
import traceback
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STATE = os.environ.get("OMS_STACK_DIR", os.path.join(REPO, ".oms"))
CONSOLE = os.environ.get("OMS_CONSOLE_URL", "http://127.0.0.1:8080")
INTAKE = os.environ.get("OMS_INTAKE_URL", "http://127.0.0.1:8081")
RISK = os.environ.get("OMS_RISK_URL", "http://127.0.0.1:8082")
INVENTORY = os.environ.get("OMS_INVENTORY_URL", "http://127.0.0.1:8083")
FULFILLMENT = os.environ.get("OMS_FULFILLMENT_URL", "http://127.0.0.1:8084")
OUT = os.environ.get("OMS_BROWSER_OUT", os.path.join(STATE, "logs", "browser"))
RUN = "%06d" % random.randrange(1_000_000)
NEW_PASSWORD = "Tea-Garden-%s-x" % RUN


def tokens():
    """name -> (role, token) from OMS_API_TOKENS."""
    out = {}
    for entry in os.environ["OMS_API_TOKENS"].replace("\n", ",").split(","):
        if "=" not in entry:
            continue
        head, token = entry.split("=", 1)
        name, role = head.split(":", 1)
        out[name] = (role, token)
    return out


def token_of(role):
    return next(token for (r, token) in tokens().values() if r == role)


def call(method, url, body=None, token=None, expect=(200, 201, 202)):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    if status not in expect:
        raise AssertionError("%s %s answered %s: %s" % (method, url, status, text[:300]))
    return json.loads(text) if text else {}


def staff_account(name, role):
    """A staff account for this run; answers its one-time password."""
    answer = call("POST", CONSOLE + "/v1/console/staff", {"name": name, "displayName": name, "role": role}, token=token_of("ops"))
    return answer["oneTimePassword"]


def submit(channel, phone, edit=None):
    """An order from a channel's documented example with a fresh customer; answers its order id."""
    with open(os.path.join(REPO, "docs", "intake", "examples", channel + ".json")) as f:
        payload = json.load(f)
    id_field = {"web": "orderNumber", "phone": "ticketId"}[channel]
    payload[id_field] = "%s-BT%s" % (payload[id_field], RUN + phone[-3:])
    customer = payload["customer"]
    customer["phone"] = phone
    if "accountId" in customer:
        customer["accountId"] = "bt-" + phone
    if "deviceId" in payload:
        payload["deviceId"] = "bt-" + phone
    address = payload.get("shippingAddress") or payload.get("address")
    address["street"] = address["street"] + " " + phone[-4:] + " 室"
    if edit:
        edit(payload)
    answer = call("POST", "%s/v1/channels/%s/orders" % (INTAKE, channel), payload, token=token_of_channel(channel))
    return answer["orderId"]


def token_of_channel(channel):
    return next(token for (role, token) in tokens().values() if role == "channel/" + channel)


def wait_for(what, predicate, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError("timed out waiting for " + what)


def order_status(order_id):
    return call("GET", "%s/v1/orders/%s" % (INTAKE, order_id), token=token_of("ops"), expect=(200, 404)).get("status")


class Browser:
    """One staff member's browser: a headless Chromium with its own cookies."""

    def __init__(self):
        options = Options()
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=zh-CN"):
            options.add_argument(argument)
        options.binary_location = os.environ.get("OMS_CHROMIUM", "/usr/bin/chromium")
        self.driver = webdriver.Chrome(service=Service(os.environ.get("OMS_CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
        self.driver.set_page_load_timeout(30)

    def open(self, path):
        self.driver.get(CONSOLE + path)

    def submit(self, css):
        """Clicks a submit button and waits for the next page."""
        old = self.find("html")
        self.find(css).click()
        self.wait_replaced(old)

    def wait_replaced(self, old):
        """Waits until `old` (the previous page's root) is gone. Chromium sometimes reports a node
        of the page being unloaded as "does not belong to the document" instead of stale (seen in
        CI): that is gone too. Any other driver error is raised."""
        def gone(_):
            try:
                old.is_enabled()
                return False
            except StaleElementReferenceException:
                return True
            except WebDriverException as error:
                if "does not belong to the document" in str(error):
                    return True
                raise
        WebDriverWait(self.driver, 30).until(gone)

    def enter(self, css, text):
        """Types into a field and presses Enter (what a barcode scanner does), waiting for the next page."""
        old = self.find("html")
        self.find(css).send_keys(text + Keys.ENTER)
        self.wait_replaced(old)

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def finds(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self):
        return self.find("body").text

    def shot(self, name):
        """The whole page (the window grows to its height first), as a PNG."""
        os.makedirs(OUT, exist_ok=True)
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(1280, max(800, min(int(height) + 40, 4000)))
        self.driver.save_screenshot(os.path.join(OUT, name + ".png"))
        self.driver.set_window_size(1280, 1000)

    def sign_in(self, account, password):
        self.open("/login")
        self.find("#account").clear()
        self.find("#account").send_keys(account)
        self.find("#password").send_keys(password)
        self.submit("#sign-in")

    def first_sign_in(self, account, one_time):
        """Signs in with the one-time password and replaces it, as the console demands."""
        self.sign_in(account, one_time)
        assert self.driver.current_url.endswith("/password"), "a one-time password leads to the password page, not " + self.driver.current_url
        self.find("#current").send_keys(one_time)
        self.find("#new-password").send_keys(NEW_PASSWORD)
        self.find("#repeat-password").send_keys(NEW_PASSWORD)
        self.submit("#change-password")
        assert self.driver.current_url.rstrip("/") == CONSOLE, "after the new password: home, not " + self.driver.current_url

    def cookie(self, name):
        return next((c for c in self.driver.get_cookies() if c["name"] == name), None)

    def quit(self):
        self.driver.quit()


def test_sign_in_wrong_password_and_sign_out():
    one_time = staff_account("bt-cs-" + RUN, "customer-service")
    browser = Browser()
    try:
        browser.open("/orders")
        assert "/login" in browser.driver.current_url, "a page without a session sends to sign-in"
        browser.sign_in("bt-cs-" + RUN, "wrong-password-1")
        assert "/login" in browser.driver.current_url
        assert "账号或密码错误" in browser.find("#problem").text
        browser.shot("01-sign-in-wrong-password")
        browser.first_sign_in("bt-cs-" + RUN, one_time)
        session = browser.cookie("oms_console_session")
        assert session and session["httpOnly"] and session.get("sameSite") == "Strict", "session cookie flags: %r" % session
        assert "客服" in browser.find("#signed-in-as").text
        browser.shot("02-home-customer-service")
        browser.submit("#sign-out")
        assert "您已退出" in browser.find("#notice").text
        browser.open("/orders")
        assert "/login" in browser.driver.current_url, "signed out: the old session is gone"
    finally:
        browser.quit()


def test_customer_service_finds_an_order_by_phone():
    phone = "139%08d" % random.randrange(100_000_000)
    order_id = submit("web", phone)
    wait_for("the web order to be shipped", lambda: order_status(order_id) in ("shipped", "inTransit", "delivered"), 90)
    one_time = staff_account("bt-cs2-" + RUN, "customer-service")
    browser = Browser()
    try:
        browser.first_sign_in("bt-cs2-" + RUN, one_time)
        browser.open("/orders")
        browser.enter("#q", phone)
        rows = browser.finds("#results tbody tr")
        assert any(order_id in row.text for row in rows), "the phone search lists the order"
        browser.shot("03-order-search-by-phone")
        browser.submit("#results a[href='/orders/%s']" % order_id)
        assert browser.find("#order-id").text == order_id
        timeline = browser.find("#timeline").text
        for event in ("order.received", "order.verified", "shipment.dispatched"):
            assert event in timeline, "the timeline shows " + event
        assert "¥" in browser.find("#order-total").text
        assert browser.finds("#section-parcels table"), "the parcels section lists the shipment"
        # A complaint whose text is markup is stored and shown as text, never run.
        browser.find("#complaint-description").send_keys("<script>document.title='pwned'</script> 包裹外箱破损")
        browser.submit("#record-complaint")
        assert "投诉已登记" in browser.find("#notice").text
        assert "<script>document.title='pwned'</script>" in browser.find("#section-aftersales").text
        assert browser.driver.title != "pwned"
        # A return the service refuses (nothing delivered yet, or no units) says why on the page.
        quantity = browser.find("#return-request-quantity")
        quantity.clear()
        quantity.send_keys("0")
        browser.submit("#open-return")
        assert browser.finds("#return-quantity-error") or browser.finds("#problem"), "the refusal is shown"
        assert browser.find("#order-id").text == order_id
        browser.find("#feedback-rating").send_keys("4")
        browser.submit("#record-feedback")
        assert "评价已记录" in browser.find("#notice").text
        assert browser.finds("#section-scans"), "the carrier scans section"
        browser.shot("04-order-page")
        browser.open("/orders?lang=en")
        assert "Orders" in browser.find("h1").text, "the English switch"
        browser.open("/orders?lang=zh")
    finally:
        browser.quit()


def test_reviewer_approves_a_held_order():
    phone = "139%08d" % random.randrange(100_000_000)

    def over_the_limit(payload):
        payload["lines"] = [{"sku": "ELE-PHONE-1", "quantity": 1}]

    order_id = submit("phone", phone, over_the_limit)
    wait_for("risk to hold the order", lambda: order_status(order_id) == "held", 60)
    one_time = staff_account("bt-risk-" + RUN, "risk")
    browser = Browser()
    try:
        browser.first_sign_in("bt-risk-" + RUN, one_time)
        browser.open("/review?rule=cod_over_limit")
        assert browser.finds("#queue a[href='/review/%s']" % order_id), "the held order is in the queue, filtered by its rule"
        browser.shot("05-review-queue")
        browser.submit("#queue a[href='/review/%s']" % order_id)
        assert phone not in browser.text(), "the full number is hidden until revealed"
        assert "cod_over_limit" in browser.find("#findings").text or browser.find("#findings").text.strip(), "findings are explained"
        browser.submit("#reveal")
        assert browser.find("#full-phone").text == phone
        browser.shot("06-review-order-revealed")
        browser.find("#approve-note").send_keys("电话确认本人下单")
        browser.submit("#approve")
        assert "已处理" in browser.find("#notice").text
        assert browser.find("#review-status").get_attribute("data-status") == "verified"
        wait_for("the approved order to move on", lambda: order_status(order_id) not in ("held", "received"), 60)
    finally:
        browser.quit()
    # Risk's audit trail names the reviewer for the reveal and the decision (the console's delegation).
    audit = call("GET", RISK + "/v1/audit?principal=bt-risk-" + RUN, token=token_of("ops"))
    paths = [entry["path"] for entry in audit.get("entries", audit if isinstance(audit, list) else [])]
    assert any(p.endswith("/reveal-phone") for p in paths) and any(p.endswith("/approve") for p in paths), "audited: %r" % paths


def test_a_role_sees_only_its_pages():
    one_time = staff_account("bt-wh-" + RUN, "warehouse")
    browser = Browser()
    try:
        browser.first_sign_in("bt-wh-" + RUN, one_time)
        links = [a.get_attribute("href") for a in browser.finds("header nav a")]
        assert not any(link.endswith("/review") or link.endswith("/ops") or link.endswith("/orders") for link in links), "warehouse nav: %r" % links
        browser.open("/review")
        assert "无权" in browser.find("#error-message").text
        browser.shot("07-forbidden")
    finally:
        browser.quit()


def test_ops_sees_every_service_ready():
    one_time = staff_account("bt-ops-" + RUN, "ops")
    browser = Browser()
    try:
        browser.first_sign_in("bt-ops-" + RUN, one_time)
        browser.open("/ops")
        rows = browser.finds("#readiness tbody tr")
        assert len(rows) == 8 and all("就绪" in row.text and "未就绪" not in row.text for row in rows), [row.text for row in rows]
        browser.shot("08-ops")
        browser.open("/staff")
        assert "bt-ops-" + RUN in browser.find("#accounts").text
        browser.shot("09-staff")
    finally:
        browser.quit()


def barcode_of(sku):
    item = call("GET", "%s/v1/fulfillment/items/%s" % (FULFILLMENT, sku), token=token_of("warehouse"))
    return item["barcodes"][0]


def test_warehouse_picks_a_manual_wave_packs_it_and_prints_the_waybill():
    # The local stack picks and packs automatically; for this order every warehouse works by hand
    # (scanners), then goes back to what it was.
    codes = [w["code"] for w in call("GET", INVENTORY + "/v1/inventory/warehouses", token=token_of("ops"))["warehouses"]]
    before = {code: call("GET", "%s/v1/fulfillment/warehouses/%s" % (FULFILLMENT, code), token=token_of("ops")) for code in codes}

    def put_mode(code, automatic):
        settings = before[code]
        call("PUT", "%s/v1/fulfillment/warehouses/%s" % (FULFILLMENT, code),
             {"automatic": automatic, "waveMaxOrders": settings["waveMaxOrders"], "waveWindowSeconds": settings["waveWindowSeconds"],
              "promotionCardMinimumFen": settings["promotionCardMinimumFen"], "cartons": settings["cartons"]}, token=token_of("ops"))

    phone = "139%08d" % random.randrange(100_000_000)
    try:
        for code in codes:
            put_mode(code, False)
        order_id = submit("web", phone)

        def fulfillment_orders():
            found = call("GET", "%s/v1/fulfillment/orders?orderId=%s" % (FULFILLMENT, order_id), token=token_of("warehouse"))["fulfillmentOrders"]
            return found if found and all(fo["status"] == "open" for fo in found) else None

        orders = wait_for("the order's fulfillment orders (manual)", fulfillment_orders, 60)
    finally:
        for code in codes:
            put_mode(code, before[code]["automatic"])
    fo = orders[0]
    warehouse = fo["warehouseId"]
    # While it waits for its wave, customer service corrects the delivery address (修正): a wrong
    # part is named next to the form, the corrected one shows on the order and labels the parcel.
    cs_password = staff_account("bt-cs3-" + RUN, "customer-service")
    desk = Browser()
    try:
        desk.first_sign_in("bt-cs3-" + RUN, cs_password)
        desk.open("/orders/" + order_id)
        desk.find("#amend-phone").send_keys("12345")
        desk.submit("#amend")
        assert desk.finds("#amend-phone-error"), "a wrong phone is refused next to the field"
        for field, value in (("#amend-name", "韩梅梅"), ("#amend-province", "北京市"), ("#amend-city", "北京市"), ("#amend-district", "朝阳区"),
                             ("#amend-street", "建国路 1 号 2 单元 301"), ("#amend-postal", "100020")):
            desk.find(field).send_keys(value)
        desk.submit("#amend")
        assert "收货信息已修改" in desk.find("#notice").text, desk.text()
        assert "北京市" in desk.find("#order-region").text
        assert "order.amended" in desk.find("#timeline").text
        desk.shot("10a-order-amended")
        # Cancelling more units of a line than it has is refused next to the quantity, and nothing changes.
        quantity = desk.find("#cancel-lines-quantity")
        quantity.clear()
        quantity.send_keys("99")
        desk.find("#cancel-lines-reason").send_keys("顾客少要")
        desk.driver.execute_script("window.confirm = function () { return true; };")  # the form asks first
        desk.submit("#cancel-lines")
        assert "at most" in desk.find("#cancel-lines-quantity-error").text, desk.text()
        assert not desk.finds("[id$='-cancelled']"), "no line shows cancelled units"
    finally:
        desk.quit()
    one_time = staff_account("bt-wh2-" + RUN, "warehouse")
    browser = Browser()
    try:
        browser.first_sign_in("bt-wh2-" + RUN, one_time)
        browser.open("/warehouse?code=" + warehouse)
        browser.submit("#release-wave")
        assert "/warehouse/waves/" in browser.driver.current_url, browser.driver.current_url
        browser.shot("10-wave-pick-list")
        # A wrong item is refused next to the scan field.
        browser.enter("#scan", "0000000000000")
        assert browser.find("#scan-error").text, "a wrong barcode is refused"
        for _ in range(60):
            fields = browser.finds("#scan")
            if not fields:
                break
            browser.enter("#scan", barcode_of(browser.find("#next-sku").text))
        assert not browser.finds("#scan"), "every task of the wave is picked"
        browser.open("/warehouse/pack/" + fo["fulfillmentOrderId"])
        assert browser.find("#pack").get_attribute("disabled"), "packing waits until every unit is scanned"
        for _ in range(60):
            fields = browser.finds("#pack-scan")
            if not fields:
                break
            rows = browser.finds("#pack-lines tbody tr")
            sku = next(r.find_elements(By.CSS_SELECTOR, "td")[1].text for r in rows if "✓" not in r.text)
            browser.enter("#pack-scan", barcode_of(sku))
        browser.shot("11-pack-station")
        browser.submit("#pack")
        assert "已打包" in browser.find("#notice").text

        def waybill_link():
            browser.driver.refresh()
            links = browser.finds(".waybill-link")
            return links[0].get_attribute("href") if links else None

        link = wait_for("the carrier's number", waybill_link, 60)
        browser.driver.get(link)
        tracking = browser.find("#tracking").text
        assert "北京市" in browser.find("#label-recipient").text, "the waybill carries the corrected address: " + browser.find("#label-recipient").text
        assert browser.driver.execute_script("return document.getElementById('barcode').naturalWidth") > 100, "the barcode image loads"
        browser.shot("12-waybill")
        # The barcode reads back as the tracking number (zbar, an independent Code 128 decoder).
        decoded = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Scode128.enable", os.path.join(OUT, "12-waybill.png")],
                                 capture_output=True, text=True).stdout.split()
        assert tracking in decoded, "zbarimg read %r, the label says %s" % (decoded, tracking)
    finally:
        browser.quit()


def test_ops_redrives_a_dead_letter_after_a_dry_run():
    # A message risk cannot read, on the topic only risk consumes (its redrive topic).
    from confluent_kafka import Producer
    producer = Producer({"bootstrap.servers": os.environ.get("OMS_KAFKA_BROKERS", "127.0.0.1:9092")})
    producer.produce("oms.risk.redrive", key=("BT-%s" % RUN).encode(), value=b"{this is not an event")
    producer.flush(10)
    ops_token = token_of("ops")

    def open_entry():
        entries = call("GET", RISK + "/v1/ops/dead-letters", token=ops_token)["deadLetters"]
        return next((e for e in entries if e.get("orderKey") == "BT-" + RUN and e["state"] == "open"), None)

    entry = wait_for("risk to dead-letter the message", open_entry, 60)
    one_time = staff_account("bt-ops2-" + RUN, "ops")
    browser = Browser()
    try:
        browser.first_sign_in("bt-ops2-" + RUN, one_time)
        browser.open("/ops")
        browser.submit("#dead-letters-risk")
        assert entry["id"] in browser.find("#dead-letter-list").text
        ids = browser.find("#redrive-ids")
        ids.clear()
        ids.send_keys(entry["id"])
        browser.submit("#dry-run")
        assert entry["id"] in browser.find("#would-redrive").text, "the dry run names the entry"
        assert call("GET", RISK + "/v1/ops/dead-letters", token=ops_token)["deadLetters"], "nothing was sent by the dry run"
        assert open_entry() is not None, "still open after the dry run"
        browser.shot("13-dead-letter-dry-run")
        browser.driver.execute_script("window.confirm = function () { return true; }")
        browser.submit("#redrive")
        assert "已重新投递" in browser.find("#notice").text
        browser.shot("14-dead-letter-redriven")
    finally:
        browser.quit()
    assert open_entry() is None or open_entry()["id"] != entry["id"], "the entry is redriven"


def test_stock_and_insights_pages():
    one_time = staff_account("bt-wh3-" + RUN, "warehouse")
    browser = Browser()
    try:
        browser.first_sign_in("bt-wh3-" + RUN, one_time)
        browser.open("/stock?sku=CLO-TEE-BLK-M")
        available = int(browser.find("#available").text)
        browser.find("#receipt-quantity").send_keys("3")
        browser.submit("#receive")
        assert "已收货入库" in browser.find("#notice").text
        assert int(browser.find("#available").text) == available + 3
        browser.find("#adjust-quantity").send_keys("abc")
        browser.submit("#adjust")
        assert browser.finds("#adjust-quantity-error") or browser.finds("#problem"), "a bad quantity is refused next to the field"
        browser.shot("15-stock")
    finally:
        browser.quit()
    one_time = staff_account("bt-an-" + RUN, "analyst")
    browser = Browser()
    try:
        browser.first_sign_in("bt-an-" + RUN, one_time)
        browser.open("/insights")
        assert "¥" in browser.find("#headline").text and browser.finds("#sales tbody tr")
        browser.shot("16-insights")
        browser.open("/orders")
        assert "无权" in browser.find("#error-message").text, "an analyst opens no order"
    finally:
        browser.quit()


def test_ops_approves_a_draft_purchase_order():
    """A reorder point raised above what is available drafts a purchase order with the SKU's
    supplier at once; ops correct its quantity (below the supplier's minimum is refused) and
    approve it on the purchasing page, and it moves to the approved list."""
    sku = "CLO-TEE-BLK-M"
    ops = token_of("ops")
    stock = call("GET", "%s/v1/inventory/stock/%s" % (INVENTORY, sku), token=ops)
    row = max(stock["warehouses"], key=lambda w: w["availableToSell"])
    supplier = {"name": "服装供应商 " + RUN, "email": "orders-%s@apparel.example.cn" % RUN, "leadTimeDays": 4,
                "shipsToWarehouseId": row["warehouseId"], "items": [{"sku": sku, "unitCostFen": 1850, "minimumOrderQuantity": 12}]}
    call("PUT", "%s/v1/inventory/suppliers/BT%s" % (INVENTORY, RUN), supplier, token=ops)
    call("PUT", "%s/v1/inventory/stock/%s/warehouses/%s" % (INVENTORY, sku, row["warehouseId"]),
         {"reorderPoint": max(0, row["availableToSell"]) + 5}, token=ops)

    def draft():
        drafts = call("GET", INVENTORY + "/v1/inventory/purchase-orders?status=draft", token=ops)["purchaseOrders"]
        return next((d["poNumber"] for d in drafts if any(line["sku"] == sku for line in d["lines"])), None)
    po = wait_for("a draft purchase order for " + sku, draft, seconds=20)
    one_time = staff_account("bt-ops3-" + RUN, "ops")
    browser = Browser()
    try:
        browser.first_sign_in("bt-ops3-" + RUN, one_time)
        browser.open("/purchasing")
        row_text = browser.find("#draft-" + po).text
        assert sku in row_text and "¥" in row_text, row_text
        browser.shot("17-purchasing")
        quantity = browser.find("#draft-%s .po-quantity" % po)
        quantity.clear()
        quantity.send_keys("5")
        browser.submit("#draft-%s .change-po-line" % po)
        assert "12" in browser.find("#problem").text, "below the supplier's minimum quantity is refused: %s" % browser.find("#problem").text
        quantity = browser.find("#draft-%s .po-quantity" % po)
        quantity.clear()
        quantity.send_keys("24")
        browser.submit("#draft-%s .change-po-line" % po)
        assert "已修改数量" in browser.find("#notice").text
        assert "¥444.00" in browser.find("#draft-" + po).text, browser.find("#draft-" + po).text
        browser.submit("#draft-%s .approve-po" % po)
        assert "已批准并发送供应商" in browser.find("#notice").text and po in browser.find("#notice").text
        assert po in browser.find("#open-pos").text
        assert not browser.finds("#draft-" + po)
    finally:
        browser.quit()


TESTS = [
    test_sign_in_wrong_password_and_sign_out,
    test_customer_service_finds_an_order_by_phone,
    test_reviewer_approves_a_held_order,
    test_a_role_sees_only_its_pages,
    test_ops_sees_every_service_ready,
    test_warehouse_picks_a_manual_wave_packs_it_and_prints_the_waybill,
    test_ops_redrives_a_dead_letter_after_a_dry_run,
    test_stock_and_insights_pages,
    test_ops_approves_a_draft_purchase_order,
]


def main():
    failed = 0
    for test in TESTS:
        started = time.time()
        try:
            test()
            print("[browser] pass %-55s %.1fs" % (test.__name__, time.time() - started))
        except Exception:
            failed += 1
            print("[browser] FAIL %s" % test.__name__)
            traceback.print_exc()
    if "--docs" in sys.argv:
        target = os.path.join(REPO, "docs", "console")
        os.makedirs(target, exist_ok=True)
        for name in sorted(os.listdir(OUT)):
            if name.endswith(".png"):
                shutil.copy(os.path.join(OUT, name), target)
    print("[browser] %d of %d passed; screenshots in %s" % (len(TESTS) - failed, len(TESTS), OUT))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
