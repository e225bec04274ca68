// casematch web page: intake check, supervisor search, dedupe jobs. No frameworks, no CDN;
// every chart is drawn here as SVG.
"use strict";

const $ = (sel) => document.querySelector(sel);
const esc = (s) => String(s ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const day = (t) => (t || "").slice(0, 10);
// now in China time (UTC+8), as the platforms record: 2024-03-02T09:15:00+08:00
function chinaNow() {
  const t = new Date(Date.now() + 8 * 3600 * 1000).toISOString();
  return t.slice(0, 19) + "+08:00";
}
// a timestamp as written (the server keeps the zone it was given): 2024-03-02 09:15
const minute = (t) => (t || "").replace("T", " ").slice(0, 16);

// ---- the engine's words in the desk's language

const VERDICT_LABEL = { DUPLICATE: "重复件", RELATED: "同一事项（他人反映）", SAME_PERSON: "同一人的其他事项", NEW: "新件" };
const MATCH_LABEL = { DUPLICATE: "重复件", RELATED: "同一事项", SAME_PERSON: "同一人其他事项", NEW: "不构成重复（内容略近）" };
const RELATION_PHRASE = { DUPLICATE: "为同一人同一事项", RELATED: "为同一事项（反映人不同）", SAME_PERSON: "为同一人反映的另一事项" };
const CHANNEL_DOC = { 网上: "网上信访件", 电话: "电话来件", 来信: "来信件", 来访: "来访件", 微信: "微信来件", 手机APP: "手机APP来件", 短信: "短信来件" };
const FIELD_LABEL = {
  name_phone: "姓名与电话", id_number: "身份证号", home: "住址", account: "平台账号", text: "诉求内容",
  place: "问题属地", time_gap: "时间间隔", category: "类别", channel: "渠道", recurrence: "重复反映表述",
  object: "所涉对象",
};
const FIELD_SHORT = {
  name_phone: "姓名电话", id_number: "身份证", home: "住址", account: "账号", text: "诉求内容",
  place: "属地", time_gap: "时间", category: "类别", channel: "渠道", recurrence: "重复表述",
  object: "对象",
};
const NAME_LEVEL = { same: "姓名相同", similar: "姓名相近", weak: "姓名部分相符", different: "姓名不同", missing: "姓名缺失" };
const PHONE_LEVEL = { same: "电话相同", partial: "电话部分相同", different: "电话不同", missing: "电话缺失" };
const LEVEL_PHRASE = {
  id_number: { exact: "身份证号相同", masked_consistent: "身份证号（部分遮挡）相符", masked_weak: "身份证号（遮挡较多）不矛盾",
    invalid_same: "身份证号相同（校验位不符）", different: "身份证号不同", invalid_different: "身份证号不同（校验位不符）", missing: "身份证号缺失" },
  home: { same_address: "住址相同", similar_address: "住址相近", other_address_same_town: "同一街道的不同住址",
    other_address_same_county: "同一区县的不同住址", same_town: "住址在同一街道乡镇", same_county: "住址在同一区县",
    same_city: "住址在同一城市", same_province: "住址在同一省份", nearby_county: "住址在相邻区县", different: "住址不同", unknown: "住址缺失" },
  account: { same: "平台账号相同", different: "平台账号不同", other_platform: "不同平台的账号", missing: "平台账号缺失" },
  text: { very_high: "诉求内容高度相似", high: "诉求内容相似", medium: "诉求内容部分相似", low: "诉求内容略有相似",
    weak: "诉求内容相似度很低", none: "诉求内容不同", short: "诉求内容过短，无法比较", missing: "诉求内容缺失" },
  place: { same_town: "问题属地在同一街道乡镇", same_county: "问题属地在同一区县", same_city: "问题属地在同一城市",
    same_province: "问题属地在同一省份", nearby_county: "问题属地在相邻区县", different: "问题属地不同", unknown: "问题属地缺失" },
  time_gap: { same_day: "同一天登记", week: "相隔一周以内", month: "相隔一个月以内", quarter: "相隔三个月以内",
    year: "相隔一年以内", longer: "相隔一年以上", unknown: "登记时间缺失" },
  category: { same: "类别相同", different: "类别不同", missing: "类别缺失" },
  channel: { same_channel: "同一渠道", cross_channel: "不同渠道", unknown: "渠道缺失" },
  recurrence: { later_says_repeated: "后件称曾经反映过", no_claim: "未称曾经反映", unknown: "无从判断是否称反映过" },
  object: { same: "提到同一小区、村、单位或道路", different: "提到的小区、村、单位或道路不同", missing: "未提到可比对的具体对象" },
};
const PERSON_FIELDS = new Set(["name_phone", "id_number", "home", "account"]);

const TEXT_PLACE_CLASS = { consistent: "（问题属地相符）", apart: "（问题属地不同）", unknown: "" };

function levelPhrase(field, level) {
  if (field === "name_phone") {
    const m = /^name_(\w+)\+phone_(\w+)$/.exec(level || "");
    if (m) return `${NAME_LEVEL[m[1]] || m[1]}、${PHONE_LEVEL[m[2]] || m[2]}`;
  }
  if (field === "text") {
    // the text level is read together with how the two places compare (text+place_class)
    const m = /^(\w+)\+place_(\w+)$/.exec(level || "");
    if (m) return (LEVEL_PHRASE.text[m[1]] || m[1]) + (TEXT_PLACE_CLASS[m[2]] || "");
  }
  return (LEVEL_PHRASE[field] || {})[level] || level;
}

// a log2 likelihood ratio as a word: what the field says
function weightWords(bits) {
  const a = Math.abs(bits);
  if (a < 0.25) return "不影响判断";
  const strength = a >= 8 ? "强烈" : a >= 3 ? "明显" : a >= 1 ? "" : "略微";
  return strength + (bits > 0 ? "支持" : "反对");
}

function confidenceWords(p) {
  if (p >= 0.99) return "几乎可以肯定";
  if (p >= 0.95) return "很有把握";
  if (p >= 0.8) return "较有把握";
  if (p >= 0.6) return "倾向于此结论";
  return "把握不大，请人工核对";
}

const CHANNEL_ICON = {
  网上: '<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3c3 3.5 3 14.5 0 18M12 3c-3 3.5-3 14.5 0 18"/>',
  电话: '<path d="M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2z"/>',
  来信: '<rect x="3" y="5" width="18" height="14" rx="1"/><path d="M3 6l9 7 9-7"/>',
  来访: '<circle cx="12" cy="7" r="4"/><path d="M4 21c0-4.4 3.6-8 8-8s8 3.6 8 8"/>',
  微信: '<path d="M4 11c0-4 3.6-7 8-7s8 3 8 7-3.6 7-8 7c-1 0-2-.1-3-.4L5 19l1-3c-1.3-1.3-2-3-2-5z"/>',
  手机APP: '<rect x="7" y="2" width="10" height="20" rx="2"/><path d="M11 18h2"/>',
  短信: '<rect x="3" y="4" width="18" height="13" rx="2"/><path d="M8 21l3-4M7 9h10M7 12h6"/>',
};
function channelIcon(ch) {
  const path = CHANNEL_ICON[ch] || '<circle cx="12" cy="12" r="8"/>';
  return `<svg class="icon" viewBox="0 0 24 24" role="img" aria-label="${esc(ch || "渠道不详")}"><title>${esc(ch || "渠道不详")}</title>${path}</svg>`;
}

const STATUS_LABEL = { queued: "排队中", running: "处理中", done: "已完成", failed: "失败" };
const HTTP_WORDS = {
  400: "请求有误", 401: "API 密钥缺失或无效", 403: "当前角色无权使用此功能", 404: "未找到", 409: "任务尚未完成",
  413: "内容过大", 415: "不支持的内容类型", 429: "请求过多，请稍后再试", 500: "服务内部错误", 503: "服务暂时不可用，请稍后重试",
};

function showError(message) {
  const box = $("#error");
  box.textContent = message;
  box.hidden = !message;
}

// The API key lives in this tab's session only.
function apiKey() { return sessionStorage.getItem("casematch-key") || ""; }

// the request with the key; an answer other than 2xx is shown in the error bar and thrown
async function send(method, path, body, contentType = "application/json") {
  const headers = {};
  if (apiKey()) headers["Authorization"] = "Bearer " + apiKey();
  if (body !== undefined) headers["Content-Type"] = contentType;
  const resp = await fetch(path, { method, headers, body: body === undefined ? undefined : (contentType === "application/json" ? JSON.stringify(body) : body) });
  if (!resp.ok) {
    const text = await resp.text();
    let data = null;
    try { data = JSON.parse(text); } catch (_) { data = text; }
    const words = HTTP_WORDS[resp.status] || "请求失败";
    const detail = data && data.error ? `（${data.error.code}: ${data.error.message}）` : "";
    const msg = `${resp.status} · ${words}${detail}`;
    showError(msg);
    throw new Error(msg);
  }
  showError("");
  return resp;
}

async function api(method, path, body, contentType = "application/json") {
  const text = await (await send(method, path, body, contentType)).text();
  try { return JSON.parse(text); } catch (_) { return text; }
}

// ---- tabs and login
function showTab(name) {
  document.querySelectorAll(".tab").forEach((t) => t.classList.toggle("active", t.dataset.tab === name));
  document.querySelectorAll(".page").forEach((p) => { p.hidden = p.id !== name; });
}
document.querySelectorAll(".tab").forEach((b) => b.addEventListener("click", () => showTab(b.dataset.tab)));
function showKeyState() { $("#key-state").textContent = apiKey() ? "已设置密钥" : "未设置密钥"; }
$("#login").addEventListener("submit", (e) => {
  e.preventDefault();
  sessionStorage.setItem("casematch-key", $("#api-key").value.trim());
  $("#api-key").value = "";
  showKeyState();
});
showKeyState();

// ---- intake
let lastSubmission = null;
let lastResult = null;
let lastOriginal = null;
let model = null;

async function loadModel() {
  if (!model) model = await api("GET", "/v1/model");
  return model;
}

function formCase(form) {
  const c = { id: "UI-" + Date.now(), received_at: chinaNow() };
  for (const [k, v] of new FormData(form).entries()) if (String(v).trim()) c[k] = String(v).trim();
  return c;
}

// a value as the desk reads it: dates without the time zone's digits
function shownValue(field, v) {
  if (v == null) return "—";
  return field === "time_gap" ? minute(v) : v;
}

function evidenceTable(m) {
  const rows = m.evidence.map((e) => {
    const bits = e.person + e.matter;
    const cls = bits > 0.5 ? "agree" : bits < -0.5 ? "disagree" : "";
    const toward = PERSON_FIELDS.has(e.field) ? "是否同一人" : "是否同一事项";
    return `<tr class="${cls}"><td>${esc(FIELD_LABEL[e.field] || e.field)}</td><td>${esc(levelPhrase(e.field, e.level))}</td>` +
      `<td>${esc(shownValue(e.field, e.query))}</td><td>${esc(shownValue(e.field, e.candidate))}</td>` +
      `<td title="${toward}：${bits.toFixed(1)} 比特">${esc(weightWords(bits))}<small>（${toward}）</small></td></tr>`;
  }).join("");
  return `<table class="evidence"><tr><th>字段</th><th>比对结果</th><th>本件</th><th>在档案件</th><th>对判断的影响</th></tr>${rows}</table>`;
}

// the fields that speak for the match, strongest first, as one phrase
function reasons(m, verdict) {
  const relevant = (e) => (verdict === "RELATED" ? !PERSON_FIELDS.has(e.field) : verdict === "SAME_PERSON" ? PERSON_FIELDS.has(e.field) : true);
  const strong = m.evidence.filter((e) => relevant(e) && e.person + e.matter >= 1)
    .sort((a, b) => (b.person + b.matter) - (a.person + a.matter)).slice(0, 3);
  return strong.map((e) => levelPhrase(e.field, e.level)).join("，");
}

// how sure the verdict is: the top match's score (0..1), or for a new case its complement
function confidence(r) {
  const top = r.matches[0];
  if (r.verdict === "NEW") return top ? 1 - top.score : 1;
  return top ? top.score : 0;
}

// the match a verdict is explained by: the group's original (首办) when it is among the
// matches, else the strongest match
function explainedMatch(r) {
  const orig = r.routing && r.matches.find((m) => m.id === r.routing.original_id && m.verdict === r.verdict);
  return orig || r.matches[0];
}

function verdictSentence(r) {
  const top = explainedMatch(r);
  if (r.verdict === "NEW") {
    if (!top) return "库中没有与本件相近的案件，按新件登记。";
    return `未发现重复：最接近的是 ${day(top.received_at)} ${CHANNEL_DOC[top.channel] || "案件"} ${top.id}，但证据不足以认定为同一人或同一事项。`;
  }
  const why = reasons(top, r.verdict);
  return `与 ${day(top.received_at)} ${CHANNEL_DOC[top.channel] || "案件"} ${top.id} ${RELATION_PHRASE[r.verdict]}${why ? "：" + why : ""}。`;
}

// ---- the waterfall: prior, each field's contribution, the total against the threshold
function waterfall(title, base, steps, total, threshold) {
  const W = 600, H = 210, left = 44, right = 76, top = 24, bottom = 44;
  const bars = [{ label: "起点", value: base, kind: "base", tip: "先验与另一问题的影响" }]
    .concat(steps.map((s) => ({ label: s.short, value: s.value, kind: s.value >= 0 ? "up" : "down", tip: s.tip })))
    .concat([{ label: "合计", value: total, kind: total >= threshold ? "yes" : "no", tip: "合计" }]);
  let cum = 0;
  const spans = bars.map((b) => {
    if (b.kind === "yes" || b.kind === "no") return [0, total];
    const from = cum; cum += b.value; return [from, cum];
  });
  const values = spans.flat().concat([0, threshold]);
  let lo = Math.min(...values), hi = Math.max(...values);
  if (hi - lo < 1) hi = lo + 1;
  const pad = (hi - lo) * 0.08; lo -= pad; hi += pad;
  const y = (v) => top + (H - top - bottom) * (hi - v) / (hi - lo);
  const slot = (W - left - right) / bars.length;
  const bw = Math.min(40, slot * 0.7);
  let svg = `<svg class="waterfall" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">`;
  svg += `<text x="${left}" y="15" class="wf-title">${esc(title)}</text>`;
  svg += `<line x1="${left}" x2="${W - right}" y1="${y(0)}" y2="${y(0)}" class="wf-zero"/>`;
  bars.forEach((b, i) => {
    const [a, c] = spans[i];
    const x = left + i * slot + (slot - bw) / 2;
    const y1 = Math.min(y(a), y(c)), h = Math.max(1.5, Math.abs(y(a) - y(c)));
    svg += `<rect x="${x.toFixed(1)}" y="${y1.toFixed(1)}" width="${bw.toFixed(1)}" height="${h.toFixed(1)}" class="wf-${b.kind}"><title>${esc(b.tip)}：${b.value >= 0 ? "+" : ""}${b.value.toFixed(1)}</title></rect>`;
    if (i > 0 && i < bars.length - 1) {
      const pc = spans[i - 1][1];
      svg += `<line x1="${(x - (slot - bw)).toFixed(1)}" x2="${x.toFixed(1)}" y1="${y(pc).toFixed(1)}" y2="${y(a).toFixed(1)}" class="wf-link"/>`;
    }
    svg += `<text x="${(x + bw / 2).toFixed(1)}" y="${H - bottom + 16}" class="wf-label">${esc(b.label)}</text>`;
    const v = b.value;
    // a falling step's figure goes below it
    const ty = b.kind === "down" || (b.kind !== "up" && Math.max(a, c) <= 0) ? y1 + h + 11 : y1 - 3;
    svg += `<text x="${(x + bw / 2).toFixed(1)}" y="${ty.toFixed(1)}" class="wf-value">${v >= 0 ? "+" : ""}${v.toFixed(1)}</text>`;
  });
  svg += `<line x1="${left}" x2="${W - right}" y1="${y(threshold).toFixed(1)}" y2="${y(threshold).toFixed(1)}" class="wf-threshold"/>`;
  svg += `<text x="${W - right + 6}" y="${(y(threshold) + 4).toFixed(1)}" class="wf-threshold-label">判定线 ${threshold.toFixed(1)}</text>`;
  svg += `<text x="${left - 6}" y="${y(0) + 4}" class="wf-axis">0</text>`;
  return svg + "</svg>";
}

function waterfallCaption(question, total, threshold) {
  const margin = total - threshold;
  const how = Math.abs(margin) >= 10 ? "远" : Math.abs(margin) >= 3 ? "明显" : "略";
  return margin >= 0 ? `${how}高于判定线：认定${question}` : `${how}低于判定线：不认定${question}`;
}

function renderWaterfall(m) {
  if (!model || !m) { $("#waterfall").innerHTML = ""; return; }
  const build = (person) => {
    const ev = m.evidence.filter((e) => PERSON_FIELDS.has(e.field) === person);
    const steps = ev.map((e) => ({ short: FIELD_SHORT[e.field] || e.field, value: person ? e.person : e.matter,
      tip: `${FIELD_LABEL[e.field] || e.field}：${levelPhrase(e.field, e.level)}` }))
      .filter((s) => Math.abs(s.value) >= 0.05);
    const total = person ? m.person_score : m.matter_score;
    const base = total - steps.reduce((a, s) => a + s.value, 0);
    const threshold = person ? model.person_threshold : model.matter_threshold;
    const q = person ? "同一人" : "同一事项";
    const caption = !person && m.via_group
      ? "单件略低于判定线；本件与同一事项在档的多件案件都相近，合并认定为同一事项"
      : waterfallCaption(q, total, threshold);
    return `<figure>${waterfall("是否" + q, base, steps, total, threshold)}<figcaption>${caption}` +
      `<small>起点为先验（及另一问题的结论）；绿色为支持、红色为反对的字段，单位为比特（每 +1 把握翻一倍）。</small></figcaption></figure>`;
  };
  $("#waterfall-of").textContent = `（本件与 ${m.id}）`;
  $("#waterfall").innerHTML = build(true) + build(false);
}

function renderCheck(sub, r) {
  lastResult = r;
  $("#check-result").hidden = false;
  $("#receipt").hidden = true;
  $("#verdict").textContent = VERDICT_LABEL[r.verdict] || r.verdict;
  $("#verdict").dataset.verdict = r.verdict;
  $("#verdict-code").textContent = r.verdict;
  $("#verdict-box").className = "v-" + r.verdict.toLowerCase();
  $("#verdict-sentence").textContent = verdictSentence(r);
  const p = confidence(r);
  $("#confidence-words").textContent = confidenceWords(p);
  $("#confidence-bar").style.width = Math.round(100 * p) + "%";
  $("#confidence-meter").title = `把握程度 ${Math.round(100 * p)}%`;
  lastOriginal = r.routing ? r.routing.original_id : null;
  $("#routing").textContent = r.routing
    ? `原件 ${r.routing.original_id}（${day(r.routing.received_at)}），首办单位：${r.routing.handler ?? "未记录"}。`
    : "";
  $("#register-linked").disabled = !lastOriginal;
  $("#register-state").textContent = "";
  const shown = explainedMatch(r);
  $("#matches").innerHTML = r.matches.slice(0, 5).map((m, i) => `
    <div class="match${m === shown ? " selected" : ""}" data-id="${esc(m.id)}">
      <p><button type="button" class="link show-waterfall" data-i="${i}" title="画出本件与 ${esc(m.id)} 的证据瀑布图">${esc(MATCH_LABEL[m.verdict] || m.verdict)} · ${esc(m.id)}</button>
        ${channelIcon(m.channel)} ${esc(m.channel ?? "")} · ${esc(day(m.received_at))} · ${esc(m.handler ?? "首办单位未记录")}
        ${m.via_group ? `<span class="badge via-group" title="单件略低于判定线，与同一事项在档的多件案件合并认定">同事项多件合并认定</span>` : ""}
        <span class="meter small" title="${Math.round(100 * m.score)}%"><span style="width:${Math.round(100 * m.score)}%"></span></span>
        <button type="button" class="link person-open" data-id="${esc(m.id)}" title="该件反映人的全部来件，按事项归并">反映人历次来件</button></p>
      <div class="side">
        <div><h4>本件</h4><p>${esc(sub.title ?? "")}</p><p>${esc(sub.content ?? "")}</p><p>${esc(sub.location ?? "")}</p></div>
        <div><h4>在档案件</h4><p>${esc(m.title ?? "")}</p><p>${esc(m.summary)}</p><p>${esc(m.location ?? "")}</p></div>
      </div>
      <details${m === shown ? " open" : ""}><summary>逐项比对</summary>${evidenceTable(m)}</details>
    </div>`).join("") || "<p>没有相近的案件。</p>";
  document.querySelectorAll("#matches .show-waterfall").forEach((b) => b.addEventListener("click", () => {
    document.querySelectorAll("#matches .match").forEach((d) => d.classList.remove("selected"));
    b.closest(".match").classList.add("selected");
    b.closest(".match").querySelector("details").open = true;
    renderWaterfall(r.matches[Number(b.dataset.i)]);
  }));
  bindPersonLinks($("#matches"));
  renderWaterfall(shown);
  $("#history").innerHTML = "";
  if (r.routing) loadHistory(r.routing.original_id, $("#history"), sub).catch(() => {});
  else $("#history").innerHTML = r.verdict === "SAME_PERSON"
    ? "<li class='empty'>本件是该反映人的新事项，在档无同一事项的记录；其另一事项见左侧相关案件。</li>"
    : "<li class='empty'>在档无同一事项的记录，本件是该事项的首件。</li>";
  // the likely next step gets the focus: Enter registers
  (lastOriginal ? $("#register-linked") : $("#register-new")).focus();
}

const RELATION_LABEL = { self: "本件", duplicate: "同一人同一事项", related: "同一事项·他人反映" };
let historyRecords = new Map();

// `pending`: the submission at the desk, shown on top of its original's history
async function loadHistory(id, list, pending) {
  const h = await api("GET", `/v1/cases/${encodeURIComponent(id)}/history`);
  h.records.forEach((rec) => historyRecords.set(rec.id, rec));
  const relation = (rec) => (pending && rec.relation === "self" ? "原件" : RELATION_LABEL[rec.relation] || rec.relation);
  const top = pending ? `<li class="rel-self pending"><div class="record-pending">${channelIcon(pending.channel)}
      <span class="when">${esc(day(chinaNow()))}</span><span class="badge">本件</span><strong>待登记</strong>
      <span class="who">${esc(pending.channel ?? "")} · 本次受理</span><span class="what">${esc(pending.title || pending.content || "")}</span></div></li>` : "";
  list.innerHTML = top + h.records.map((rec) => `
    <li class="rel-${esc(rec.relation)}${rec.first ? " first" : ""}">
      <button type="button" class="record-open" data-id="${esc(rec.id)}" title="打开 ${esc(rec.id)}">
        ${channelIcon(rec.channel)}
        <span class="when">${esc(day(rec.received_at) || "日期不详")}</span>
        ${rec.first ? '<span class="badge first-badge">首办</span>' : ""}
        <span class="badge">${esc(relation(rec))}</span>
        <strong>${esc(rec.id)}</strong>
        <span class="who">${esc(rec.channel ?? "渠道不详")} · ${esc(rec.handler ?? "承办单位未记录")} · <span class="status">${esc(rec.status ?? "状态不详")}</span></span>
        <span class="what">${esc(rec.title || rec.summary)}</span>
      </button>
    </li>`).join("");
  list.querySelectorAll(".record-open").forEach((b) => b.addEventListener("click", () => openRecord(b.dataset.id)));
  return h;
}

function openRecord(id) {
  const rec = historyRecords.get(id);
  if (!rec) return;
  $("#record-body").innerHTML = `<h3>${channelIcon(rec.channel)} ${esc(rec.id)} <small>${rec.relation === "self" ? "" : esc(RELATION_LABEL[rec.relation] || "")}${rec.first ? " · 首办" : ""}</small></h3>
    <table>
      <tr><th>登记时间</th><td>${esc(minute(rec.received_at))}</td></tr>
      <tr><th>渠道</th><td>${esc(rec.channel ?? "")}${rec.platform ? " · " + esc(rec.platform) : ""}</td></tr>
      <tr><th>承办单位</th><td>${esc(rec.handler ?? "未记录")}</td></tr>
      <tr><th>办理状态</th><td>${esc(rec.status ?? "不详")}</td></tr>
      <tr><th>问题属地</th><td>${esc(rec.location ?? "")}</td></tr>
      ${rec.linked_to ? `<tr><th>关联原件</th><td>${esc(rec.linked_to)}</td></tr>` : ""}
      <tr><th>标题</th><td>${esc(rec.title ?? "")}</td></tr>
      <tr><th>诉求内容</th><td>${esc(rec.content ?? rec.summary)}</td></tr>
    </table>`;
  $("#record-dialog").showModal();
  $("#record-close").focus();
}

async function runCheck() {
  const form = $("#intake-form");
  lastSubmission = formCase(form);
  $("#check-button").disabled = true;
  try {
    await loadModel().catch(() => null);
    renderCheck(lastSubmission, await api("POST", "/v1/check", lastSubmission));
  } catch (_) {
    $("#check-result").hidden = true;
  } finally {
    $("#check-button").disabled = false;
  }
}

$("#intake-form").addEventListener("submit", (e) => { e.preventDefault(); runCheck(); });

function masked(s, head, tail) {
  const chars = Array.from(s || "");
  if (chars.length <= head + tail) return chars.join("");
  return chars.slice(0, head).join("") + "*".repeat(chars.length - head - tail) + chars.slice(chars.length - tail).join("");
}

function fillReceipt(c, linked) {
  const r = lastResult;
  $("#r-id").textContent = c.id;
  $("#r-time").textContent = minute(c.received_at);
  $("#r-name").textContent = c.name ?? "（未留姓名）";
  // the phone's digits, country code dropped, masked as on every printed form: 139****5678
  const digits = (c.phone || "").replace(/\D/g, "").replace(/^(?:0086|86)(?=1\d{10}$)/, "");
  $("#r-phone").textContent = digits ? masked(digits, 3, 4) : "（未留电话）";
  $("#r-channel").textContent = c.channel ?? "";
  $("#r-location").textContent = c.location ?? "";
  $("#r-content").textContent = Array.from(c.content ?? "").slice(0, 120).join("") + (Array.from(c.content ?? "").length > 120 ? "……" : "");
  $("#r-verdict").textContent = r ? `${VERDICT_LABEL[r.verdict]}。${verdictSentence(r)}` : "";
  const orig = linked && r && r.routing ? r.routing : null;
  $("#r-original").textContent = orig ? `${orig.original_id}（${day(orig.received_at)} 登记）` : "无（作为新件登记）";
  $("#r-handler").textContent = orig ? (orig.handler ?? "未记录") : "待分办";
  $("#receipt").hidden = false;
}

async function register(linked) {
  if (!lastSubmission) return;
  if (linked && !lastOriginal) return;
  const c = Object.assign({}, lastSubmission);
  if (linked && lastOriginal) c.linked_to = lastOriginal;
  try {
    const r = await api("POST", "/v1/cases", c);
    const done = r.result === "added" ? "已登记" : "已更新";
    $("#register-state").textContent = `${done} ${r.id}${linked ? "，已关联原件 " + lastOriginal : "（新件）"}`;
    $("#register-state").dataset.result = r.result;
    fillReceipt(c, linked);
    const pending = $("#history .pending strong");
    if (pending) pending.textContent = `${r.id}（已登记）`;
    $("#print-button").focus();
  } catch (_) { /* shown in the error bar */ }
}
$("#register-new").addEventListener("click", () => register(false));
$("#register-linked").addEventListener("click", () => register(true));
$("#print-button").addEventListener("click", () => window.print());

function clearIntake() {
  $("#intake-form").reset();
  document.querySelectorAll("#intake-form .suggested").forEach((el) => el.classList.remove("suggested"));
  $("#ticket-note").hidden = true;
  $("#check-result").hidden = true;
  $("#receipt").hidden = true;
  lastSubmission = lastResult = lastOriginal = null;
  $("#f-content").focus();
}
$("#clear-button").addEventListener("click", clearIntake);

// ---- a pasted ticket: the server picks out the fields, the clerk confirms them
const TICKET_FIELDS = [["name", "姓名"], ["phone", "联系电话"], ["id_number", "身份证号"], ["location", "问题属地"], ["address", "住址"], ["title", "标题"]];

async function readTicket() {
  const text = $("#f-content").value;
  if (!text.trim()) return;
  const t = await api("POST", "/v1/ticket", { text });
  const filled = [];
  for (const [field, label] of TICKET_FIELDS) {
    const el = $("#f-" + field);
    if (t[field] && el.value.trim() !== t[field]) {
      el.value = t[field];
      el.classList.add("suggested");
      filled.push(label);
    }
  }
  if (t.channel && $("#f-channel").value !== t.channel) {
    $("#f-channel").value = t.channel;
    $("#f-channel").classList.add("suggested");
    filled.push("渠道");
  }
  if (t.content && t.content !== text) {
    $("#f-content").value = t.content;
    $("#f-content").classList.add("suggested");
    filled.push("诉求内容（已去掉工单表头）");
  }
  const warn = t.id_number_check === "invalid" ? "注意：身份证号校验位不符，请与来访人核对。" : "";
  const place = t.division ? `属地识别为 ${t.division}。` : "";
  const note = $("#ticket-note");
  note.textContent = filled.length
    ? `已从工单识别：${filled.join("、")}。黄色字段请逐项核对后再查重。${place}${warn}`
    : "未能从工单中识别出字段，请手工录入。";
  note.hidden = false;
  note.classList.toggle("warn", Boolean(warn));
}

$("#f-content").addEventListener("paste", () => {
  // after the paste lands in the field; a short note is typed, a ticket is pasted
  setTimeout(() => { if ($("#f-content").value.length >= 20) readTicket().catch(() => {}); }, 0);
});
$("#ticket-button").addEventListener("click", () => readTicket().catch(() => {}));
document.querySelectorAll("#intake-form input, #intake-form select, #intake-form textarea").forEach((el) =>
  el.addEventListener("input", () => el.classList.remove("suggested")));

// ---- keyboard: the desk works without a mouse
$("#f-content").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); runCheck(); }
});
document.addEventListener("keydown", (e) => {
  if (!e.altKey || e.ctrlKey || e.metaKey) return;
  const intake = !$("#intake").hidden;
  // the physical key: Option+L on a Mac types ¬
  const key = (e.code || "").startsWith("Key") ? e.code.slice(3).toLowerCase() : e.key.toLowerCase();
  const act = {
    l: () => { if (!$("#check-result").hidden && !$("#register-linked").disabled) register(true); },
    n: () => { if (!$("#check-result").hidden) register(false); },
    t: () => readTicket().catch(() => {}),
    c: clearIntake,
    p: () => { if (!$("#receipt").hidden) window.print(); },
  }[key];
  if (intake && act) { e.preventDefault(); act(); }
});

