// The page of `juwe serve`: pick or upload an instance, solve it and watch the numbers move,
// pin and mark sessions, re-plan with minimal change, compare, accept or reject, download.

import { ApiError, followJob, getJson, onTokenNeeded, sendJson, upload } from "./api.js";
import { $, el, jobWords, replace, statusBadge } from "./dom.js";
import { resetLive, showProgress } from "./live.js";
import { clearPlan, setupTabs, showPlan } from "./plan.js";
import { errorList, jobSentence, showConflicts, showRejected } from "./messages.js";
import {
  diffElement, hasChanges, onChanges, pinList, pinsElement, readWeights, renderChanges,
  renderSessions, renderWeights, resetChanges, statusList,
} from "./replan.js";
import { proposedOutcome, renderVersions } from "./versions.js";

const state = {
  instance: null, // {id, name, summary, instance}
  versions: [], // the instance's plans, newest first
  current: null, // {id, plan}: the plan the planner works on
  proposed: null, // plan id of a re-plan waiting for accept / reject
  job: null, // {id, replan, abort}
};

// ---- start -------------------------------------------------------------------------------

async function start() {
  setupTabs();
  setupToken();
  onChanges(changesMade);
  $("bundled-form").addEventListener("submit", (e) => guard(e, loadBundled));
  $("upload-form").addEventListener("submit", (e) => guard(e, uploadInstance));
  $("known-form").addEventListener("submit", (e) => guard(e, () =>
    openInstance(Number($("known-select").value))));
  $("solve-form").addEventListener("submit", (e) => guard(e, () => startJob(false)));
  $("stop-button").addEventListener("click", (e) => guard(e, stopJob));
  $("replan-button").addEventListener("click", (e) => guard(e, () => startJob(true)));
  $("accept-button").addEventListener("click", (e) => guard(e, acceptProposal));
  $("reject-button").addEventListener("click", (e) => guard(e, rejectProposal));
  await guard(null, connect);
}

/** Runs an action; a failure is shown in words instead of being lost in the console. */
async function guard(event, action) {
  if (event) event.preventDefault();
  hideNotice();
  try {
    await action();
  } catch (error) {
    notice(error instanceof ApiError || error instanceof Error ? error.message : String(error));
  }
}

function notice(text) {
  const box = $("notice");
  box.textContent = text;
  box.hidden = false;
}

function hideNotice() {
  $("notice").hidden = true;
}

function setupToken() {
  let resolve = null;
  const dialog = $("token-dialog");
  $("token-form").addEventListener("submit", () => {
    if (resolve) resolve($("token-input").value.trim() || null);
    resolve = null;
  });
  dialog.addEventListener("cancel", () => {
    if (resolve) resolve(null);
    resolve = null;
  });
  onTokenNeeded(() => new Promise((done) => {
    resolve = done;
    dialog.showModal();
  }));
}

async function connect() {
  const health = await getJson("/health");
  $("service-status").textContent = `Service ready (version ${health.version}).`;
  const names = await getJson("/bundled");
  replace($("bundled-select"), names.map((n) => el("option", { value: n,
    selected: n === "bremen-2016" }, n)));
  await refreshKnown();
  const remembered = Number(sessionStorage.getItem("juwe-instance"));
  if (remembered && state.instance === null) {
    try {
      await openInstance(remembered);
    } catch {
      sessionStorage.removeItem("juwe-instance");
    }
  }
}

async function refreshKnown() {
  const known = await getJson("/instances");
  $("known-form").hidden = known.length === 0;
  replace($("known-select"), known.slice().reverse().map((i) => el("option", { value: i.id,
    selected: state.instance?.id === i.id }, `${i.id}: ${i.name}`)));
}

// ---- instances ---------------------------------------------------------------------------

async function loadBundled() {
  const name = $("bundled-select").value;
  const created = await withUploadErrors(() => sendJson("POST", "/instances", { bundled: name }));
  if (created) await openInstance(created.id);
}

async function uploadInstance() {
  const file = $("upload-file").files[0];
  if (!file) return;
  const created = await withUploadErrors(() => upload(file, [...$("upload-tables").files]));
  if (created) await openInstance(created.id);
}

async function withUploadErrors(action) {
  const box = $("upload-errors");
  box.hidden = true;
  try {
    return await action();
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 422) throw error;
    replace(box, el("p", {}, "The instance was not accepted:"), errorList(error));
    box.hidden = false;
    return null;
  }
}

async function openInstance(id) {
  const found = await getJson(`/instances/${id}`);
  state.instance = found;
  state.current = null;
  state.proposed = null;
  sessionStorage.setItem("juwe-instance", String(id));
  resetChanges();
  $("proposal").hidden = true;
  $("conflicts").hidden = true;
  renderSummary(found);
  if (state.job === null) {
    resetLive();
    setJobStatus("", "No solve of this instance yet in this window.");
  }
  $("solve-button").disabled = state.job !== null;
  await refreshKnown();
  await refreshVersions();
  const remembered = Number(sessionStorage.getItem(`juwe-plan-${id}`));
  const pick = state.versions.find((v) => v.id === remembered) || state.versions[0];
  if (pick) await makeCurrent(pick.id);
  else clearPlan("No plan of this instance yet: set the time limit and press Solve.");
  await resumeJob(id);
}

/** A solve of this instance still running (the page was reloaded): follow it again. */
async function resumeJob(instanceId) {
  if (state.job) return;
  const jobs = await getJson("/jobs");
  const active = jobs.find((j) => j.instance === instanceId
    && ["queued", "running"].includes(j.status));
  if (active) await runJob(active.id, active.params?.previous != null);
}

