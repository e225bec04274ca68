// casematch web page: intake check, supervisor search, dedupe jobs. No frameworks, no CDN.
"use strict";

const $ = (sel) => document.querySelector(sel);
const esc = (s) => String(s ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

function showError(message) {
  const box = $("#error");
  box.textContent = message;
  box.hidden = !message;
}

// The API key lives in this tab's session only.
function apiKey() { return sessionStorage.getItem("casematch-key") || ""; }

async function api(method, path, body, contentType = "application/json") {
  const headers = {};
  if (apiKey()) headers["Authorization"] = "Bearer " + apiKey();
  if (body !== undefined) headers["Content-Type"] = contentType;
  const resp = await fetch(path, { method, headers, body: body === undefined ? undefined : (contentType === "application/json" ? JSON.stringify(body) : body) });
  const text = await resp.text();
  let data = null;
  try { data = JSON.parse(text); } catch (_) { data = text; }
  if (!resp.ok) {
    const msg = data && data.error ? `${data.error.status} ${data.error.code}: ${data.error.message}` : `${resp.status}`;
    showError(msg);
    throw new Error(msg);
  }
  showError("");
  return data;
}

// ---- tabs and login
document.querySelectorAll(".tab").forEach((b) => b.addEventListener("click", () => {
  document.querySelectorAll(".tab").forEach((t) => t.classList.toggle("active", t === b));
  document.querySelectorAll(".page").forEach((p) => { p.hidden = p.id !== b.dataset.tab; });
}));
function showKeyState() { $("#key-state").textContent = apiKey() ? "key set" : "no key"; }
$("#login").addEventListener("submit", (e) => {
  e.preventDefault();
  sessionStorage.setItem("casematch-key", $("#api-key").value.trim());
  $("#api-key").value = "";
  showKeyState();
});
showKeyState();

// ---- intake
let lastSubmission = null;
let lastOriginal = null;

function formCase(form) {
  const c = { id: "UI-" + Date.now(), received_at: new Date().toISOString() };
  for (const [k, v] of new FormData(form).entries()) if (String(v).trim()) c[k] = String(v).trim();
  return c;
}

function evidenceTable(m) {
  const rows = m.evidence.map((e) => {
    const total = e.person + e.matter;
    const cls = total > 0.5 ? "agree" : total < -0.5 ? "disagree" : "";
    return `<tr class="${cls}"><td>${esc(e.field)}</td><td>${esc(e.level)}</td><td>${esc(e.query ?? "–")}</td><td>${esc(e.candidate ?? "–")}</td><td>${e.person.toFixed(1)}</td><td>${e.matter.toFixed(1)}</td></tr>`;
  }).join("");
  return `<table><tr><th>field</th><th>level</th><th>submission</th><th>case on file</th><th>person</th><th>matter</th></tr>${rows}</table>`;
}

function renderCheck(sub, r) {
  $("#check-result").hidden = false;
  $("#verdict").textContent = r.verdict;
  lastOriginal = r.routing ? r.routing.original_id : null;
  $("#routing").textContent = r.routing ? `original ${r.routing.original_id}, first handler ${r.routing.handler ?? "unknown"}` : "";
  $("#register-linked").disabled = !lastOriginal;
  $("#register-state").textContent = "";
  $("#matches").innerHTML = r.matches.slice(0, 5).map((m) => `
    <div class="match" data-id="${esc(m.id)}">
      <p><strong>${esc(m.verdict)}</strong> ${esc(m.id)} · score ${m.score} · ${esc(m.channel ?? "")} ${esc(m.received_at ?? "")} · ${esc(m.handler ?? "")}</p>
      <div class="side">
        <div><h4>Submission</h4><p>${esc(sub.title ?? "")}</p><p>${esc(sub.content ?? "")}</p><p>${esc(sub.location ?? "")}</p></div>
        <div><h4>Case on file</h4><p>${esc(m.title ?? "")}</p><p>${esc(m.summary)}</p><p>${esc(m.location ?? "")}</p></div>
      </div>
      ${evidenceTable(m)}
    </div>`).join("");
}

$("#intake-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  lastSubmission = formCase(e.target);
  try { renderCheck(lastSubmission, await api("POST", "/v1/check", lastSubmission)); } catch (_) { $("#check-result").hidden = true; }
});