// ---- search: the result list, and beside it the views a supervisor reads at a glance
// (facet counts, the time histogram, divisions as a treemap), each value a button that filters
let offset = 0;
const LIMIT = 10;
// the filters and total of the list on screen: what an export holds
let lastSearch = null;
// division names by code, from the facets: the place filter holds a code, its chip a name
const placeNames = new Map();

$("#search-place").addEventListener("input", async (e) => {
  const q = e.target.value.trim();
  if (!q) return;
  try {
    const list = await api("GET", "/v1/places?q=" + encodeURIComponent(q));
    $("#places").innerHTML = list.map((p) => `<option value="${esc(p.code)}">${esc(p.name)}</option>`).join("");
  } catch (_) { /* ignore */ }
});

const HIGHLIGHT_FIELD = { title: "标题", content: "内容", location: "属地" };

// the form's fields each filter is kept in: the form is the one place the filters live
const FILTER_INPUT = {
  channel: "#search-channel", place: "#search-place", handler: "#search-form [name=handler]",
  category: "#search-form [name=category]", from: "#search-form [name=from]", to: "#search-form [name=to]",
};
const FACET_NONE = { channel: "无渠道记录", category: "无类别记录", handler: "无首办单位记录", month: "无登记时间" };
const FACET_SHOWN = 8;
const TREEMAP_CELLS = 40;
// rows an export holds at most (the server's window, docs/SEARCH.md)
const MAX_EXPORT_ROWS = 10000;

