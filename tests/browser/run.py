#!/usr/bin/env python3
"""Browser tests of the web page in headless Chromium, driven over WebDriver (chromedriver),
against a real `casematch serve` on loopback. Python standard library only.

Flows: the intake page's Chinese labels render as real glyphs (not tofu boxes); the check of a
known duplicate speaks Chinese (verdict, one-sentence explanation, confidence in words and a
bar, evidence as plain phrases, no engine codes) and draws the evidence waterfall against the
thresholds; the matter history lists the duplicate and matter groups newest first with channel
icons, handlers, statuses and 首办, and one click opens a record; the desk works by keyboard
alone (tab order, Enter to check, Alt+L / Alt+N to register); a pasted hotline ticket fills
name, phone, ID number and place for confirmation; the registration receipt is what prints; a
search with a channel filter lists only that channel; a wrong API key shows the 401 error; a
CSV upload on the dedupe page shows its first rows with a mapping select per column, a changed
mapping is sent with the job, and the report appears.
Screenshots (and the receipt as PDF) go to target/browser-screenshots/ (under CARGO_TARGET_DIR
when set; not committed), or to $CASEMATCH_ARTEFACTS. Exits non-zero on failure.

Usage: python3 tests/browser/run.py [path/to/casematch]   (default target/release/casematch)
"""
import base64, datetime, json, os, re, shutil, socket, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(TARGET, "release", "casematch")
SHOTS = os.environ.get("CASEMATCH_ARTEFACTS") or os.path.join(TARGET, "browser-screenshots")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"

# recent dates: the page stamps a submission with the current time
DAY = (datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))) - datetime.timedelta(days=10)).strftime("%Y-%m-%d")
NOISE = "望月湖小区旁边的工地每天晚上施工到凌晨三点，打桩机噪音很大，严重影响居民休息，多次向工地反映无果，希望有关部门依法查处夜间违规施工。"
FIXTURE = [
    {"id": "WEB-1", "channel": "网上", "received_at": DAY + "T01:00:00+08:00", "name": "张伟", "phone": "13912345678",
     "id_number": "430104198807152329", "location": "湖南省长沙市岳麓区望月湖街道", "title": "工地夜间施工噪音扰民",
     "content": NOISE, "handler": "岳麓区住建局", "status": "办结"},
    {"id": "TEL-2", "channel": "电话", "received_at": DAY + "T02:00:00+08:00", "name": "李娜", "phone": "13700001111",
     "location": "湖南省长沙市开福区", "content": "来电人反映：楼下饭店油烟噪音扰民，晚上无法休息。", "handler": "开福区城管局"},
    {"id": "LET-3", "channel": "来信", "received_at": DAY + "T03:00:00+08:00", "name": "王强", "phone": "13600002222",
     "location": "湖南省株洲市芦淞区", "content": "华兴建筑公司拖欠十二名工人工资共计八万六千元，多次讨要未果。", "handler": "芦淞区人社局"},
    # the same matter: a neighbour in person, and the first complainant again by WeChat
    {"id": "VIS-4", "channel": "来访", "received_at": DAY + "T04:00:00+08:00", "name": "刘芳", "phone": "13822223333",
     "location": "湖南省长沙市岳麓区望月湖街道", "title": "工地夜间施工噪音扰民", "content": NOISE, "handler": "岳麓区信访局", "status": "受理"},
    {"id": "WX-5", "channel": "微信", "received_at": DAY + "T05:00:00+08:00", "name": "张伟", "phone": "13912345678",
     "location": "湖南省长沙市岳麓区望月湖街道", "content": "我之前反映过，" + NOISE, "handler": "岳麓区住建局", "status": "办理中",
     "linked_to": "WEB-1"},
]

# what an intake clerk pastes from the hotline system
TICKET = ("工单编号：12345-2024-0003021\n来电时间：2024-03-02 09:15\n来电人：张伟先生\n联系电话：139 1234 5678\n"
          "身份证号：430104198807152329\n问题属地：长沙市岳麓区望月湖街道\n"
          "诉求内容：市民来电反映，望月湖小区旁边工地每天晚上施工到凌晨三点，打桩机噪音很大，严重影响居民休息，希望查处。")

