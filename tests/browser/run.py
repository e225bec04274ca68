#!/usr/bin/env python3
"""Browser tests of the web page in headless Chromium, driven over WebDriver (chromedriver),
against a real `casematch serve` on loopback. Python standard library only.

Flows: the intake check of a known duplicate shows DUPLICATE and the original; a search with
a channel filter lists only that channel; a wrong API key shows the 401 error; the intake
page's Chinese labels render as real glyphs (not tofu boxes); a CSV upload on the dedupe page
shows its first rows with a mapping select per column, a changed mapping is sent with the
job, and the report appears.
Screenshots go to target/browser-screenshots/ (not committed). Exits non-zero on failure.

Usage: python3 tests/browser/run.py [path/to/casematch]   (default target/release/casematch)
"""
import base64, datetime, json, os, shutil, socket, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(TARGET, "release", "casematch")
SHOTS = os.path.join(TARGET, "browser-screenshots")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"

# recent dates: the page stamps a submission with the current time
DAY = (datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))) - datetime.timedelta(days=10)).strftime("%Y-%m-%d")
NOISE = "望月湖小区旁边的工地每天晚上施工到凌晨三点，打桩机噪音很大，严重影响居民休息，多次向工地反映无果，希望有关部门依法查处夜间违规施工。"
FIXTURE = [
    {"id": "WEB-1", "channel": "网上", "received_at": DAY + "T01:00:00+08:00", "name": "张伟", "phone": "13912345678",
     "id_number": "430104198807152329", "location": "湖南省长沙市岳麓区望月湖街道", "title": "工地夜间施工噪音扰民",
     "content": NOISE, "handler": "岳麓区住建局"},
    {"id": "TEL-2", "channel": "电话", "received_at": DAY + "T02:00:00+08:00", "name": "李娜", "phone": "13700001111",
     "location": "湖南省长沙市开福区", "content": "来电人反映：楼下饭店油烟噪音扰民，晚上无法休息。", "handler": "开福区城管局"},
    {"id": "LET-3", "channel": "来信", "received_at": DAY + "T03:00:00+08:00", "name": "王强", "phone": "13600002222",
     "location": "湖南省株洲市芦淞区", "content": "华兴建筑公司拖欠十二名工人工资共计八万六千元，多次讨要未果。", "handler": "芦淞区人社局"},
]


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
                     "--window-size=1280,1000", "--user-data-dir=" + tempfile.mkdtemp(prefix="cm-chrome-")]}}}}
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

    def screenshot(self, name):
        os.makedirs(SHOTS, exist_ok=True)
        png = base64.b64decode(self.cmd("GET", "/screenshot"))
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

        def intake_duplicate():
            browser.go(page)
            browser.type("#api-key", "desk-key")
            browser.click("#save-key")
            browser.type("input[name=name]", "張偉")
            browser.type("input[name=phone]", "+86 139-1234-5678")
            browser.type("input[name=location]", "长沙市岳麓区望月湖街道")
            browser.js("document.querySelector('select[name=channel]').value = arguments[0]", "电话")
            browser.type("textarea[name=content]", "来电人反映：望月湖小区旁边工地每天晚上施工到凌晨三点，打桩机噪音很大，严重影响居民休息。")
            browser.click("#check-button")
            browser.wait_text("#verdict", lambda t: t == "DUPLICATE")
            routing = browser.text("#routing")
            assert "WEB-1" in routing and "岳麓区住建局" in routing, routing
            assert "WEB-1" in browser.text("#matches")
            browser.click("#register-linked")
            browser.wait_text("#register-state", lambda t: "added" in t and "WEB-1" in t)

        def search_with_filter():
            browser.go(page)
            browser.type("#api-key", "lead-key")
            browser.click("#save-key")
            browser.click("#tab-search")
            browser.type("#search-q", "噪音扰民")
            browser.js("document.querySelector('#search-channel').value = arguments[0]", "电话")
            browser.click("#search-button")
            browser.wait_text("#search-total", lambda t: t == "1 cases")
            hits = browser.text("#search-hits")
            assert "TEL-2" in hits and "WEB-1" not in hits, hits
            assert browser.js("return document.querySelectorAll('#search-hits em').length") > 0
            assert "开福区" in browser.text("#county-chart")

        def bad_key():
            browser.go(page)
            browser.type("#api-key", "wrong-key")
            browser.click("#save-key")
            browser.type("textarea[name=content]", "路灯坏了")
            browser.click("#check-button")
            err = browser.wait_text("#error", lambda t: "401" in t)
            assert "unauthorized" in err, err
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
            assert "UTF-8" in info and "row 2" in info, info
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
            browser.wait_text("#dedupe-status", lambda t: t.startswith("done") and "3 records" in t, seconds=60)
            end = time.time() + 20
            report = ""
            while time.time() < end and "Duplicate report" not in report:
                report = browser.js("const f = document.querySelector('#dedupe-report'); return f.hidden ? '' : f.srcdoc")
                time.sleep(0.2)
            assert "<b>3</b>records" in report, report[:500]
            # B1 and B2 are one group, and its summaries come from the mapped content column
            assert "B2" in report and "打桩机" in report, report[:2000]

        step("intake-cjk-glyphs", intake_renders_cjk)
        step("intake-duplicate", intake_duplicate)
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