function searchFilters() {
  const body = {};
  for (const [k, v] of new FormData($("#search-form")).entries()) if (String(v).trim()) body[k] = String(v).trim();
  return body;
}

function setFilter(name, value) {
  const el = $(FILTER_INPUT[name]);
  // a channel the list lacks (an alias the index kept) is added so that the select can hold it
  if (el.tagName === "SELECT" && value && !Array.from(el.options).some((o) => o.value === value)) el.add(new Option(value, value));
  el.value = value;
}

const pad2 = (n) => String(n).padStart(2, "0");
const monthLabel = (ym) => `${ym.slice(0, 4)}年${Number(ym.slice(5, 7))}月`;
// the first and last day of a month (2024-02 → 2024-02-01, 2024-02-29)
function monthBounds(ym) {
  const [y, m] = ym.split("-").map(Number);
  return [`${ym}-01`, `${ym}-${pad2(new Date(Date.UTC(y, m, 0)).getUTCDate())}`];
}
// the month that from–to spans exactly, else null
function monthOf(from, to) {
  if (!from || !to) return null;
  const [a, b] = monthBounds(from.slice(0, 7));
  return from === a && to === b ? from.slice(0, 7) : null;
}
function addDays(date, n) {
  const d = new Date(date + "T00:00:00Z");
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

// the chips of the filters in force, each a button that removes its filter
function filterChips(f) {
  const chips = [];
  if (f.channel) chips.push({ keys: ["channel"], label: `渠道：${f.channel}` });
  if (f.category) chips.push({ keys: ["category"], label: `类别：${f.category}` });
  if (f.handler) chips.push({ keys: ["handler"], label: `首办单位：${f.handler}` });
  // a code picked from the autocomplete (4301) is named as the facets name it (430100)
  const place = f.place && (placeNames.get(f.place) || (/^\d{2,4}$/.test(f.place) && placeNames.get(f.place.padEnd(6, "0"))) || f.place);
  if (f.place) chips.push({ keys: ["place"], label: `属地：${place}` });
  if (f.from || f.to) {
    const m = monthOf(f.from, f.to);
    const label = m ? `月份：${monthLabel(m)}` : f.from === f.to ? `日期：${f.from}`
      : f.from && f.to ? `时间：${f.from} 至 ${f.to}` : f.from ? `时间：${f.from} 起` : `时间：${f.to} 止`;
    chips.push({ keys: ["from", "to"], label });
  }
  return chips;
}

function renderChips(f) {
  const chips = filterChips(f);
  const box = $("#search-chips");
  box.innerHTML = chips.length ? "<span class='chips-label'>筛选：</span>" + chips.map((c) =>
    `<button type="button" class="chip" data-keys="${c.keys.join(",")}" aria-label="移除筛选 ${esc(c.label)}">${esc(c.label)} <span aria-hidden="true">×</span></button>`).join("") +
    (chips.length > 1 ? `<button type="button" class="link" id="chips-clear">全部清除</button>` : "") : "";
  box.hidden = !chips.length;
}

$("#search-chips").addEventListener("click", (e) => {
  const chip = e.target.closest("button.chip, #chips-clear");
  if (!chip) return;
  const keys = chip.id === "chips-clear" ? Object.keys(FILTER_INPUT) : chip.dataset.keys.split(",");
  keys.forEach((k) => setFilter(k, ""));
  offset = 0;
  runSearch().then(() => {
    // the focus stays in the chips (the next one), or goes back to the query
    const next = $("#search-chips button.chip") || $("#search-q");
    next.focus();
  }).catch(() => {});
});

// the filters a click adds; clicking the value in force removes it
async function applyFilter(set, focusKey) {
  for (const [k, v] of Object.entries(set)) setFilter(k, v);
  offset = 0;
  await runSearch();
  const chip = focusKey && $(`#search-chips button.chip[data-keys^="${focusKey}"]`);
  if (chip) chip.focus();
}

function facetActive(kind, value, f) {
  return kind === "month" ? monthOf(f.from, f.to) === value : f[kind] === value;
}

function facetList(kind, items, f) {
  if (!items.length) return `<li class="none">${FACET_NONE[kind]}</li>`;
  const max = Math.max(...items.map((i) => i.count));
  const label = kind === "month" ? monthLabel : (v) => v;
  const list = items.map((it, i) => {
    const on = facetActive(kind, it.value, f);
    return `<li${i >= FACET_SHOWN ? " class='more' hidden" : ""}><button type="button" class="facet-value" data-kind="${kind}" data-value="${esc(it.value)}" data-count="${it.count}" aria-pressed="${on}"` +
      ` title="${on ? "取消筛选" : "按此筛选"}：${esc(label(it.value))}，${it.count} 件"><span class="fill" style="width:${(100 * it.count / max).toFixed(1)}%"></span>` +
      `<span class="name">${esc(label(it.value))}</span><span class="count">${it.count}</span></button></li>`;
  }).join("");
  const more = items.length > FACET_SHOWN ? `<li><button type="button" class="link more-toggle" aria-expanded="false">显示全部 ${items.length} 项</button></li>` : "";
  return list + more;
}

// bars per month from the first to the last matching case (empty months included); when all
// fall in one month, the API's day or week buckets
function histogramBars(facets) {
  const months = facets.months || [];
  const bars = [];
  if (months.length) {
    const count = new Map(months.map((m) => [m.value, m.count]));
    let [y, m] = months[0].value.split("-").map(Number);
    const last = months[months.length - 1].value;
    for (;;) {
      const ym = `${y}-${pad2(m)}`;
      const [from, to] = monthBounds(ym);
      bars.push({ label: monthLabel(ym), axis: m === 1 || !bars.length ? `${y}年${m}月` : `${m}月`, from, to, count: count.get(ym) || 0 });
      if (ym >= last) break;
      if (++m > 12) { m = 1; y += 1; }
    }
  }
  const h = facets.histogram || { buckets: [] };
  if (bars.length <= 1 && h.buckets.length > 1) {
    const week = h.interval === "week";
    return { unit: week ? "周" : "日", bars: h.buckets.map((b) => {
      const to = week ? addDays(b.start, 6) : b.start;
      return { label: week ? `${b.start} 起一周` : b.start, axis: b.start.slice(5).replace("-", "/"), from: b.start, to, count: b.count };
    }) };
  }
  return { unit: "月", bars };
}

function renderHistogram(facets, f) {
  const { unit, bars } = histogramBars(facets);
  $("#histogram-title").textContent = `时间分布（按${unit}）`;
  if (!bars.length) { $("#histogram").innerHTML = "<p class='empty'>无登记时间</p>"; return; }
  const max = Math.max(1, ...bars.map((b) => b.count));
  const every = Math.ceil(bars.length / 12);
  $("#histogram").innerHTML = `<div class="hist" role="group" aria-label="各${unit}件数">` + bars.map((b, i) => {
    const on = f.from === b.from && f.to === b.to;
    return `<button type="button" class="hbar" data-from="${b.from}" data-to="${b.to}" data-count="${b.count}" aria-pressed="${on}"` +
      ` aria-label="${esc(b.label)}：${b.count} 件" title="${esc(b.label)}：${b.count} 件">` +
      `<span class="hcount">${bars.length <= 24 && b.count ? b.count : ""}</span>` +
      `<span class="hcol"><span class="hfill" style="height:${(100 * b.count / max).toFixed(1)}%"></span></span>` +
      `<span class="haxis">${i % every === 0 ? esc(b.axis) : ""}</span></button>`;
  }).join("") + "</div>";
}

// Squarified treemap (Bruls, Huizing & van Wijk): cells of areas proportional to the values,
// laid in rows along the shorter side, a row growing while its worst aspect ratio improves.
// `values` most first; returns one rectangle per value in a w×h box.
function squarify(values, w, h) {
  const total = values.reduce((a, v) => a + v, 0);
  if (!total) return [];
  const areas = values.map((v) => v * w * h / total);
  const rects = [];
  let x = 0, y = 0, i = 0;
  const worst = (row, side) => {
    const s = row.reduce((a, v) => a + v, 0);
    return Math.max(side * side * Math.max(...row) / (s * s), (s * s) / (side * side * Math.min(...row)));
  };
  while (i < areas.length) {
    const side = Math.min(w, h);
    const row = [areas[i]];
    let j = i + 1;
    while (j < areas.length && worst(row.concat(areas[j]), side) <= worst(row, side)) row.push(areas[j++]);
    const thick = row.reduce((a, v) => a + v, 0) / side;
    let at = 0;
    for (const a of row) {
      const len = a / thick;
      rects.push(w >= h ? { x, y: y + at, w: thick, h: len } : { x: x + at, y, w: len, h: thick });
      at += len;
    }
    if (w >= h) { x += thick; w -= thick; } else { y += thick; h -= thick; }
    i = j;
  }
  return rects;
}

// the name under its parent: 湖南省长沙市岳麓区 under 湖南省长沙市 is 岳麓区
function shortName(full, parents) {
  const p = parents.find((n) => n && full.startsWith(n) && full.length > n.length);
  return p ? full.slice(p.length) : full;
}

function renderTreemap(box, divisions, parents, f, what, height) {
  if (!divisions.length) { box.innerHTML = `<p class="empty">无可识别属地的案件</p>`; box.style.height = ""; return; }
  const shown = divisions.slice(0, TREEMAP_CELLS);
  const rest = divisions.slice(TREEMAP_CELLS);
  const W = box.clientWidth || 420, H = height;
  const rects = squarify(shown.map((d) => d.count), W, H);
  const max = shown[0].count;
  box.style.height = H + "px";
  box.innerHTML = shown.map((d, i) => {
    const r = rects[i];
    const name = shortName(d.name || d.code, parents);
    const on = f.place === d.code;
    const shade = 0.25 + 0.75 * d.count / max;
    const size = r.w < 44 || r.h < 30 ? " tiny" : "";
    return `<button type="button" class="cell${size}${shade > 0.6 ? " dark" : ""}" data-code="${esc(d.code)}" data-count="${d.count}" data-name="${esc(d.name)}" aria-pressed="${on}"` +
      ` style="left:${(100 * r.x / W).toFixed(3)}%;top:${(100 * r.y / H).toFixed(3)}%;width:${(100 * r.w / W).toFixed(3)}%;height:${(100 * r.h / H).toFixed(3)}%;--shade:${shade.toFixed(3)}"` +
      ` aria-label="${esc(d.name || d.code)}：${d.count} 件" title="${on ? "取消筛选" : "按此筛选"}：${esc(d.name || d.code)}，${d.count} 件">` +
      `<span class="cname">${esc(name)}</span><span class="ccount">${d.count}</span></button>`;
  }).join("");
  if (rest.length) {
    const n = rest.reduce((a, d) => a + d.count, 0);
    box.insertAdjacentHTML("afterend", `<p class="hint treemap-rest">另有 ${rest.length} 个${what}共 ${n} 件未画出</p>`);
  }
}

function renderViews(r, f) {
  const facets = r.facets;
  const any = Boolean(facets) && r.total > 0;
  $("#views").hidden = !any;
  $("#views-empty").hidden = any;
  $("#views-empty").textContent = any ? "" : "没有符合条件的案件，无可统计的件数。";
  document.querySelectorAll("#search-views .treemap-rest").forEach((p) => p.remove());
  if (!any) return;
  for (const [kind, items] of [["channel", facets.channels], ["category", facets.categories], ["handler", facets.handlers], ["month", facets.months]]) {
    $(`#facet-${kind} ul`).innerHTML = facetList(kind, items || [], f);
  }
  renderHistogram(facets, f);
  const provinces = facets.provinces || [], cities = facets.cities || [];
  renderTreemap($("#province-map"), provinces, [], f, "省份", 110);
  renderTreemap($("#county-chart"), facets.counties || [], cities.map((c) => c.name).concat(provinces.map((p) => p.name)), f, "区县", 220);
}

$("#search-views").addEventListener("click", (e) => {
  const b = e.target.closest("button");
  if (!b) return;
  if (b.classList.contains("more-toggle")) {
    const open = b.getAttribute("aria-expanded") !== "true";
    b.closest("ul").querySelectorAll("li.more").forEach((li) => { li.hidden = !open; });
    b.setAttribute("aria-expanded", String(open));
    b.textContent = open ? "收起" : `显示全部 ${b.closest("ul").querySelectorAll("button.facet-value").length} 项`;
    return;
  }
  const off = b.getAttribute("aria-pressed") === "true";
  let set, key;
  if (b.classList.contains("facet-value")) {
    const { kind, value } = b.dataset;
    if (kind === "month") { const [from, to] = monthBounds(value); set = off ? { from: "", to: "" } : { from, to }; key = "from"; }
    else { set = { [kind]: off ? "" : value }; key = kind; }
  } else if (b.classList.contains("hbar")) {
    set = off ? { from: "", to: "" } : { from: b.dataset.from, to: b.dataset.to }; key = "from";
  } else if (b.classList.contains("cell")) {
    if (!off) placeNames.set(b.dataset.code, b.dataset.name);
    set = { place: off ? "" : b.dataset.code }; key = "place";
  } else return;
  applyFilter(set, off ? null : key).then(() => { if (off) $("#search-q").focus(); }).catch(() => {});
});

let searchSeq = 0;

async function runSearch() {
  const filters = searchFilters();
  // another page of the same search keeps the views drawn: facets visit every matching case
  const samePages = lastSearch && offset > 0 && JSON.stringify(filters) === JSON.stringify(lastSearch.filters);
  // clicks quicker than the answers: only the last search's answer is drawn
  const seq = ++searchSeq;
  $("#search-views").setAttribute("aria-busy", "true");
  let r;
  try {
    r = await api("POST", "/v1/search", Object.assign({ limit: LIMIT, offset, facets: !samePages }, filters));
  } finally {
    if (seq === searchSeq) $("#search-views").removeAttribute("aria-busy");
  }
  if (seq !== searchSeq) return;
  lastSearch = { filters, total: r.total };
  for (const d of [].concat((r.facets || {}).provinces || [], (r.facets || {}).cities || [], (r.facets || {}).counties || [])) placeNames.set(d.code, d.name);
  $("#search-total").textContent = `共 ${r.total} 件`;
  $("#page").textContent = r.total ? `第 ${offset + 1}–${offset + r.hits.length} 件` : "";
  $("#search-empty").hidden = r.total > 0;
  $("#search-empty").textContent = r.total ? "" : (filterChips(filters).length
    ? "没有符合条件的案件。可以删去上方的筛选条件，或换个关键词再试。" : "没有符合条件的案件，请换个关键词再试。");
  $("#search-hits").innerHTML = r.hits.map((h) => {
    const snippets = h.highlights.map((x) => `<div>${esc(HIGHLIGHT_FIELD[x.field] || x.field)}：${x.html}</div>`).join("");
    return `<li data-id="${esc(h.case.id)}"><button type="button" class="link case-open">${esc(h.case.id)}</button> ${channelIcon(h.case.channel)} ${esc(h.case.channel ?? "")} ${esc(day(h.case.received_at))} ${esc(h.case.handler ?? "")}${personLink(h.case)}${snippets || "<div>" + esc((h.case.content ?? "").slice(0, 80)) + "</div>"}</li>`;
  }).join("");
  document.querySelectorAll("#search-hits li").forEach((li) => li.querySelector(".case-open").addEventListener("click", () => showCase(li.dataset.id)));
  bindPersonLinks($("#search-hits"));
  $(".pager").hidden = !r.total;
  $("#prev").disabled = offset === 0;
  $("#next").disabled = offset + r.hits.length >= r.total;
  $("#export-csv").disabled = $("#export-xlsx").disabled = r.total === 0;
  $("#export-state").textContent = "";
  renderChips(filters);
  if (!samePages) renderViews(r, filters);
}

// the list on screen (its query and filters, every page) through the export endpoint, saved
// as a download: the key travels in a header, so the file is fetched, then handed to the browser
async function exportResults(format) {
  if (!lastSearch || !lastSearch.total) return;
  const state = $("#export-state");
  state.textContent = "正在导出……";
  const buttons = [$("#export-csv"), $("#export-xlsx")];
  buttons.forEach((b) => { b.disabled = true; });
  try {
    const resp = await send("POST", "/v1/search/export", Object.assign({}, lastSearch.filters, { format }));
    const blob = await resp.blob();
    const stamp = chinaNow().slice(0, 16).replace(/[-:]/g, "").replace("T", "-");
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `案件查询_${stamp}.${format}`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 60000);
    const rows = Math.min(lastSearch.total, MAX_EXPORT_ROWS);
    state.textContent = `已导出 ${rows} 件（${format === "xlsx" ? "Excel" : "CSV"}）` +
      (lastSearch.total > MAX_EXPORT_ROWS ? `；结果超过 ${MAX_EXPORT_ROWS} 件，只含前 ${MAX_EXPORT_ROWS} 件，请加筛选条件分批导出` : "");
  } catch (_) {
    state.textContent = "导出失败";
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
}
$("#export-csv").addEventListener("click", () => exportResults("csv"));
$("#export-xlsx").addEventListener("click", () => exportResults("xlsx"));

async function showCase(id) {
  try {
    const [c, similar] = await Promise.all([
      api("GET", `/v1/cases/${encodeURIComponent(id)}`),
      api("GET", `/v1/search?similar_to=${encodeURIComponent(id)}&limit=5`),
    ]);
    $("#case-view").hidden = false;
    $("#case-view").innerHTML = `<h3>${channelIcon(c.case.channel)} ${esc(c.case.id)}</h3>
      <p>${esc(c.case.title ?? "")}</p><p>${esc(c.case.content ?? "")}</p>
      <p>${esc(c.division ? c.division.name : c.case.location ?? "")} · ${esc(c.case.handler ?? "")}</p>
      ${personLink(c.case) ? `<p>反映人：${esc(c.case.name ?? "")}${personLink(c.case)}</p>` : ""}
      <h4>事项经过（重复组与同一事项）</h4><ol class="timeline" id="case-history"></ol>
      <h4>相似案件</h4><ul>${similar.hits.map((h) => `<li>${esc(h.case.id)} ${esc((h.case.content ?? "").slice(0, 60))}</li>`).join("") || "<li>无</li>"}</ul>`;
    bindPersonLinks($("#case-view"));
    await loadHistory(id, $("#case-history"));
  } catch (_) { /* shown */ }
}

// ---- a complainant's history: the person of a case shown on either page ----
// The page holds the case's identifiers masked; the server reads them from the stored case
// (`case_id`), so the link carries only the case id, and the look-up is audited there.

const PERSON_KEY = { id_number: "身份证号", phone: "电话", account: "平台账号", name: "姓名" };
const PERSON_LEVEL = { exact: "确认", possible: "疑似" };

// a link when the case records someone (masked values count: the server holds the rest)
function personLink(c) {
  const someone = ["name", "phone", "id_number", "account"].some((k) => c[k] && String(c[k]).trim());
  return someone
    ? ` <button type="button" class="link person-open" data-id="${esc(c.id)}" title="该件反映人的全部来件，按事项归并">反映人历次来件</button>`
    : "";
}

function bindPersonLinks(root) {
  root.querySelectorAll(".person-open").forEach((b) => b.addEventListener("click", () => showPerson(b.dataset.id).catch(() => {})));
}

// the matter's title, else the start of its first case's narrative
function matterHeading(m) {
  const first = m.cases[m.cases.length - 1];
  const text = (first.case && first.case.content) || "";
  return m.title || first.title || (text.length > 28 ? text.slice(0, 28) + "……" : text) || m.matter;
}

function matterSpan(m) {
  const a = day(m.first_received) || "日期不详", b = day(m.last_received) || "日期不详";
  return a === b ? a : `${a} 至 ${b}`;
}

async function showPerson(caseId) {
  const h = await api("POST", "/v1/person", { case_id: caseId });
  const keys = h.keys.map((k) => PERSON_KEY[k] || k).join("、");
  $("#person-title").textContent = `反映人历次来件（由 ${caseId} 的${keys}查得）`;
  $("#person-summary").textContent = `共 ${h.total} 件：确认 ${h.exact} 件，疑似 ${h.possible} 件（对方平台导出时已打码的号码，仅与之相符）；归为 ${h.matters.length} 个事项，新近的事项在前。`
    + (h.truncated ? "来件过多，只列出了一部分。" : "");
  $("#person-matters").innerHTML = h.matters.map((m) => `
    <section class="${m.match === "possible" ? "possible" : "exact"}" data-matter="${esc(m.matter)}">
      <h4><span class="badge${m.match === "possible" ? " possible-badge" : ""}">${esc(PERSON_LEVEL[m.match] || m.match)}</span>${esc(matterHeading(m))}</h4>
      <p class="facts">${esc(matterSpan(m))} · 来件 ${m.submissions} 次 · ${esc(m.channels.join("、") || "渠道不详")}
        · 首办单位：${esc(m.first_handler ?? "未记录")} · 最新状态：<span class="status">${esc(m.latest_status ?? "不详")}</span></p>
      <ol>${m.cases.map((c) => `<li data-id="${esc(c.id)}">${channelIcon(c.channel)} ${esc(day(c.received_at) || "日期不详")} <strong>${esc(c.id)}</strong>
        ${esc(c.channel ?? "")} · ${esc(c.handler ?? "承办单位未记录")} · ${esc(c.status ?? "状态不详")}
        ${c.match === "possible" ? '<span class="badge possible-badge">疑似</span>' : ""}${c.id === caseId ? '<span class="badge">本件</span>' : ""}</li>`).join("")}</ol>
    </section>`).join("") || "<p class='empty'>没有查到该反映人的来件。</p>";
  $("#person-dialog").showModal();
  $("#person-close").focus();
}

$("#search-form").addEventListener("submit", (e) => { e.preventDefault(); offset = 0; runSearch().catch(() => {}); });
$("#prev").addEventListener("click", () => { offset = Math.max(0, offset - LIMIT); runSearch().catch(() => {}); });
$("#next").addEventListener("click", () => { offset += LIMIT; runSearch().catch(() => {}); });

// ---- dedupe jobs: preview the upload, correct the column mapping, run the job
const FIELD_NAMES = {
  account: "账号", id: "编号", platform: "平台", channel: "渠道", received_at: "登记时间", name: "姓名",
  id_number: "身份证号", phone: "联系电话", contact: "联系方式（电话+地址）", address: "地址", location: "问题属地",
  headcount: "人数", title: "标题", content: "诉求内容", category: "类别", handler: "首办单位", status: "状态",
};
const STAGE_LABEL = { reading: "读取", queued: "排队", blocking: "配对", scoring: "评分", clustering: "聚类", report: "生成报告", done: "完成" };
const EXTENSION_FORMAT = { csv: "csv", tsv: "tsv", xlsx: "xlsx", xlsm: "xlsm", xls: "xls", xlsb: "xlsb", ods: "ods", jsonl: "jsonl", ndjson: "jsonl", json: "jsonl" };
let dedupePreview = null;

function uploadFormat(file) {
  const ext = (file.name.split(".").pop() || "").toLowerCase();
  return EXTENSION_FORMAT[ext] || "jsonl";
}

function renderPreview(p) {
  const known = p.known_fields || Object.keys(FIELD_NAMES);
  const select = (header, field, i) => {
    const options = [`<option value="${esc(header)}"${known.includes(field) ? "" : " selected"}>（附加列 extra）</option>`]
      .concat(known.map((f) => `<option value="${esc(f)}"${f === field ? " selected" : ""}>${esc(FIELD_NAMES[f] || f)} ${esc(f)}</option>`));
    return `<select class="map-select" data-col="${i}" data-header="${esc(header)}" aria-label="${esc(header)} 对应字段">${options.join("")}</select>`;
  };
  const head = p.headers.map((h) => `<th>${esc(h)}</th>`).join("");
  const maps = p.headers.map((h, i) => `<th class="${known.includes(p.fields[i]) ? "" : "extra"}">${h ? select(h, p.fields[i], i) : ""}</th>`).join("");
  const rows = p.rows.map((r) => `<tr>${r.map((c) => `<td title="${esc(c)}">${esc(c)}</td>`).join("")}</tr>`).join("");
  $("#dedupe-preview-table").innerHTML = `<thead><tr class="headers">${head}</tr><tr class="mapping">${maps}</tr></thead><tbody>${rows}</tbody>`;
  const where = [p.format.toUpperCase(), p.encoding, p.sheet ? `工作表 ${p.sheet}` : null, `表头在第 ${p.header_row + 1} 行`, `预览前 ${p.rows.length} 行`];
  $("#dedupe-preview-info").textContent = where.filter(Boolean).join(" · ") + " —— 请核对每列对应的字段";
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
  $("#dedupe-file-name").textContent = file ? file.name : "未选择文件";
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
  if (!file || !dedupePreview) { showError("请先选择文件"); return; }
  const query = new URLSearchParams({ format: uploadFormat(file), columns: JSON.stringify(chosenColumns()) });
  $("#dedupe-start").disabled = true;
  $("#dedupe-report").hidden = true;
  try {
    const job = await api("POST", "/v1/dedupe/jobs?" + query, file, "application/octet-stream");
    $("#dedupe-progress").hidden = false;
    let s;
    for (;;) {
      s = await api("GET", job.status_url);
      const stage = s.state === "running" ? ` · ${STAGE_LABEL[s.stage] || s.stage}` : "";
      $("#dedupe-status").textContent = `${STATUS_LABEL[s.state] || s.state}${stage} · 共 ${s.records} 条，拒收 ${s.rejected} 条`;
      $("#dedupe-status").dataset.state = s.state;
      $("#dedupe-progress").value = s.total ? s.done / s.total : 0;
      if (s.state !== "running" && s.state !== "queued") break;
      await new Promise((r) => setTimeout(r, 500));
    }
    if (s.state === "failed") { showError("查重任务失败：" + (s.error || "")); return; }
    renderReport(await api("GET", job.status_url + "/report"));
  } catch (_) { /* shown */ } finally { $("#dedupe-start").disabled = false; }
});