async function register(linked) {
  if (!lastSubmission) return;
  const c = Object.assign({}, lastSubmission);
  if (linked && lastOriginal) c.linked_to = lastOriginal;
  try {
    const r = await api("POST", "/v1/cases", c);
    $("#register-state").textContent = `${r.id} ${r.result}${linked ? " (linked to " + lastOriginal + ")" : ""}`;
  } catch (_) { /* shown in the error bar */ }
}
$("#register-new").addEventListener("click", () => register(false));
$("#register-linked").addEventListener("click", () => register(true));

// ---- search
let offset = 0;
const LIMIT = 10;

$("#search-place").addEventListener("input", async (e) => {
  const q = e.target.value.trim();
  if (!q) return;
  try {
    const list = await api("GET", "/v1/places?q=" + encodeURIComponent(q));
    $("#places").innerHTML = list.map((p) => `<option value="${esc(p.code)}">${esc(p.name)}</option>`).join("");
  } catch (_) { /* ignore */ }
});

async function runSearch() {
  const body = { limit: LIMIT, offset, counties: true };
  for (const [k, v] of new FormData($("#search-form")).entries()) if (String(v).trim()) body[k] = String(v).trim();
  const r = await api("POST", "/v1/search", body);
  $("#search-total").textContent = `${r.total} cases`;
  $("#page").textContent = r.total ? `${offset + 1}–${offset + r.hits.length}` : "";
  $("#search-hits").innerHTML = r.hits.map((h) => {
    const snippets = h.highlights.map((x) => `<div>${esc(x.field)}: ${x.html}</div>`).join("");
    return `<li data-id="${esc(h.case.id)}"><strong>${esc(h.case.id)}</strong> ${esc(h.case.channel ?? "")} ${esc((h.case.received_at ?? "").slice(0, 10))} ${esc(h.case.handler ?? "")}${snippets || "<div>" + esc((h.case.content ?? "").slice(0, 80)) + "</div>"}</li>`;
  }).join("");
  const max = Math.max(1, ...(r.counties || []).map((c) => c.count));
  $("#county-chart").innerHTML = "<h4>Cases per county</h4>" + (r.counties || []).slice(0, 15).map((c) =>
    `<div>${esc(c.name || c.code)} <span class="bar" style="width:${Math.round(120 * c.count / max)}px"></span> ${c.count}</div>`).join("");
  document.querySelectorAll("#search-hits li").forEach((li) => li.addEventListener("click", () => showCase(li.dataset.id)));
}

async function showCase(id) {
  try {
    const [c, similar] = await Promise.all([
      api("GET", `/v1/cases/${encodeURIComponent(id)}?related=true`),
      api("GET", `/v1/search?similar_to=${encodeURIComponent(id)}&limit=5`),
    ]);
    const group = (c.related.matches || []).filter((m) => m.verdict === "DUPLICATE" || m.verdict === "RELATED");
    $("#case-view").hidden = false;
    $("#case-view").innerHTML = `<h3>${esc(c.case.id)}</h3>
      <p>${esc(c.case.title ?? "")}</p><p>${esc(c.case.content ?? "")}</p>
      <p>${esc(c.division ? c.division.name : c.case.location ?? "")} · ${esc(c.case.handler ?? "")}</p>
      <h4>Duplicate group and related cases</h4><ul>${group.map((m) => `<li>${esc(m.verdict)} ${esc(m.id)} ${esc(m.received_at ?? "")} ${esc(m.handler ?? "")}</li>`).join("") || "<li>none</li>"}</ul>
      <h4>Similar cases</h4><ul>${similar.hits.map((h) => `<li>${esc(h.case.id)} ${esc((h.case.content ?? "").slice(0, 60))}</li>`).join("") || "<li>none</li>"}</ul>`;
  } catch (_) { /* shown */ }
}

$("#search-form").addEventListener("submit", (e) => { e.preventDefault(); offset = 0; runSearch().catch(() => {}); });
$("#prev").addEventListener("click", () => { offset = Math.max(0, offset - LIMIT); runSearch().catch(() => {}); });
$("#next").addEventListener("click", () => { offset += LIMIT; runSearch().catch(() => {}); });

// ---- dedupe jobs: preview the upload, correct the column mapping, run the job
const FIELD_NAMES = {
  account: "账号", id: "编号", platform: "平台", channel: "渠道", received_at: "登记时间", name: "姓名",
  id_number: "身份证号", phone: "联系电话", contact: "联系方式 (电话+地址)", address: "地址", location: "问题属地",
  headcount: "人数", title: "标题", content: "诉求内容", category: "类别", handler: "首办单位", status: "状态",
};
const EXTENSION_FORMAT = { csv: "csv", tsv: "tsv", xlsx: "xlsx", xlsm: "xlsm", xls: "xls", xlsb: "xlsb", ods: "ods", jsonl: "jsonl", ndjson: "jsonl", json: "jsonl" };
let dedupePreview = null;

