// Small DOM and wording helpers: elements built with text (never HTML strings from data).

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function $(id) {
  return document.getElementById(id);
}

export function replace(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
}

const NUMBER = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 2 });

export function num(value) {
  return value === null || value === undefined || Number.isNaN(value) ? "–" : NUMBER.format(value);
}

export function pct(gap) {
  return gap === null || gap === undefined ? "–" : `${(gap * 100).toFixed(2)} %`;
}

export const PART_NAMES = { training: "training", staffing: "staffing", rollout: "rollout",
  joint: "training + rollout (one model)" };

const OUTCOME_WORDS = {
  optimal: "no better plan exists",
  feasible: "the best plan found in the time limit",
  infeasible: "the rules conflict",
  unknown: "no plan found in the time limit",
};

/** What a part's status means, in words (shown beside its badge). */
export function outcomeWords(status) {
  return OUTCOME_WORDS[status] || status;
}

const JOB_WORDS = {
  queued: "waiting in the queue",
  running: "solving",
  done: "finished",
  stopped: "stopped",
  infeasible: "no plan: rules are in conflict",
  failed: "failed",
  interrupted: "interrupted (the service was restarted)",
};

export function jobWords(status) {
  return JOB_WORDS[status] || status;
}

const PHASE_WORDS = { start: "starting", lp_bound: "computing the LP bound",
  near_lp: "searching near the LP's plan", search: "searching",
  lns: "re-planning a few groups at a time",
  fallback: "hand-planning fallback", explain: "naming the rules in conflict",
  done: "finished" };

export function phaseWords(phase) {
  return PHASE_WORDS[phase] || phase || "";
}

export function statusBadge(status, words = status) {
  return el("span", { class: `status ${status}` }, words);
}

/** A table of {columns, rows}; cells "erl." get the done colour (Anlage 1). */
export function dataTable(table, caption) {
  const head = el("tr", {}, table.columns.map((c) => el("th", { scope: "col" }, c)));
  const body = table.rows.map((row) => el("tr", {}, row.map(cell)));
  return el("div", { class: "table-wrap", tabindex: "0", role: "region",
    "aria-label": caption || table.title },
  el("table", { class: "data" }, el("thead", {}, head), el("tbody", {}, body)));
}

function cell(value) {
  if (typeof value === "number") return el("td", { class: "num" }, num(value));
  if (value === "erl.") return el("td", { class: "erl" }, value);
  if (value === "offen") return el("td", { class: "open" }, value);
  return el("td", {}, value === null ? "" : String(value));
}
