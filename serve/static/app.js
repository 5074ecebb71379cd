// hotline web page: plain JS, no build step. Each view registers in VIEWS; the shared parts are the API call,
// the key box and the tabs.
"use strict";

const KEY_STORAGE = "hotline-api-key";
const EXAMPLE = {
  id: "s002",
  title: "A3区金桂园小区物业擅自收取地面停车费",
  content: "尊敬的领导：我是A3区金桂园小区业主，小区地面停车位属于全体业主共有，但物业公司从今年3月起擅自对地面车位" +
    "每月收取200元停车费，既没有经过业主大会同意，也没有公示收费依据。业主质疑时物业工作人员态度蛮横，" +
    "还威胁不交钱就不让车辆进小区。请相关部门查处物业违规收费行为，退还已收取的费用。",
};
// r010 of data/samples/sample_replies.csv, the example of POST /audit in /docs.
const AUDIT_EXAMPLE = {
  title: "106路公交司机猛开车致老人摔倒",
  content: "6月9日早上乘坐106路公交，司机不等乘客站稳就猛踩油门，一位老人被甩倒，司机还骂人，请严肃处理。",
  reply: "您好！A市公共交通集团于6月10日调取了106路公交车车载视频，核实了您反映的情况，目前正在进一步核实司机的" +
    "违规情节，待核实后将按公司规定严肃处理。6月11日已电话联系您说明了办理进展。",
  message_time: "2020-06-09 12:00:00",
  reply_time: "2020-06-16 10:05:00",
  type: "投诉",
};
const service = { reviewThreshold: null, redoThreshold: null, elementThresholds: null, maxTextChars: null,
                  similar: false };

const $ = (id) => document.getElementById(id);

class ApiError extends Error {
  constructor(status, error) {
    super(error.message || `请求失败（HTTP ${status}）`);
    this.status = status;
    this.field = error.field || null;
  }
}

async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  const key = sessionStorage.getItem(KEY_STORAGE);
  if (key) headers["X-API-Key"] = key;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (network) {
    throw new ApiError(0, { message: "无法连接服务，请检查网络或稍后重试" });
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    if (response.status === 401) $("key-box").open = true;
    throw new ApiError(response.status, data.error || {});
  }
  return data;
}

function percent(score) {
  return `${(score * 100).toFixed(1)}%`;
}

function renderBars(list, scores) {
  list.replaceChildren(...scores.map(({ label, score }) => {
    const item = document.createElement("li");
    const name = document.createElement("span");
    name.className = "label";
    name.textContent = label;
    const track = document.createElement("span");
    track.className = "track";
    const fill = document.createElement("span");
    fill.className = "fill";
    fill.style.width = percent(score);
    track.append(fill);
    const value = document.createElement("span");
    value.className = "value";
    value.textContent = percent(score);
    item.append(name, track, value);
    return item;
  }));
}

function renderRouting(tbody, routing) {
  tbody.replaceChildren(...routing.map(({ unit, score, basis }) => {
    const row = document.createElement("tr");
    for (const text of [unit, score.toFixed(3), basis]) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.append(cell);
    }
    return row;
  }));
}

// A view's form and result panel: `${name}-placeholder`, `${name}-output` and `${name}-error`; an error from the API
// marks the input of the field it names.
function formView(name, form, inputs, onSubmit) {
  const errorBox = $(`${name}-error`);
  const view = {
    showResult(shown) {
      $(`${name}-placeholder`).hidden = shown;
      $(`${name}-output`).hidden = !shown;
    },
    showError(error) {
      view.showResult(false);
      errorBox.textContent = error.message;
      errorBox.hidden = false;
      const input = inputs[error.field];
      if (input) {
        input.setAttribute("aria-invalid", "true");
        input.focus();
      }
    },
    clearError() {
      errorBox.hidden = true;
      errorBox.textContent = "";
      Object.values(inputs).forEach((input) => input.removeAttribute("aria-invalid"));
    },
  };
  const button = form.querySelector("button[type=submit]");
  const label = button.textContent;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (button.disabled) return; // one request at a time: Ctrl+Enter would otherwise send again while waiting
    view.clearError();
    button.disabled = true;
    button.textContent = `${label}中…`;
    try {
      await onSubmit();
    } catch (error) {
      view.showError(error);
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  });
  form.addEventListener("reset", () => {
    view.clearError();
    view.showResult(false);
  });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  return view;
}