// the job's report (JSON) in Chinese
const pctText = (x) => (100 * x).toFixed(1) + "%";
function rateTable(title, what, rows) {
  if (!rows || !rows.length) return "";
  const max = Math.max(1, ...rows.map((r) => r.records));
  return `<h4>${esc(title)}</h4><table class="report-table"><tr><th>${esc(what)}</th><th>件数</th><th></th><th>重复率</th><th>事项数</th><th>重信重访率</th></tr>` +
    rows.map((r) => `<tr><td>${esc(r.label || r.key || "未知")}</td><td class="num">${r.records}</td>` +
      `<td><span class="bar" style="width:${Math.round(120 * r.records / max)}px"></span></td>` +
      `<td class="num">${pctText(r.duplicate_rate)}</td><td class="num">${r.matters}</td><td class="num">${pctText(r.repeat_petition_rate)}</td></tr>`).join("") + "</table>";
}

// what was compared, then in one clause the fields one side lacks
function sampleEvidence(evidence) {
  const absent = (f, l) => ["missing", "unknown", "name_missing+phone_missing"].includes(l) || (f === "recurrence" && l === "unknown");
  const said = evidence.filter(([f, l]) => !absent(f, l)).map(([f, l]) => esc(levelPhrase(f, l)));
  const lacking = evidence.filter(([f, l]) => absent(f, l)).map(([f]) => esc(FIELD_LABEL[f] || f));
  return said.join("；") + (lacking.length ? `<br>缺失：${lacking.join("、")}` : "");
}

