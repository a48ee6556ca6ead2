// The plan view: per part status and numbers in words, the tabs with the charts (plotly
// figures from the service) and tables, and the downloads.

import { ApiError, fileBlob, fileUrl, getJson } from "./api.js";
import { $, dataTable, el, num, outcomeWords, pct, replace, statusBadge, PART_NAMES } from "./dom.js";

let shown = null; // {id, plan}
const TABS = ["training", "staffing", "rollout", "replan", "files"];

export function setupTabs() {
  const tabs = TABS.map((name) => $(`tab-${name}`));
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => selectTab(TABS[i]));
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (step === undefined) return;
      const next = tabs[(i + step + tabs.length) % tabs.length];
      next.focus();
      selectTab(TABS[(i + step + tabs.length) % tabs.length]);
    });
  });
}

export function selectTab(name) {
  for (const other of TABS) {
    const selected = other === name;
    const tab = $(`tab-${other}`);
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
    $(`panel-${other}`).hidden = !selected;
  }
  renderPanel(name);
}

function currentTab() {
  return TABS.find((name) => $(`tab-${name}`).getAttribute("aria-selected") === "true");
}

/** Shows plan `id` (its plan.json) as the current plan. */
export function showPlan(id, plan, files, label = `plan ${id}`) {
  shown = { id, plan };
  replace($("plan-summary"), planSummary(label, plan));
  $("tabs").hidden = false;
  for (const part of ["training", "staffing", "rollout"]) {
    $(`tab-${part}`).hidden = !plan[part];
  }
  renderFiles(id, files);
  const tab = currentTab();
  selectTab($(`tab-${tab}`).hidden ? "replan" : tab);
}

export function clearPlan(text = "Load an instance and solve it to see a plan.") {
  shown = null;
  replace($("plan-summary"), el("p", { class: "meta" }, text));
  $("tabs").hidden = true;
  for (const name of TABS) $(`panel-${name}`).hidden = true;
}

function planSummary(label, plan) {
  const rows = [];
  for (const part of ["training", "staffing", "rollout"]) {
    const record = plan[part];
    if (!record) continue;
    const o = record.outcome;
    rows.push(el("tr", {},
      el("th", { scope: "row" }, PART_NAMES[part]),
      el("td", {}, statusBadge(o.status), " ", outcomeWords(o.status)),
      el("td", { class: "num" }, num(o.objective)),
      el("td", { class: "num" }, num(o.bound)),
      el("td", { class: "num" }, pct(o.gap)),
      el("td", {}, record.coupling || o.message || "")));
  }
  const head = el("tr", {}, ["Part", "Status", "Objective", "Best bound", "Gap", "Note"]
    .map((h) => el("th", { scope: "col" }, h)));
  return [
    el("p", { class: "meta" }, `Current plan: ${label} of ${plan.instance.name}. Lower `
      + "objectives are better; "
      + "the gap is how far the plan can at most be from the best possible one."),
    el("table", { class: "parts" }, el("thead", {}, head), el("tbody", {}, rows)),
  ];
}

function renderPanel(name) {
  if (!shown) return;
  const panel = $(`panel-${name}`);
  for (const box of panel.querySelectorAll("[data-figure]")) renderFigure(box);
  for (const box of panel.querySelectorAll("[data-table]")) renderTable(box);
}

async function renderFigure(box) {
  const { id } = shown;
  if (box.dataset.plan === String(id)) return;
  box.dataset.plan = String(id);
  const name = box.dataset.figure;
  if (!window.Plotly) {
    replace(box, el("p", { class: "plotly-missing" }, "The chart library did not load."));
    return;
  }
  try {
    const figure = await getJson(`/plans/${id}/figures/${name}`);
    if (box.dataset.plan !== String(id)) return; // another plan was shown meanwhile
    window.Plotly.purge(box);
    box.replaceChildren();
    await window.Plotly.newPlot(box, figure.data, figure.layout,
      { displaylogo: false, responsive: true });
  } catch (error) {
    replace(box, el("p", { class: "meta" }, missing(error, "chart")));
  }
}

async function renderTable(box) {
  const { id } = shown;
  if (box.dataset.plan === String(id)) return;
  box.dataset.plan = String(id);
  try {
    const table = await getJson(`/plans/${id}/tables/${box.dataset.table}`);
    if (box.dataset.plan !== String(id)) return;
    replace(box, dataTable(table));
  } catch (error) {
    replace(box, el("p", { class: "meta" }, missing(error, "table")));
  }
}

function missing(error, what) {
  if (error instanceof ApiError && error.status === 404) {
    return `This plan has no such ${what} (${error.message}).`;
  }
  return `The ${what} could not be loaded: ${error.message}`;
}

const FILE_WORDS = {
  "plan.xlsx": "every table in one Excel workbook",
  "report.html": "the whole plan as one page (opens offline)",
  "training.ics": "every planned session as a calendar",
  "anlage1.xlsx": "Anlage 1 for Excel",
  "anlage1.html": "Anlage 1 as a page",
  "anlage2.html": "Anlage 2 as a page",
  "plan.json": "everything, for juwe and other programs",
  "solve_stats.json": "status, objective, bound, gap and seconds per part",
};

function renderFiles(id, files) {
  const main = files.filter((f) => f in FILE_WORDS);
  const rest = files.filter((f) => !(f in FILE_WORDS));
  const order = Object.keys(FILE_WORDS);
  main.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const item = (name) => el("li", {}, downloadLink(id, name),
    FILE_WORDS[name] ? ` – ${FILE_WORDS[name]}` : "");
  replace($("files"),
    el("ul", { class: "files" }, main.map(item)),
    el("h4", {}, "Tables (CSV) and calendars per group or trainer"),
    el("ul", { class: "files columns" }, rest.map(item)));
}

export function downloadLink(id, name) {
  const base = name.split("/").pop();
  return el("a", { href: fileUrl(id, name), download: base, "data-file": name,
    onclick: (event) => downloadWithToken(event, id, name, base) }, name);
}

async function downloadWithToken(event, id, name, base) {
  if (!sessionStorage.getItem("juwe-token")) return; // a plain link works
  event.preventDefault();
  const url = URL.createObjectURL(await fileBlob(id, name));
  const a = el("a", { href: url, download: base });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
