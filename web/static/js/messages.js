// Problems in words: a rejected upload or job (each error with its field), a job's outcome
// as a sentence, and the rules in conflict beside the planner's pins.

import { $, el, jobWords, replace } from "./dom.js";
import { pinsElement } from "./replan.js";

export function errorList(error) {
  const items = error.errors.length ? error.errors : [{ field: null, message: error.message }];
  return el("ul", {}, items.map((e) => el("li", {},
    e.field ? el("span", { class: "field" }, `${e.field}: `) : null, e.message)));
}

export function showRejected(error) {
  const box = $("conflicts");
  replace(box, el("p", {}, "The solve was not started:"), errorList(error),
    el("p", {}, "Your pins:"), el("div", { id: "conflict-pins" }, pinsElement()));
  box.hidden = false;
}

export function jobSentence(job) {
  let text = `Job ${job.id}: ${jobWords(job.status)}`;
  if (job.status === "stopped") {
    text += job.plan ? "; the best plan found so far is kept" : "; no plan was kept";
  }
  if (job.message && !["infeasible", "failed"].includes(job.status)
      && !job.message.startsWith(job.status)) {
    text += ` (${job.message})`;
  }
  return `${text}.`;
}

export function showConflicts(job) {
  const box = $("conflicts");
  const parts = [];
  if (job.status === "infeasible") {
    parts.push(el("p", {}, el("strong", {}, "No plan satisfies every rule."),
      " The rules in conflict:"));
    const rules = job.conflicts.length ? job.conflicts : [job.message];
    parts.push(el("ul", { class: "rules" }, rules.map((r) => el("li", { class: "rule" }, r))));
    if (job.conflicts.length && job.message) parts.push(el("p", { class: "meta" }, job.message));
  } else {
    parts.push(el("p", {}, el("strong", {}, jobWords(job.status)), job.message
      ? `: ${job.message}` : ""));
  }
  parts.push(el("p", {}, "The pins you set (lift one and re-plan):"),
    el("div", { id: "conflict-pins" }, pinsElement()));
  replace(box, parts);
  box.hidden = false;
}

