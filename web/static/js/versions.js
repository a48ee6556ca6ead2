// The plan versions of an instance: which run made each one, its parts' status and
// objective, and a button to go back to it; and a new version's outcome in words.

import { $, el, num, outcomeWords, pct, replace, statusBadge } from "./dom.js";

/** The versions table; `onUse(id)` makes a version the current plan. */
export function renderVersions(versions, currentId, proposedId, onUse) {
  const box = $("versions");
  if (versions.length === 0) {
    replace(box, el("p", { class: "meta" }, "No plan yet."));
    return;
  }
  const byId = new Map(versions.map((v) => [v.id, v]));
  const rows = versions.map((v) => {
    const isCurrent = currentId === v.id;
    const label = isCurrent ? "current"
      : v.id === proposedId ? "proposed" : null;
    return el("tr", { class: isCurrent ? "current" : null, "data-plan": v.id },
      el("td", {}, `v${v.version}`, label ? el("div", { class: "meta" }, label) : null),
      el("td", {}, origin(v, byId)),
      el("td", {}, partsLine(v.stats)),
      el("td", {}, isCurrent ? "" : el("button", { type: "button", class: "small",
        "aria-label": `Go back to version ${v.version}`,
        onclick: () => onUse(v.id) }, "Use")));
  });
  replace(box, el("table", { class: "versions" },
    el("thead", {}, el("tr", {}, ["Version", "Made by", "Parts", ""].map((h) =>
      el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows)));
}

function origin(v, byId) {
  const time = (v.created || "").slice(11, 16);
  const p = v.params || {};
  const parent = p.previous ? byId.get(p.previous) : null;
  const how = p.previous ? `re-plan of v${parent ? parent.version : "?"}` : "fresh solve";
  const extra = [];
  if (p.pins?.length) extra.push(`${p.pins.length} pin(s)`);
  if (p.status?.length) extra.push(`${p.status.length} mark(s)`);
  if (p.weights) extra.push("weights changed");
  return `${how}${extra.length ? `, ${extra.join(", ")}` : ""} at ${time}`;
}

function partsLine(stats) {
  return Object.entries(stats || {}).map(([part, s]) => el("div", {},
    `${part}: ${s.status} ${num(s.objective)}`));
}


export function proposedOutcome(version) {
  if (!version) return null;
  return el("ul", { class: "outcomes" }, Object.entries(version.stats || {}).map(([part, s]) =>
    el("li", {}, `${part}: `, statusBadge(s.status), ` ${outcomeWords(s.status)}; objective `
      + `${num(s.objective)}, gap ${pct(s.gap)}`)));
}