// ---- View: dispatch (派单分类) ----
function initDispatch() {
  const form = $("dispatch-form");
  const inputs = { id: $("ticket-id"), title: $("ticket-title"), content: $("ticket-content") };
  const view = formView("dispatch", form, inputs, async () => {
    const ticket = { title: inputs.title.value, content: inputs.content.value };
    if (inputs.id.value.trim()) ticket.id = inputs.id.value.trim();
    // With a repeat-complaint index, the earlier tickets about the same matter are looked up alongside; a failure
    // there leaves the classification shown.
    const similar = service.similar ? api("POST", "/similar", ticket).catch(() => null) : Promise.resolve(null);
    render(await api("POST", "/classify", ticket));
    renderSimilar(await similar);
  });


  function render(result) {
    const top = result.category_scores[0];
    const flag = $("review-flag");
    const threshold = service.reviewThreshold === null ? "" : `，阈值 ${percent(service.reviewThreshold)}`;
    flag.className = result.needs_review ? "flag review" : "flag ok";
    flag.textContent = result.needs_review
      ? `需人工复核：类别置信度 ${percent(top.score)}${threshold}`
      : `可直接派单：类别置信度 ${percent(top.score)}${threshold}`;
    $("category").textContent = result.category;
    $("category-name").textContent = result.category_name && result.category_name !== result.category
      ? `（12345 分类：${result.category_name}）` : "";
    renderBars($("category-scores"), result.category_scores);
    $("type").textContent = result.type;
    renderBars($("type-scores"), result.type_scores);
    renderRouting($("routing").tBodies[0], result.routing);
    $("result-id").textContent = result.id || "—";
    $("result-version").textContent = result.model_version;
    view.showResult(true);
  }

  function renderSimilar(result) {
    $("similar-section").hidden = result === null;
    if (result === null) return;
    const none = $("similar-none");
    none.hidden = result.matches.length > 0;
    none.textContent = `索引中的 ${result.index_size} 件历史工单里，没有相似度达到 ${percent(result.threshold)} 的同一事项。`;
    $("similar").hidden = !result.matches.length;
    $("similar").tBodies[0].replaceChildren(...result.matches.map((match) => {
      const row = document.createElement("tr");
      row.dataset.id = match.id;
      const ticket = document.createElement("td");
      const meta = [match.message_time, match.unit].filter(Boolean).join(" · ");
      ticket.textContent = `${match.id} ${match.title}`;
      if (meta) {
        const small = document.createElement("span");
        small.className = "hint";
        small.textContent = ` ${meta}`;
        ticket.append(small);
      }
      const score = document.createElement("td");
      score.textContent = percent(match.score);
      const evidence = document.createElement("td");
      evidence.textContent = [match.places.join("、"), match.terms.join("、")].filter(Boolean).join(" · ");
      row.append(ticket, score, evidence);
      return row;
    }));
  }

  function updateCount() {
    $("content-count").textContent = Array.from(inputs.content.value).length;
  }

  form.addEventListener("reset", () => setTimeout(updateCount));
  inputs.content.addEventListener("input", updateCount);
  $("fill-example").addEventListener("click", () => {
    Object.entries(EXAMPLE).forEach(([name, value]) => { inputs[name].value = value; });
    view.clearError();
    updateCount();
  });
}


// ---- View: reply check (答复核查) ----
const ELEMENTS = [
  ["org", "办理机构或人员"], ["time", "办理时间"], ["process", "办理过程"], ["result", "办理结果"], ["contact", "联系当事人"],
];
const ELEMENT_NAMES = Object.fromEntries(ELEMENTS);
const RELEVANCE = { 2: "已回应诉求", 1: "部分回应（避重就轻）", 0: "答非所问" };

function listItems(list, texts, empty) {
  const items = texts.length ? texts : [empty];
  list.replaceChildren(...items.map((text) => {
    const item = document.createElement("li");
    item.textContent = text;
    if (!texts.length) item.className = "none";
    return item;
  }));
}

