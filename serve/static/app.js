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
const service = { reviewThreshold: null, maxTextChars: null };

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

// ---- View: dispatch (派单分类) ----
function initDispatch() {
  const form = $("dispatch-form");
  const inputs = { id: $("ticket-id"), title: $("ticket-title"), content: $("ticket-content") };
  const errorBox = $("dispatch-error");
  const button = $("classify-button");

  function showResult(shown) {
    $("dispatch-placeholder").hidden = shown;
    $("dispatch-output").hidden = !shown;
  }

  function showError(error) {
    showResult(false);
    errorBox.textContent = error.message;
    errorBox.hidden = false;
    const input = inputs[error.field];
    if (input) {
      input.setAttribute("aria-invalid", "true");
      input.focus();
    }
  }

  function clearError() {
    errorBox.hidden = true;
    errorBox.textContent = "";
    Object.values(inputs).forEach((input) => input.removeAttribute("aria-invalid"));
  }

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
    showResult(true);
  }

  function updateCount() {
    $("content-count").textContent = inputs.content.value.length;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError();
    const ticket = { title: inputs.title.value, content: inputs.content.value };
    if (inputs.id.value.trim()) ticket.id = inputs.id.value.trim();
    button.disabled = true;
    button.textContent = "分类中…";
    try {
      render(await api("POST", "/classify", ticket));
    } catch (error) {
      showError(error);
    } finally {
      button.disabled = false;
      button.textContent = "分类";
    }
  });
  form.addEventListener("reset", () => {
    clearError();
    showResult(false);
    setTimeout(updateCount);
  });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  inputs.content.addEventListener("input", updateCount);
  $("fill-example").addEventListener("click", () => {
    Object.entries(EXAMPLE).forEach(([name, value]) => { inputs[name].value = value; });
    clearError();
    updateCount();
  });
}

// Views by name: init runs once at load. The reply-check view (答复核查) registers here when /audit exists.
const VIEWS = { dispatch: initDispatch };

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
    service.maxTextChars = info.limits.max_text_chars;
    $("content-limit").textContent = ` / 上限 ${info.limits.max_text_chars}`;
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
