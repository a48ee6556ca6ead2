// Re-planning: the planned sessions with pins (a first day and/or a trainer) and done /
// missed marks, the weights of the soft rules, the planner's changes listed with a way to
// lift each one, and what a new version moves (the diff).

import { $, el, num, replace } from "./dom.js";

const pins = new Map(); // "group|session" -> {group, session, date?, trainer?}
const marks = new Map(); // "group|session" -> {group, session, status, date?}
let onChange = () => {};
let trainers = [];

const key = (group, session) => `${group}|${session}`;

export function onChanges(callback) {
  onChange = callback;
}

export function resetChanges() {
  pins.clear();
  marks.clear();
  onChange();
}

export function pinList() {
  return [...pins.values()].map((p) => ({ group: p.group, session: p.session,
    date: p.date || null, trainer: p.trainer || null }));
}

export function statusList() {
  return [...marks.values()].map((m) => (m.date ? { ...m } : { group: m.group,
    session: m.session, status: m.status }));
}

export function hasChanges() {
  return pins.size + marks.size > 0;
}

/** The planned sessions of `plan` (plan.json) with their pin and mark controls. */
export function renderSessions(plan, planId) {
  const training = plan.training;
  const box = $("sessions");
  if (!training || !training.plan) {
    replace(box, el("p", { class: "meta" }, "This plan has no training calendar."));
    return;
  }
  trainers = (plan.instance.training.trainers || []).map((t) => t.id);
  const planned = training.plan.sessions.filter((s) => s.status !== "done" && s.start);
  const head = el("tr", {}, ["Group", "Session", "Days", "Trainer", "Pin: first day",
    "Pin: trainer", "Pin", "Mark"].map((h) => el("th", { scope: "col" }, h)));
  const typed = box.dataset.plan === String(planId) ? typedValues(box) : new Map();
  box.dataset.plan = String(planId);
  const rows = planned.map(sessionRow);
  for (const row of rows) restoreTyped(row, typed);
  replace(box, el("div", { class: "table-wrap", role: "region", tabindex: "0",
    "aria-label": "Planned sessions" },
  el("table", { class: "sessions" }, el("thead", {}, head), el("tbody", {}, rows))));
}

/** What the planner typed into rows not pinned yet (kept when the table is redrawn). */
function typedValues(box) {
  const typed = new Map();
  for (const input of box.querySelectorAll("[data-pin-date], [data-pin-trainer]")) {
    const k = input.dataset.pinDate || input.dataset.pinTrainer;
    if (pins.has(k)) continue;
    typed.set(`${input.dataset.pinDate ? "date" : "trainer"}|${k}`, input.value);
  }
  return typed;
}

function restoreTyped(row, typed) {
  const k = row.dataset.session;
  if (pins.has(k)) return;
  const date = row.querySelector("[data-pin-date]");
  const trainer = row.querySelector("[data-pin-trainer]");
  if (typed.has(`date|${k}`)) date.value = typed.get(`date|${k}`);
  if (typed.has(`trainer|${k}`)) trainer.value = typed.get(`trainer|${k}`);
}

function sessionRow(s) {
  const k = key(s.group, s.session);
  const pin = pins.get(k);
  const what = `group ${s.group}, session ${s.session}`;
  const day = el("input", { type: "date", value: pin?.date || s.start,
    "aria-label": `Pin ${what} to this first day`, "data-pin-date": k });
  const trainer = el("select", { "aria-label": `Pin ${what} to this trainer`,
    "data-pin-trainer": k },
  el("option", { value: "" }, "any trainer"),
  trainers.map((t) => el("option", { value: t, selected: (pin?.trainer || "") === t }, t)));
  const pinButton = pin
    ? el("button", { type: "button", class: "small", "data-unpin": k,
      onclick: () => unpin(k) }, "Unpin")
    : el("button", { type: "button", class: "small", "data-pin": k,
      onclick: () => setPin(s, day.value, trainer.value) }, "Pin");
  const mark = el("select", { "aria-label": `Mark ${what}`, "data-mark": k,
    onchange: (event) => setMark(s, event.target.value) },
  ["planned", "done", "missed"].map((v) => el("option", { value: v,
    selected: (marks.get(k)?.status || "planned") === v }, v === "done" ? "done (erl.)" : v)));
  const cls = pin ? "pinned" : marks.has(k) ? "marked" : null;
  const days = s.end && s.end !== s.start ? `${s.start} – ${s.end}` : s.start;
  return el("tr", { class: cls, "data-session": k, "data-start": s.start,
    "data-trainer": s.trainer || "" },
  el("td", {}, s.group), el("td", { title: `module ${s.module}` }, s.session),
  el("td", {}, days), el("td", {}, s.trainer || ""),
    el("td", {}, day), el("td", {}, trainer), el("td", {}, pinButton), el("td", {}, mark));
}

function setPin(session, date, trainer) {
  if (!date && !trainer) return;
  pins.set(key(session.group, session.session), { group: session.group,
    session: session.session, date: date || null, trainer: trainer || null,
    was: { start: session.start, trainer: session.trainer } });
  onChange();
}

export function unpin(k) {
  pins.delete(k);
  onChange();
}