// The reply with each evidence span in a <mark> coloured by its element. Offsets count Unicode code points (as
// Python does), so the text is cut as an array of code points; where spans overlap, the text is cut at every span
// edge and each piece is marked with all the elements covering it (colour of the first, underline of the second).
function highlightEvidence(container, reply, elements) {
  const chars = Array.from(reply);
  const spans = ELEMENTS.flatMap(([name]) => elements[name].evidence.map((span) => ({ ...span, element: name })))
    .filter((span) => span.start >= 0 && span.start < span.end && span.end <= chars.length);
  const cuts = [...new Set([0, chars.length, ...spans.flatMap((span) => [span.start, span.end])])]
    .sort((a, b) => a - b);
  const pieces = [];
  for (let i = 0; i < cuts.length - 1; i += 1) {
    const [from, to] = [cuts[i], cuts[i + 1]];
    const text = chars.slice(from, to).join("");
    const covering = spans.filter((span) => span.start <= from && span.end >= to);
    if (!covering.length) {
      pieces.push(document.createTextNode(text));
      continue;
    }
    const names = [...new Set(covering.map((span) => span.element))];
    const mark = document.createElement("mark");
    mark.className = `el-${names[0]}`;
    if (names.length > 1) {
      mark.classList.add("overlap");
      mark.style.setProperty("--under", `var(--el-${names[1]}-ink)`);
    }
    mark.dataset.elements = names.join(" ");
    mark.title = covering.map((span) => `${ELEMENT_NAMES[span.element]}（${span.kind}）`).join("；");
    mark.textContent = text;
    pieces.push(mark);
  }
  container.replaceChildren(...pieces);
}

function renderElements(list, elements) {
  list.replaceChildren(...ELEMENTS.map(([name, label]) => {
    const { present, confidence, evidence } = elements[name];
    const item = document.createElement("li");
    item.className = present ? "present" : "missing";
    item.dataset.element = name;
    const swatch = document.createElement("span");
    swatch.className = `swatch el-${name}`;
    const title = document.createElement("span");
    title.className = "label";
    title.textContent = label;
    const state = document.createElement("span");
    state.className = "state";
    state.textContent = present ? `✓ 已写明（${evidence.length} 处依据）` : "✗ 缺少";
    const sure = document.createElement("span");
    sure.className = "value";
    // confidence is the probability of the stated decision; show the probability that the element is written,
    // which reads the same way for every element (each is "written" at its own threshold, often below 50 %)
    const threshold = service.elementThresholds?.[name];
    const written = present ? confidence : 1 - confidence;
    sure.textContent = `写明概率 ${percent(written)}` + (threshold == null ? "" : `（阈值 ${percent(threshold)}）`);
    item.append(swatch, title, state, sure);
    return item;
  }));
}

function renderLegend(list) {
  list.replaceChildren(...ELEMENTS.map(([name, label]) => {
    const item = document.createElement("li");
    item.className = `el-${name}`;
    item.textContent = label;
    return item;
  }));
}

function riskLevel(risk) {
  const threshold = service.redoThreshold ?? 0.5;
  if (risk >= threshold) return "high";
  return risk >= threshold / 2 ? "mid" : "low";
}

function timelinessText(timeliness) {
  if (!timeliness) return "未填写留言时间或答复时间，未计算时效。";
  const { working_days: days, limit_days: limit, overdue, note } = timeliness;
  const noteText = note ? `（${note}）` : "";
  if (days === null) return `无法计算${noteText}；时限 ${limit} 个工作日。`;
  const verdict = overdue ? `超期 ${days - limit} 个工作日` : "未超期";
  return `用时 ${days} 个工作日，时限 ${limit} 个工作日：${verdict}${noteText}。`;
}

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const box = document.createElement("textarea");  // plain http on another host: no clipboard API
  box.value = text;
  box.style.position = "fixed";
  box.style.opacity = "0";
  document.body.append(box);
  box.select();
  const copied = document.execCommand("copy");
  box.remove();
  if (!copied) throw new Error("copy refused");
}

