#!/usr/bin/env python3
"""Time from pressing 查重 to the verdict shown, measured in headless Chromium against a real
`casematch serve` holding generated cases (100,000 by default). Not part of the default test run:
generating and ingesting 100k cases takes minutes.

N + Q records are generated with their truth; Q are held out of the index as submissions (three
in four the latest member of a duplicate group, so a repeat of cases on file; the rest the last
generated records) and typed into the intake form one by one. For each,
the page's own click handler runs; the time is taken in the page from the click to the frame
after the verdict is written (and, separately, to the matter history listed). Three untimed
checks warm the page and the server first.

Usage: python3 tests/browser/time_to_verdict.py [path/to/casematch] [--records N] [--queries Q]
       CASEMATCH_TTV_DIR=/tmp/ttv keeps the generated cases and index between runs.
Prints p50/p95/max and writes time-to-verdict.json next to the browser screenshots.
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (the WebDriver client and helpers of the browser tests)

MEASURE_JS = """
const done = arguments[arguments.length - 1];
const verdict = document.querySelector('#verdict');
const history = document.querySelector('#history');
verdict.textContent = '';
history.innerHTML = '';
const out = {};
const t0 = performance.now();
const finish = () => { if ('verdict' in out && ('history' in out || out.noHistory)) done(out); };
new MutationObserver((_, obs) => {
  if (!verdict.textContent) return;
  obs.disconnect();
  requestAnimationFrame(() => {
    out.verdict = performance.now() - t0;
    out.code = verdict.dataset.verdict;
    // a new matter has no history to fetch
    out.noHistory = history.children.length > 0 && !history.querySelector('.record-open');
    finish();
  });
}).observe(verdict, {childList: true, characterData: true, subtree: true});
new MutationObserver((_, obs) => {
  if (!history.querySelector('.record-open')) return;
  obs.disconnect();
  requestAnimationFrame(() => { out.history = performance.now() - t0; finish(); });
}).observe(history, {childList: true, subtree: true});
setTimeout(() => { out.timeout = true; done(out); }, 20000);
document.querySelector('#check-button').click();
"""

FILL_JS = """
const c = arguments[0];
document.querySelector('#intake-form').reset();
for (const f of ['name', 'phone', 'id_number', 'location', 'address', 'title', 'content']) {
  document.querySelector('#f-' + f).value = c[f] ?? '';
}
if (c.channel) document.querySelector('#f-channel').value = c.channel;
"""


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary", nargs="?", default=os.path.join(run.TARGET, "release", "casematch"))
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=40)
    args = ap.parse_args()
    work = os.environ.get("CASEMATCH_TTV_DIR") or tempfile.mkdtemp(prefix="cm-ttv-")
    os.makedirs(work, exist_ok=True)
    cases = os.path.join(work, f"cases-{args.records}.jsonl")
    index = os.path.join(work, f"index-{args.records}")
    queries = os.path.join(work, f"queries-{args.records}.jsonl")
    if not os.path.exists(index):
        t = time.time()
        truth = os.path.join(work, "truth.tsv")
        with open(cases, "w") as out:
            subprocess.run([args.binary, "generate", "--records", str(args.records + args.queries), "--seed", "7",
                            "--truth", truth], stdout=out, check=True)
        with open(cases) as f:
            lines = f.readlines()
        groups = {}
        with open(truth) as f:
            for row in f:
                parts = row.rstrip("\n").split("\t")
                if len(parts) >= 3:
                    groups.setdefault((parts[1], parts[2]), []).append(parts[0])
        # three in four submissions repeat a case on file (a later member of a duplicate group),
        # the rest are whatever the generator made (new matters, collective ones, other matters)
        repeats = sorted(ids[-1] for ids in groups.values() if len(ids) > 1)
        step = max(1, len(repeats) // (args.queries * 3 // 4))
        held = set(repeats[::step][: args.queries * 3 // 4])
        ids = [json.loads(line)["id"] for line in lines]
        for i in range(len(lines) - 1, -1, -1):
            if len(held) >= args.queries:
                break
            held.add(ids[i])
        with open(cases, "w") as f:
            f.writelines(line for line, i in zip(lines, ids) if i not in held)
        with open(queries, "w") as f:
            f.writelines(line for line, i in zip(lines, ids) if i in held)
        print(f"generated {len(lines)} records in {time.time() - t:.0f} s; {len(held)} held out as submissions", flush=True)
        t = time.time()
        subprocess.run([args.binary, "ingest", "--index", index, cases], check=True, capture_output=True)
        print(f"ingested {len(lines) - len(held)} in {time.time() - t:.0f} s", flush=True)
    with open(queries) as f:
        subs = [json.loads(line) for line in f if line.strip()]
    port, dport = run.free_port(), run.free_port()
    env = {k: v for k, v in os.environ.items() if k != "CASEMATCH_KEYS"}
    server = subprocess.Popen([args.binary, "serve", "--index", index, "--addr", f"127.0.0.1:{port}"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    driver = subprocess.Popen([run.DRIVER, f"--port={dport}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    browser = None
    try:
        run.wait_http(f"http://127.0.0.1:{port}/healthz", 120)
        run.wait_http(f"http://127.0.0.1:{dport}/status")
        browser = run.Browser(f"http://127.0.0.1:{dport}")
        browser.cmd("POST", "/timeouts", {"script": 30000})
        browser.go(f"http://127.0.0.1:{port}/")
        docs = run.http("GET", f"http://127.0.0.1:{port}/readyz")["documents"]
        verdict_ms, history_ms, codes = [], [], {}
        for i, c in enumerate(subs[:3] + subs):
            browser.js(FILL_JS, c)
            r = browser.cmd("POST", "/execute/async", {"script": MEASURE_JS, "args": []})
            if r.get("timeout"):
                raise AssertionError(f"no verdict within 20 s for {c.get('id')}: {r}")
            if i < 3:
                continue
            verdict_ms.append(r["verdict"])
            codes[r["code"]] = codes.get(r["code"], 0) + 1
            if "history" in r:
                history_ms.append(r["history"])
        browser.screenshot("time-to-verdict-last")
        result = {
            "cases_on_file": docs, "checks": len(verdict_ms), "verdicts": codes,
            "verdict_ms": {"p50": round(statistics.median(verdict_ms), 1), "p95": round(pct(verdict_ms, 95), 1),
                           "max": round(max(verdict_ms), 1), "mean": round(statistics.mean(verdict_ms), 1)},
            "history_ms": {"p50": round(statistics.median(history_ms), 1), "p95": round(pct(history_ms, 95), 1),
                           "max": round(max(history_ms), 1), "n": len(history_ms)} if history_ms else None,
        }
        print(json.dumps(result, ensure_ascii=False, indent=1))
        os.makedirs(run.SHOTS, exist_ok=True)
        with open(os.path.join(run.SHOTS, "time-to-verdict.json"), "w") as f:
            json.dump(result, f, ensure_ascii=False, indent=1)
    finally:
        if browser:
            browser.close()
        for p in (server, driver):
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    main()