function renderReport(r) {
  const box = $("#dedupe-report");
  const figures = [[r.records, "条记录"], [r.duplicate_groups, "个重复组"], [r.matter_groups, "个事项"],
    [pctText(r.duplicate_rate), "重复率"], [pctText(r.repeat_petition_rate), "重信重访率"]];
  let h = "<h3>查重报告</h3><div class='figures'>" + figures.map(([v, l]) => `<div><b>${esc(v)}</b><span>${esc(l)}</span></div>`).join("") + "</div>";
  h += "<p class='hint'>重复率：与同一人同一事项的更早记录重复的记录所占比例。重信重访率：同一反映人多次反映的事项所占比例。</p>";
  h += rateTable("按平台", "平台", r.by_platform) + rateTable("按渠道", "渠道", r.by_channel) + rateTable("按区县", "区县", r.by_county);
  if ((r.largest_collective_matters || []).length) {
    h += "<h4>规模最大的集体事项</h4><table class='report-table'><tr><th>原件</th><th>反映人数</th><th>件数</th><th>渠道</th><th>属地</th><th>首办单位</th><th>摘要</th></tr>" +
      r.largest_collective_matters.map((c) => `<tr><td>${esc(c.original)}</td><td class="num">${c.complainants}</td><td class="num">${c.records}</td>` +
        `<td>${esc((c.channels || []).join("、"))}</td><td>${esc(c.location ?? "")}</td><td>${esc(c.handler ?? "")}</td><td>${esc(c.summary)}</td></tr>`).join("") + "</table>";
  }
  if ((r.sample_groups || []).length) {
    h += "<h4>重复组示例</h4>" + r.sample_groups.map((g) => `<h5>${esc(g.duplicate_group)} <small>属于事项 ${esc(g.matter_group)}</small></h5>` +
      "<table class='report-table'><tr><th>编号</th><th>登记时间</th><th>渠道</th><th>摘要</th><th>与原件比对</th></tr>" +
      g.members.map((m) => `<tr><td>${esc(m.id)}</td><td>${esc(day(m.received_at))}</td><td>${channelIcon(m.channel)} ${esc(m.channel ?? "")}</td><td>${esc(m.summary)}</td>` +
        `<td><small>${m.evidence.length ? sampleEvidence(m.evidence) : "原件"}</small></td></tr>`).join("") + "</table>").join("");
  }
  box.innerHTML = h;
  box.hidden = false;
}