function renderSummary(found) {
  const s = found.summary;
  const counts = [[s.groups, "groups"], [s.trainers, "trainers"],
    [s.sessions_to_plan, "sessions to plan"], [s.units, "staffing units"],
    [s.rollout_families, "rollout families"]].filter(([n]) => n !== undefined)
    .map(([n, what]) => `${n} ${what}`);
  replace($("instance-summary"),
    el("p", {}, el("strong", {}, found.name), ` (id ${found.id}): `
      + `${(s.parts || []).join(", ")}; ${s.start} to ${s.end}.`),
    el("p", { class: "meta" }, `${counts.join(", ")}.`));
}

// ---- versions ----------------------------------------------------------------------------

async function refreshVersions() {
  state.versions = await getJson(`/instances/${state.instance.id}/plans`);
  showVersions();
}

function showVersions() {
  renderVersions(state.versions, state.current?.id, state.proposed,
    (id) => guard(null, () => goBackTo(id)));
}

async function makeCurrent(planId) {
  const plan = await getJson(`/plans/${planId}`);
  const record = state.versions.find((v) => v.id === planId);
  const files = record ? record.files : await getJson(`/plans/${planId}/files`);
  state.current = { id: planId, plan };
  sessionStorage.setItem(`juwe-plan-${state.instance.id}`, String(planId));
  showPlan(planId, plan, files, record ? `version v${record.version}` : `plan ${planId}`);
  renderSessions(plan, planId);
  renderWeights(plan);
  renderChanges();
  showVersions();
}

async function goBackTo(planId) {
  state.proposed = null;
  $("proposal").hidden = true;
  await makeCurrent(planId);
}

// ---- jobs --------------------------------------------------------------------------------

function jobRequest(replan) {
  const body = {
    instance: state.instance.id,
    time_limit: Number($("time-limit").value),
    workers: Number($("workers").value),
    seed: Number($("seed").value),
    joint: $("joint").checked,
    previous: replan && state.current ? state.current.id : null,
    pins: pinList(),
    status: statusList(),
  };
  if (state.current) body.weights = readWeights();
  return body;
}

async function startJob(replan) {
  if (!state.instance || state.job) return;
  if (replan && !state.current) throw new Error("Solve once first: re-planning starts from a plan.");
  const body = jobRequest(replan);
  $("conflicts").hidden = true;
  setJobStatus("queued", "Starting the solve…");
  let created;
  try {
    created = await sendJson("POST", "/jobs", body);
  } catch (error) {
    setJobStatus("", "The solve was not started.");
    if (!(error instanceof ApiError) || error.status !== 422) throw error;
    showRejected(error);
    return;
  }
  await runJob(created.id, replan && body.previous !== null);
}

async function runJob(id, replan) {
  const abort = new AbortController();
  state.job = { id, replan, abort };
  resetLive();
  setJobStatus("queued", `Job ${id}: ${jobWords("queued")}.`);
  $("solve-button").disabled = true;
  $("replan-button").disabled = true;
  $("stop-button").disabled = false;
  let job;
  try {
    job = await followJob(id, (event) => {
      setJobStatus("running", `Job ${id}: ${jobWords("running")}.`);
      showProgress(event);
    }, abort.signal);
  } finally {
    state.job = null;
    $("solve-button").disabled = false;
    $("replan-button").disabled = false;
    $("stop-button").disabled = true;
  }
  await jobEnded(job, replan);
}

function setJobStatus(status, text) {
  replace($("job-status"), status ? statusBadge(status, status) : null, " ", text);
  $("job-status").dataset.status = status;
}

async function stopJob() {
  if (!state.job) return;
  $("stop-button").disabled = true;
  await sendJson("DELETE", `/jobs/${state.job.id}`);
  setJobStatus("running", `Job ${state.job.id}: stopping, the best plan so far is kept…`);
}

async function jobEnded(job, replan) {
  setJobStatus(job.status, jobSentence(job));
  if (["infeasible", "failed", "interrupted"].includes(job.status)) {
    showConflicts(job);
  }
  if (!job.plan) return;
  await refreshVersions();
  if (replan && state.current && job.plan !== state.current.id) {
    await propose(job.plan);
  } else {
    await makeCurrent(job.plan);
  }
}

function changesMade() {
  renderChanges();
  if (state.current) renderSessions(state.current.plan, state.current.id);
  const pins = $("conflict-pins");
  if (pins) replace(pins, pinsElement());
  $("replan-button").textContent = hasChanges()
    ? "Re-plan with my changes (minimal change)" : "Re-plan with minimal change";
}

// ---- proposals ---------------------------------------------------------------------------

async function propose(planId) {
  const diff = await getJson(`/plans/${state.current.id}/diff/${planId}`);
  const version = state.versions.find((v) => v.id === planId);
  const current = state.versions.find((v) => v.id === state.current.id);
  state.proposed = planId;
  $("proposal-title").textContent = `What version v${version?.version ?? "?"} changes `
    + `against the current v${current?.version ?? "?"}`;
  const [counts, ...parts] = diffElement(diff);
  replace($("proposal-summary"), proposedOutcome(version), counts);
  replace($("diff"), parts);
  $("proposal").hidden = false;
  showVersions();
  $("proposal").scrollIntoView({ block: "start" });
  $("accept-button").focus({ preventScroll: true });
}

async function acceptProposal() {
  const id = state.proposed;
  state.proposed = null;
  $("proposal").hidden = true;
  if (id) await makeCurrent(id);
}

async function rejectProposal() {
  state.proposed = null;
  $("proposal").hidden = true;
  showVersions();
  $("main").focus();
}

// the stream of a running job keeps its request open; leaving the page closes it
window.addEventListener("pagehide", () => state.job?.abort.abort());
window.juwe = { state }; // for a look from the browser's console
start();