# engine words that must never reach the desk
ENGINE_WORDS = ["name_same", "phone_same", "very_high", "unknown", "missing", "same_county", "same_town", "person", "matter",
                "DUPLICATE", "RELATED", "field", "level", "score", "time_gap", "cross_channel"]


# a CSV export: a title row above the header, and a column (反映事项) no alias names
UPLOAD_CSV = "2024年5月信访登记表,,,,\n编号,来信人,联系电话,问题属地,反映事项\n" + "".join(
    f"{id},{name},{phone},{place},{text}\n" for id, name, phone, place, text in [
        ("B1", "张伟", "13912345678", "湖南省长沙市岳麓区望月湖街道", NOISE),
        ("B2", "张伟", "13912345678", "湖南省长沙市岳麓区望月湖街道", NOISE),
        ("B3", "王强", "13600002222", "湖南省株洲市芦淞区", "华兴建筑公司拖欠十二名工人工资共计八万六千元，多次讨要未果。"),
    ])

# Per CJK character: its advance against the font size, and whether the glyphs differ from one
# another and from a character no font has (tofu boxes are all alike). With fontconfig limited
# to DejaVu, the advance is 5 px at 14 px and all six glyphs are one box; document.fonts.check()
# says true either way (it only knows web fonts), so it proves nothing.
CJK_GLYPHS_JS = """
const label = document.querySelector(arguments[0]);
const style = getComputedStyle(label);
const px = parseFloat(style.fontSize);
const font = `${style.fontSize} ${style.fontFamily}`;
const canvas = document.createElement('canvas');
canvas.width = canvas.height = Math.ceil(px * 2);
const ctx = canvas.getContext('2d', {willReadFrequently: true});
function ink(ch) {
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.font = font; ctx.fillStyle = '#000'; ctx.textBaseline = 'top';
  ctx.fillText(ch, 2, 2);
  return Array.from(ctx.getImageData(0, 0, canvas.width, canvas.height).data.filter((_, i) => i % 4 === 3)).join(',');
}
ctx.font = font;
const text = '姓名受理查重';
const chars = Array.from(text).map(ink);
const missing = ink('\\u{E0080}');
// the label as laid out: its Chinese part alone
const span = document.createElement('span');
span.textContent = '姓名受理';
span.style.font = font;
label.appendChild(span);
const laidOut = span.getBoundingClientRect().width / 4;
span.remove();
return {px, family: style.fontFamily, advance: ctx.measureText(text).width / text.length, laidOut,
        distinct: new Set(chars).size, total: chars.length, likeMissing: chars.filter((c) => c === missing).length,
        blank: chars.filter((c) => !/[1-9]/.test(c)).length};
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read() or b"null")


def http_json(method, url, body, key):
    req = urllib.request.Request(url, data=None if body is None else json.dumps(body).encode(), method=method,
                                 headers={"Content-Type": "application/json", "Authorization": "Bearer " + key})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def wait_http(url, seconds=30):
    end = time.time() + seconds
    while time.time() < end:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


class Browser:
    def __init__(self, driver_url):
        self.base = driver_url
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=1280,1000", "--lang=zh-CN", "--user-data-dir=" + tempfile.mkdtemp(prefix="cm-chrome-")]}}}}
        self.session = http("POST", self.base + "/session", caps)["value"]["sessionId"]

    def cmd(self, method, path, body=None):
        return http(method, f"{self.base}/session/{self.session}{path}", body)["value"]

    def go(self, url):
        self.cmd("POST", "/url", {"url": url})

    def find(self, css):
        return self.cmd("POST", "/element", {"using": "css selector", "value": css})[ELEMENT]

    def upload(self, css, path):
        self.cmd("POST", f"/element/{self.find(css)}/value", {"text": path})

    def click(self, css):
        self.cmd("POST", f"/element/{self.find(css)}/click", {})

    def type(self, css, text):
        el = self.find(css)
        self.cmd("POST", f"/element/{el}/clear", {})
        self.cmd("POST", f"/element/{el}/value", {"text": text})

    def js(self, script, *args):
        return self.cmd("POST", "/execute/sync", {"script": script, "args": list(args)})

    def active(self):
        return self.cmd("GET", "/element/active")[ELEMENT]

    def keys(self, text):
        """Keys to the focused element, as a user types them (modifiers held to the end)."""
        self.cmd("POST", f"/element/{self.active()}/value", {"text": text})

    def cdp(self, cmd, params):
        return http("POST", f"{self.base}/session/{self.session}/goog/cdp/execute", {"cmd": cmd, "params": params})

    def pdf(self, name):
        os.makedirs(SHOTS, exist_ok=True)
        data = base64.b64decode(self.cmd("POST", "/print", {"background": True}))
        with open(os.path.join(SHOTS, name + ".pdf"), "wb") as f:
            f.write(data)
        return data

    def text(self, css):
        return self.cmd("GET", f"/element/{self.find(css)}/text")

    def wait_text(self, css, predicate, seconds=20):
        end = time.time() + seconds
        last = None
        while time.time() < end:
            try:
                last = self.text(css)
                if predicate(last):
                    return last
            except Exception:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{css}: text {last!r} never matched")

    def screenshot(self, name, css=None):
        """The whole page, or the element `css` alone."""
        os.makedirs(SHOTS, exist_ok=True)
        params = {"format": "png", "captureBeyondViewport": True}
        if css:
            r = self.js("""const r = document.querySelector(arguments[0]).getBoundingClientRect();
                return {x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height, scale: 1}""", css)
            params["clip"] = r
        try:
            shot = self.cdp("Page.captureScreenshot", params)["value"]["data"]
        except Exception:
            shot = self.cmd("GET", "/screenshot")
        png = base64.b64decode(shot)
        with open(os.path.join(SHOTS, name + ".png"), "wb") as f:
            f.write(png)

    def close(self):
        try:
            http("DELETE", f"{self.base}/session/{self.session}")
        except Exception:
            pass


def main():
    for path, what in [(BIN, "casematch binary (cargo build --release)"), (CHROMIUM, "chromium"), (DRIVER, "chromedriver")]:
        if not os.path.exists(path):
            sys.exit(f"browser tests: {what} not found at {path}")
    work = tempfile.mkdtemp(prefix="cm-browser-")
    fixture = os.path.join(work, "cases.jsonl")
    with open(fixture, "w", encoding="utf-8") as f:
        for c in FIXTURE:
            f.write(json.dumps(c, ensure_ascii=False) + "\n")
    index = os.path.join(work, "index")
    subprocess.run([BIN, "ingest", "--index", index, fixture], check=True, capture_output=True)
    port, dport = free_port(), free_port()
    env = dict(os.environ, CASEMATCH_KEYS="desk:intake:desk-key,lead:supervisor:lead-key")
    server = subprocess.Popen([BIN, "serve", "--index", index, "--addr", f"127.0.0.1:{port}"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    driver = subprocess.Popen([DRIVER, f"--port={dport}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    browser = None
    failures = 0
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz")
        wait_http(f"http://127.0.0.1:{dport}/status")
        browser = Browser(f"http://127.0.0.1:{dport}")
        page = f"http://127.0.0.1:{port}/"

        def step(name, fn):
            nonlocal failures
            try:
                fn()
                browser.screenshot(name)
                print(f"ok   {name}")
            except Exception as e:
                failures += 1
                try:
                    browser.screenshot(name + "-failed")
                except Exception:
                    pass
                print(f"FAIL {name}: {e}")

        def login(key):
            browser.go(page)
            browser.type("#api-key", key)
            browser.click("#save-key")

        def check_duplicate_by_hand():
            browser.type("input[name=name]", "張偉")
            browser.type("input[name=phone]", "+86 139-1234-5678")
            browser.type("input[name=location]", "长沙市岳麓区望月湖街道")
            browser.js("document.querySelector('select[name=channel]').value = arguments[0]", "电话")
            browser.type("textarea[name=content]", "来电人反映：望月湖小区旁边工地每天晚上施工到凌晨三点，打桩机噪音很大，严重影响居民休息。")
            browser.click("#check-button")
            browser.wait_text("#verdict", lambda t: t == "重复件")

        def intake_duplicate_in_chinese():
            login("desk-key")
            check_duplicate_by_hand()
            assert browser.js("return document.querySelector('#verdict').dataset.verdict") == "DUPLICATE"
            sentence = browser.text("#verdict-sentence")
            # one sentence: the original's date, channel and id, the relation, the agreeing fields
            assert sentence.startswith(f"与 {DAY} 网上信访件 WEB-1 为同一人同一事项：") and sentence.endswith("。"), sentence
            assert "姓名相同、电话相同" in sentence and "诉求内容" in sentence, sentence
            words = browser.text("#confidence-words")
            assert words in ["几乎可以肯定", "很有把握", "较有把握", "倾向于此结论", "把握不大，请人工核对"], words
            bar = browser.js("return parseFloat(document.querySelector('#confidence-bar').style.width)")
            assert 50 <= bar <= 100, bar
            routing = browser.text("#routing")
            assert "WEB-1" in routing and "首办单位：岳麓区住建局" in routing, routing
            matches = browser.text("#matches")
            assert "WEB-1" in matches and "姓名与电话" in matches and "诉求内容高度相似" in matches or "诉求内容相似" in matches, matches
            leaked = [w for w in ENGINE_WORDS if w in matches or w in sentence]
            assert not leaked, leaked
            # no signed log-likelihood numbers in the evidence table
            cells = browser.js("return Array.from(document.querySelectorAll('#matches table.evidence td')).map((td) => td.textContent)")
            assert not [c for c in cells if re.fullmatch(r"-?\d+\.\d", c.strip())], cells

        def evidence_waterfall():
            login("desk-key")
            check_duplicate_by_hand()
            w = browser.js("""
                const figs = Array.from(document.querySelectorAll('#waterfall figure'));
                return figs.map((f) => ({
                  title: f.querySelector('.wf-title').textContent,
                  labels: Array.from(f.querySelectorAll('.wf-label')).map((t) => t.textContent),
                  kinds: Array.from(f.querySelectorAll('rect')).map((r) => r.getAttribute('class')),
                  heights: Array.from(f.querySelectorAll('rect')).map((r) => parseFloat(r.getAttribute('height'))),
                  ys: Array.from(f.querySelectorAll('rect')).map((r) => parseFloat(r.getAttribute('y'))),
                  threshold: f.querySelector('.wf-threshold') ? parseFloat(f.querySelector('.wf-threshold').getAttribute('y1')) : null,
                  thresholdLabel: f.querySelector('.wf-threshold-label').textContent,
                  values: Array.from(f.querySelectorAll('.wf-value')).map((t) => t.textContent),
                  caption: f.querySelector('figcaption').textContent}));""")
            assert [f["title"] for f in w] == ["是否同一人", "是否同一事项"], w
            browser.screenshot("waterfall-chart", "#waterfall")
            person, matter = w
            for f in w:
                assert f["labels"][0] == "起点" and f["labels"][-1] == "合计", f
                assert f["kinds"][0] == "wf-base" and f["kinds"][-1] == "wf-yes", f
                assert f["threshold"] is not None and f["thresholdLabel"].startswith("判定线"), f
                # the total bar reaches above the threshold line (smaller y is higher)
                assert f["ys"][-1] < f["threshold"], f
                assert ("高于判定线：认定" + f["title"][2:]) in f["caption"], f
            assert "姓名电话" in person["labels"] and "诉求内容" in matter["labels"], w
            # person fields never appear in the matter chart, nor the reverse
            assert "诉求内容" not in person["labels"] and "姓名电话" not in matter["labels"], w
            # the chart's total and threshold are the engine's: the check's scores and the model's thresholds
            top = http_json("POST", f"http://127.0.0.1:{port}/v1/check", {"id": "Q-WF", "name": "張偉", "phone": "+86 139-1234-5678",
                            "location": "长沙市岳麓区望月湖街道", "channel": "电话",
                            "content": "来电人反映：望月湖小区旁边工地每天晚上施工到凌晨三点，打桩机噪音很大，严重影响居民休息。"},
                            "desk-key")["matches"][0]
            thresholds = http_json("GET", f"http://127.0.0.1:{port}/v1/model", None, "desk-key")
            assert top["id"] == "WEB-1", top
            for f, score, th in [(person, top["person_score"], thresholds["person_threshold"]),
                                 (matter, top["matter_score"], thresholds["matter_threshold"])]:
                assert abs(float(f["values"][-1]) - score) <= 0.2, (f, score)
                assert abs(float(f["thresholdLabel"].split()[-1]) - th) <= 0.05 + 1e-9, (f, th)  # the label has one decimal
                # every step between the base and the total is a field's contribution, in bits
                assert abs(sum(float(v) for v in f["values"][:-1]) - float(f["values"][-1])) <= 0.1 * len(f["values"]), f

        def matter_history():
            login("desk-key")
            check_duplicate_by_hand()
            browser.wait_text("#history", lambda t: "VIS-4" in t and "WX-5" in t)
            pending = browser.text("#history li.pending")
            assert "本件" in pending and "待登记" in pending, pending
            items = browser.js("""return Array.from(document.querySelectorAll('#history li:not(.pending)')).map((li) => ({
                id: li.querySelector('strong').textContent, cls: li.className, text: li.textContent.replace(/\\s+/g, ' '),
                icon: li.querySelector('svg.icon').getAttribute('aria-label')}))""")
            ids = [i["id"] for i in items]
            # newest first: WX-5 (05:00), VIS-4 (04:00), WEB-1 (01:00); the later record of TEL-2 is another matter
            assert ids.index("WX-5") < ids.index("VIS-4") < ids.index("WEB-1") and "TEL-2" not in ids and "LET-3" not in ids, ids
            by = {i["id"]: i for i in items}
            assert "first" in by["WEB-1"]["cls"] and "首办" in by["WEB-1"]["text"] and "原件" in by["WEB-1"]["text"], by["WEB-1"]
            assert sum("首办" in i["text"] for i in items) == 1, items
            assert by["WEB-1"]["icon"] == "网上" and by["VIS-4"]["icon"] == "来访" and by["WX-5"]["icon"] == "微信", items
            assert "岳麓区住建局" in by["WEB-1"]["text"] and "办结" in by["WEB-1"]["text"], by["WEB-1"]
            assert "岳麓区信访局" in by["VIS-4"]["text"] and "受理" in by["VIS-4"]["text"], by["VIS-4"]
            assert "同一事项·他人反映" in by["VIS-4"]["text"] and "同一人同一事项" in by["WX-5"]["text"], items
            browser.screenshot("history-timeline", "#history")
            # one click opens the record
            browser.click('#history button.record-open[data-id="WEB-1"]')
            assert browser.js("return document.querySelector('#record-dialog').open") is True
            body = browser.text("#record-body")
            assert "WEB-1" in body and "打桩机" in body and "岳麓区住建局" in body and "办结" in body, body
            browser.screenshot("history-record-open")
            browser.keys("\ue00c")  # Escape closes it
            assert browser.js("return document.querySelector('#record-dialog').open") is False

        def keyboard_only_desk():
            login("desk-key")
            browser.go(page)
            # the page opens with the narrative focused; Tab walks the fields in reading order
            order = [browser.js("return document.activeElement.id")]
            for _ in range(8):
                browser.keys("\ue004")
                order.append(browser.js("return document.activeElement.id"))
            assert order == ["f-content", "f-name", "f-phone", "f-id_number", "f-location", "f-address", "f-channel",
                             "f-title", "check-button"], order
            # typed, field by field, then Enter in a field checks
            browser.js("document.querySelector('#f-content').focus()")
            browser.keys("望月湖小区旁边工地每天晚上施工到凌晨三点，打桩机噪音很大，严重影响居民休息。")
            browser.keys("\ue004张伟\ue004" + "13912345678" + "\ue004\ue004长沙市岳麓区望月湖街道\ue007")
            browser.wait_text("#verdict", lambda t: t == "重复件")
            # the likely next step has the focus, and Alt+L registers linked to the original
            assert browser.js("return document.activeElement.id") == "register-linked"
            browser.keys("\ue00al\ue000")
            state = browser.wait_text("#register-state", lambda t: "已登记" in t)
            assert "已关联原件 WEB-1" in state, state
            browser.screenshot("keyboard-registered-linked")
            # Alt+C clears for the next submission; Ctrl+Enter checks from the narrative; Alt+N registers as new
            browser.keys("\ue00ac\ue000")
            assert browser.js("return document.activeElement.id") == "f-content"
            assert browser.js("return document.querySelector('#check-result').hidden") is True
            browser.keys("小区门口路灯坏了一个月，晚上出行不安全，请尽快修复。\ue009\ue007\ue000")
            browser.wait_text("#verdict", lambda t: t == "新件")
            assert browser.js("return document.activeElement.id") == "register-new"
            assert browser.js("return document.querySelector('#register-linked').disabled") is True
            browser.keys("\ue00an\ue000")
            state = browser.wait_text("#register-state", lambda t: "已登记" in t)
            assert "（新件）" in state, state

        def ticket_paste():
            login("desk-key")
            browser.js("""const ta = document.querySelector('#f-content'); ta.focus(); ta.value = arguments[0];
                ta.dispatchEvent(new ClipboardEvent('paste', {bubbles: true}));""", TICKET)
            browser.wait_text("#ticket-note", lambda t: "已从工单识别" in t)
            fields = browser.js("""return Object.fromEntries(['name', 'phone', 'id_number', 'location', 'channel', 'content'].map((f) => {
                const el = document.querySelector('#f-' + f); return [f, [el.value, el.classList.contains('suggested')]]; }))""")
            assert fields["name"] == ["张伟先生", True], fields
            assert fields["phone"] == ["139 1234 5678", True], fields
            assert fields["id_number"] == ["430104198807152329", True], fields
            assert fields["location"] == ["长沙市岳麓区望月湖街道", True], fields
            assert fields["channel"] == ["电话", True], fields
            # the narrative keeps the complaint, not the ticket's header lines
            assert fields["content"][0].startswith("市民来电反映") and "工单编号" not in fields["content"][0], fields
            note = browser.text("#ticket-note")
            assert "请逐项核对" in note and "岳麓区" in note, note
            browser.screenshot("ticket-pasted", "#intake-form")
            # the clerk corrects a field: its mark goes
            browser.type("#f-name", "张伟")
            assert browser.js("return document.querySelector('#f-name').classList.contains('suggested')") is False
            browser.js("document.querySelector('#f-name').focus()")
            browser.keys("\ue007")
            browser.wait_text("#verdict", lambda t: t == "重复件")

        def printable_receipt():
            login("desk-key")
            check_duplicate_by_hand()
            browser.wait_text("#history", lambda t: "WEB-1" in t)
            browser.click("#register-linked")
            browser.wait_text("#register-state", lambda t: "已登记" in t)
            assert "（已登记）" in browser.text("#history li.pending")
            receipt = browser.text("#receipt")
            assert "信访事项登记回执" in receipt and "关联原件" in receipt and "WEB-1" in receipt, receipt
            assert "岳麓区住建局" in receipt and "重复件" in receipt and "张伟" not in receipt, receipt  # typed as 張偉
            assert browser.text("#r-phone") == "139****5678", receipt
            assert "原件 WEB-1" in browser.text("#routing") and "WEB-1" in browser.text("#r-verdict"), receipt
            today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).strftime("%Y-%m-%d")
            assert browser.text("#r-time").startswith(today), browser.text("#r-time")  # China time
            browser.screenshot("receipt-screen", "#receipt")
            browser.cdp("Emulation.setEmulatedMedia", {"media": "print"})
            try:
                shown = browser.js("""return ['#receipt', '#intake-form', '#check-result', 'header'].map((s) =>
                    getComputedStyle(document.querySelector(s)).display)""")
                assert shown[0] != "none" and shown[1:] == ["none", "none", "none"], shown
                browser.screenshot("receipt-print-media")
            finally:
                browser.cdp("Emulation.setEmulatedMedia", {"media": ""})
            pdf = browser.pdf("receipt")
            assert pdf.startswith(b"%PDF"), pdf[:10]

        def search_with_filter():
            login("lead-key")
            browser.click("#tab-search")
            browser.type("#search-q", "噪音扰民")
            browser.js("document.querySelector('#search-channel').value = arguments[0]", "电话")
            browser.click("#search-button")
            browser.wait_text("#search-total", lambda t: t == "共 1 件")
            hits = browser.text("#search-hits")
            assert "TEL-2" in hits and "WEB-1" not in hits, hits
            assert browser.js("return document.querySelectorAll('#search-hits em').length") > 0
            chart = browser.text("#county-chart")
            assert "开福区" in chart and "各区县件数" in chart, chart
            assert browser.text("#prev") == "‹ 上一页" and browser.text("#next") == "下一页 ›"
            # a case opens with its matter history
            browser.click('#search-hits li[data-id="TEL-2"] button')
            browser.wait_text("#case-view", lambda t: "事项经过" in t and "TEL-2" in t)

        def bad_key():
            login("wrong-key")
            browser.type("textarea[name=content]", "路灯坏了")
            browser.click("#check-button")
            err = browser.wait_text("#error", lambda t: "401" in t)
            assert "API 密钥缺失或无效" in err and "unauthorized" in err, err
            assert browser.js("return document.querySelector('#check-result').hidden") is True

        def intake_renders_cjk():
            browser.go(page)
            browser.wait_text("#tab-intake", lambda t: "受理" in t)
            m = browser.js(CJK_GLYPHS_JS, "#intake-form label")
            print(f"     CJK glyphs: {m}")
            # CJK glyphs are full width; a missing glyph is a box of the Latin font's width
            assert abs(m["advance"] - m["px"]) <= 0.1 * m["px"], m
            assert abs(m["laidOut"] - m["px"]) <= 0.1 * m["px"], m
            assert m["distinct"] == m["total"] and m["likeMissing"] == 0 and m["blank"] == 0, m

        def dedupe_csv_upload():
            csv_path = os.path.join(work, "登记表.csv")
            with open(csv_path, "w", encoding="utf-8") as f:
                f.write(UPLOAD_CSV)
            browser.go(page)
            browser.type("#api-key", "lead-key")
            browser.click("#save-key")
            browser.click("#tab-dedupe")
            browser.upload("#dedupe-file", csv_path)
            info = browser.wait_text("#dedupe-preview-info", lambda t: "CSV" in t)
            assert browser.text("#dedupe-file-name") == "登记表.csv"
            assert "UTF-8" in info and "表头在第 2 行" in info and "请核对每列对应的字段" in info, info
            table = browser.js("""return {
                headers: Array.from(document.querySelectorAll('#dedupe-preview-table tr.headers th')).map((th) => th.textContent),
                mapping: Array.from(document.querySelectorAll('#dedupe-preview-table .map-select')).map((s) => s.value),
                options: document.querySelector('#dedupe-preview-table .map-select').options.length,
                rows: Array.from(document.querySelectorAll('#dedupe-preview-table tbody tr')).map((tr) => Array.from(tr.cells).map((td) => td.textContent))}""")
            assert table["headers"] == ["编号", "来信人", "联系电话", "问题属地", "反映事项"], table
            assert table["mapping"] == ["id", "name", "phone", "location", "反映事项"], table
            assert table["options"] > 10, table
            assert [r[0] for r in table["rows"]] == ["B1", "B2", "B3"] and table["rows"][0][1] == "张伟", table
            # the narrative column is no known header: map it to content by hand
            browser.js("""const s = document.querySelector('#dedupe-preview-table .map-select[data-header="反映事项"]');
                s.value = 'content'; s.dispatchEvent(new Event('change'));""")
            browser.screenshot("dedupe-preview")
            browser.click("#dedupe-start")
            browser.wait_text("#dedupe-status", lambda t: t.startswith("已完成") and "共 3 条" in t, seconds=60)
            report = browser.wait_text("#dedupe-report", lambda t: "查重报告" in t)
            figures = browser.js("return Array.from(document.querySelectorAll('#dedupe-report .figures div')).map((d) => d.textContent)")
            assert figures[:3] == ["3条记录", "2个重复组", "2个事项"], figures
            # B1 and B2 are one group, and its summaries come from the mapped content column
            assert "B2" in report and "打桩机" in report, report[:2000]
            assert "姓名相同、电话相同" in report, report[:2000]
            leaked = [w for w in ["records", "duplicate", "name_same", "very_high", "Duplicate report"] if w in report]
            assert not leaked, leaked

        step("intake-cjk-glyphs", intake_renders_cjk)
        step("intake-duplicate-chinese", intake_duplicate_in_chinese)
        step("evidence-waterfall", evidence_waterfall)
        step("matter-history", matter_history)
        step("keyboard-only-desk", keyboard_only_desk)
        step("ticket-paste", ticket_paste)
        step("printable-receipt", printable_receipt)
        step("search-channel-filter", search_with_filter)
        step("bad-api-key", bad_key)
        step("dedupe-csv-upload", dedupe_csv_upload)
    finally:
        if browser:
            browser.close()
        for p in (server, driver):
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        sys.exit(f"{failures} browser test(s) failed; screenshots in {SHOTS}")
    print(f"browser tests passed; screenshots in {SHOTS}")


if __name__ == "__main__":
    main()