function initReplyCheck() {
  const form = $("audit-form");
  const inputs = {
    title: $("audit-title"), content: $("audit-content"), reply: $("audit-reply"),
    message_time: $("audit-message-time"), reply_time: $("audit-reply-time"), type: $("audit-type"),
  };
  const view = formView("audit", form, inputs, async () => {
    const request = Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, input.value.trim()])
      .filter(([name, value]) => value || name === "reply"));
    request.reply = inputs.reply.value;  // as typed: the evidence offsets index this exact text
    render(request.reply, await api("POST", "/audit", request));
  });

  function render(reply, audit) {
    const verdict = $("audit-verdict");
    verdict.className = audit.verdict === "redo" ? "flag redo" : "flag ok";
    verdict.textContent = audit.verdict === "redo" ? "可能被退回重办：请按下面的问题修改后再提交" : "可以提交";
    const risk = $("redo-risk");
    risk.className = `risk ${riskLevel(audit.redo_risk)}`;
    const threshold = service.redoThreshold === null ? "" : `（阈值 ${percent(service.redoThreshold)}）`;
    risk.textContent = `${percent(audit.redo_risk)}${threshold}`;
    $("audit-score").textContent = audit.score.toFixed(1);
    renderElements($("audit-elements"), audit.elements);
    highlightEvidence($("audit-highlight"), reply, audit.elements);
    listItems($("audit-issues"), audit.issues.map(({ code, message }) => `${message}（${code}）`), "未发现问题");
    listItems($("audit-add"), audit.suggestions.add, "无");
    const { level, score, unanswered } = audit.relevance;
    $("audit-relevance").textContent = `${RELEVANCE[level]}（回应程度 ${percent(score)}）` +
      (unanswered.length ? "；答复中看不到回应的诉求：" : "");
    listItems($("audit-unanswered"), unanswered, "");
    $("audit-unanswered").hidden = !unanswered.length;
    $("audit-timeliness").textContent = timelinessText(audit.timeliness);
    $("audit-skeleton").textContent = audit.suggestions.skeleton;
    $("copy-status").textContent = "";
    $("audit-id").textContent = audit.id || "—";
    $("audit-version").textContent = audit.model_version;
    view.showResult(true);
  }

  function updateCount() {
    $("reply-count").textContent = Array.from(inputs.reply.value).length;
  }

  form.addEventListener("reset", () => setTimeout(updateCount));
  inputs.reply.addEventListener("input", updateCount);
  $("audit-fill-example").addEventListener("click", () => {
    Object.entries(AUDIT_EXAMPLE).forEach(([name, value]) => { inputs[name].value = value; });
    view.clearError();
    updateCount();
  });
  $("copy-skeleton").addEventListener("click", async () => {
    try {
      await copyText($("audit-skeleton").textContent);
      $("copy-status").textContent = "已复制";
    } catch {
      $("copy-status").textContent = "无法复制，请手动选择文字";
    }
  });
  renderLegend($("audit-legend"));
}

// Views by name: init runs once at load.
const VIEWS = { dispatch: initDispatch, "reply-check": initReplyCheck };

function showView(name) {
  document.querySelectorAll("section.view").forEach((section) => { section.hidden = section.dataset.view !== name; });
  document.querySelectorAll("nav .tab").forEach((tab) => {
    const active = tab.dataset.view === name;
    tab.classList.toggle("active", active);
    if (active) tab.setAttribute("aria-current", "page"); else tab.removeAttribute("aria-current");
  });
}

async function loadServiceInfo() {
  try {
    const info = await api("GET", "/version");
    service.reviewThreshold = info.review_threshold;
    service.redoThreshold = info.redo_threshold;
    service.elementThresholds = info.element_thresholds;
    service.maxTextChars = info.limits.max_text_chars;
    service.similar = "similar" in info.models;
    $("content-limit").textContent = ` / 上限 ${info.limits.max_text_chars}`;
    $("reply-limit").textContent = ` / 上限 ${info.limits.max_text_chars}`;
    const versions = Object.entries(info.models).map(([name, model]) => `${name} ${model.version}`).join("，");
    $("service-info").textContent = `hotline ${info.service} · 模型 ${versions}`;
  } catch (error) {
    $("service-info").textContent = error.status === 401 ? "hotline · 请填写 API 密钥" : "hotline";
  }
}

function initKeyBox() {
  const input = $("api-key");
  input.value = sessionStorage.getItem(KEY_STORAGE) || "";
  $("save-key").addEventListener("click", () => {
    input.value = input.value.trim();
    if (input.value) sessionStorage.setItem(KEY_STORAGE, input.value);
    else sessionStorage.removeItem(KEY_STORAGE);
    $("key-box").open = false;
    loadServiceInfo();
  });
}

document.addEventListener("DOMContentLoaded", () => {
  Object.values(VIEWS).forEach((init) => init());
  document.querySelectorAll("nav .tab").forEach((tab) => tab.addEventListener("click", () => showView(tab.dataset.view)));
  showView("dispatch");
  initKeyBox();
  loadServiceInfo();
});