function uploadFormat(file) {
  const ext = (file.name.split(".").pop() || "").toLowerCase();
  return EXTENSION_FORMAT[ext] || "jsonl";
}

function renderPreview(p) {
  const known = p.known_fields || Object.keys(FIELD_NAMES);
  const select = (header, field, i) => {
    const options = [`<option value="${esc(header)}"${known.includes(field) ? "" : " selected"}>(extra column 附加列)</option>`]
      .concat(known.map((f) => `<option value="${esc(f)}"${f === field ? " selected" : ""}>${esc(f)} ${esc(FIELD_NAMES[f] || "")}</option>`));
    return `<select class="map-select" data-col="${i}" data-header="${esc(header)}">${options.join("")}</select>`;
  };
  const head = p.headers.map((h) => `<th>${esc(h)}</th>`).join("");
  const maps = p.headers.map((h, i) => `<th class="${known.includes(p.fields[i]) ? "" : "extra"}">${h ? select(h, p.fields[i], i) : ""}</th>`).join("");
  const rows = p.rows.map((r) => `<tr>${r.map((c) => `<td title="${esc(c)}">${esc(c)}</td>`).join("")}</tr>`).join("");
  $("#dedupe-preview-table").innerHTML = `<thead><tr class="headers">${head}</tr><tr class="mapping">${maps}</tr></thead><tbody>${rows}</tbody>`;
  const where = [p.format.toUpperCase(), p.encoding, p.sheet ? `sheet ${p.sheet}` : null, `header on row ${p.header_row + 1}`, `first ${p.rows.length} rows`];
  $("#dedupe-preview-info").textContent = where.filter(Boolean).join(" · ") + " — check the field of each column 请核对每列对应的字段";
  document.querySelectorAll("#dedupe-preview-table .map-select").forEach((s) => s.addEventListener("change", () => {
    s.closest("th").classList.toggle("extra", !known.includes(s.value));
  }));
  $("#dedupe-preview").hidden = false;
}

function chosenColumns() {
  const columns = {};
  document.querySelectorAll("#dedupe-preview-table .map-select").forEach((s) => { columns[s.dataset.header] = s.value; });
  return columns;
}

$("#dedupe-file").addEventListener("change", async () => {
  const file = $("#dedupe-file").files[0];
  dedupePreview = null;
  $("#dedupe-preview").hidden = true;
  $("#dedupe-start").disabled = true;
  $("#dedupe-report").hidden = true;
  $("#dedupe-status").textContent = "";
  if (!file) return;
  try {
    dedupePreview = await api("POST", "/v1/dedupe/preview?format=" + uploadFormat(file), file, "application/octet-stream");
    renderPreview(dedupePreview);
    $("#dedupe-start").disabled = false;
  } catch (_) { /* shown in the error bar */ }
});

$("#dedupe-start").addEventListener("click", async () => {
  const file = $("#dedupe-file").files[0];
  if (!file || !dedupePreview) { showError("choose a file first 请先选择文件"); return; }
  const query = new URLSearchParams({ format: uploadFormat(file), columns: JSON.stringify(chosenColumns()) });
  $("#dedupe-start").disabled = true;
  $("#dedupe-report").hidden = true;
  try {
    const job = await api("POST", "/v1/dedupe/jobs?" + query, file, "application/octet-stream");
    $("#dedupe-progress").hidden = false;
    let s;
    for (;;) {
      s = await api("GET", job.status_url);
      $("#dedupe-status").textContent = `${s.state} · ${s.stage} · ${s.records} records, ${s.rejected} rejected`;
      $("#dedupe-progress").value = s.total ? s.done / s.total : 0;
      if (s.state !== "running" && s.state !== "queued") break;
      await new Promise((r) => setTimeout(r, 500));
    }
    if (s.state === "failed") { showError("the job failed: " + (s.error || "")); return; }
    const html = await api("GET", job.status_url + "/report?format=html");
    $("#dedupe-report").srcdoc = html;
    $("#dedupe-report").hidden = false;
  } catch (_) { /* shown */ } finally { $("#dedupe-start").disabled = false; }
});