function setMark(session, status) {
  const k = key(session.group, session.session);
  if (status === "planned") marks.delete(k);
  else if (status === "done") {
    marks.set(k, { group: session.group, session: session.session, status, date: session.start });
  } else marks.set(k, { group: session.group, session: session.session, status });
  onChange();
}

function unmark(k) {
  marks.delete(k);
  onChange();
}

function pinWords(p) {
  const parts = [];
  if (p.date) parts.push(`first day ${p.date}`);
  if (p.trainer) parts.push(`trainer ${p.trainer}`);
  return `Group ${p.group}, session ${p.session}: pinned to ${parts.join(" and ")}`;
}

/** The pins as a list, each with an Unpin button (for the changes and the conflicts). */
export function pinsElement() {
  if (pins.size === 0) return el("p", { class: "meta" }, "No session is pinned.");
  return el("ul", { class: "pin-list" }, [...pins.entries()].map(([k, p]) => el("li", {},
    pinWords(p), " ", el("button", { type: "button", class: "small",
      onclick: () => unpin(k) }, "Unpin"))));
}

export function renderChanges() {
  const items = [...marks.entries()].map(([k, m]) => el("li", {},
    `Group ${m.group}, session ${m.session}: marked ${m.status}`
    + (m.date ? ` (held ${m.date})` : ""), " ",
    el("button", { type: "button", class: "small", onclick: () => unmark(k) }, "Undo")));
  replace($("changes"),
    el("h3", {}, "Your changes for the next re-plan"),
    pinsElement(),
    items.length ? el("ul", { class: "pin-list" }, items) : null);
}

const WEIGHT_WORDS = {
  completion: "finishing dates (per day)",
  trainer_balance: "trainer balance (per day)",
  weekday: "non-preferred weekday",
  change: "moving a session (re-plan)",
  trainer_change: "changing a trainer (re-plan)",
};

/** Inputs for the weights in the plan's outcomes (training and staffing). */
export function renderWeights(plan) {
  const form = $("weights-form");
  const sets = [];
  for (const part of ["training", "staffing"]) {
    const weights = plan[part]?.outcome?.weights;
    if (!weights || Object.keys(weights).length === 0) continue;
    const fields = Object.entries(weights).flatMap(([name, value]) => {
      const id = `weight-${part}-${name}`;
      return [el("label", { for: id, title: name }, WEIGHT_WORDS[name] || name.replaceAll("_", " ")),
        el("input", { id, type: "number", min: "0", step: "any", value: String(value),
          "data-part": part, "data-weight": name, required: true })];
    });
    sets.push(el("fieldset", {}, el("legend", {}, part), el("div", { class: "grid2" }, fields)));
  }
  replace(form, sets.length ? sets : el("p", { class: "meta" }, "No weights to change."));
}

export function readWeights() {
  const out = {};
  for (const input of $("weights-form").querySelectorAll("input[data-weight]")) {
    const value = Number(input.value);
    if (input.value === "" || Number.isNaN(value) || value < 0) {
      throw new Error(`weight "${input.dataset.weight}" (${input.dataset.part}): `
        + "enter a number of 0 or more");
    }
    (out[input.dataset.part] ||= {})[input.dataset.weight] = value;
  }
  return Object.keys(out).length ? out : null;
}

/** What the new version moves against the current plan, in tables. */
export function diffElement(diff) {
  const c = diff.changed;
  const moved = diff.groups.filter((g) => g.old_finish !== g.new_finish);
  return [
    el("p", { class: "changed" }, `${c.sessions} session(s) moved or got another trainer, `
      + `${c.groups} group(s) finish on another day, ${c.tasks} rollout task(s) moved, `
      + `${c.staffing} staffing posting(s) changed.`),
    section("Sessions", ["Group", "Session", "First day before", "First day now",
      "Trainer before", "Trainer now"], diff.sessions.map((s) => [s.group, s.session,
      s.old_start || "–", s.new_start || "–", s.old_trainer || "–", s.new_trainer || "–"])),
    section("Groups' finishing dates (changed only)", ["Group", "Finished before",
      "Finishes now", "Days later (+) or earlier (−)"],
    moved.map((g) => [g.group, g.old_finish || "–", g.new_finish || "–",
      g.days === null ? "–" : (g.days > 0 ? `+${g.days}` : String(g.days))])),
    section("Rollout tasks", ["Family", "Task", "Centre", "Start before", "Start now",
      "End before", "End now"], diff.tasks.map((t) => [t.family, t.task, t.unit,
      t.old_start || "–", t.new_start || "–", t.old_end || "–", t.new_end || "–"])),
    section("Staffing postings", ["Unit", "Month", "BV before", "BV now"],
      diff.staffing.map((p) => [p.unit, p.month, num(p.old_bv), num(p.new_bv)])),
  ];
}

function section(title, columns, rows) {
  if (rows.length === 0) return el("p", { class: "meta" }, `${title}: nothing changed.`);
  return el("div", { class: "diff-part", "data-diff": title },
    el("h3", {}, title),
    el("div", { class: "table-wrap" }, el("table", {},
      el("thead", {}, el("tr", {}, columns.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows.map((r) => el("tr", {}, r.map((v) => el("td", {}, v))))))));
}
