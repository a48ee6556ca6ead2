// The running solve: one progress line in words and a small chart of objective and best
// bound over time for the part being solved (each part has its own scale).

import { $, num, pct, phaseWords, PART_NAMES } from "./dom.js";

let points = {}; // part -> {t: [], objective: [], bound: []}
let shownPart = null;

export function resetLive() {
  points = {};
  shownPart = null;
  $("progress-line").textContent = "";
  const chart = $("live-chart");
  if (window.Plotly) window.Plotly.purge(chart);
  chart.replaceChildren();
  chart.hidden = true;
}

export function progressLine(event) {
  const where = event.total ? ` (${event.index}/${event.total})` : "";
  const part = PART_NAMES[event.part] || event.part || "solve";
  const numbers = [];
  if (event.objective !== null && event.objective !== undefined) {
    numbers.push(`objective ${num(event.objective)}`);
  }
  if (event.bound !== null && event.bound !== undefined) numbers.push(`bound ${num(event.bound)}`);
  if (event.gap !== null && event.gap !== undefined) numbers.push(`gap ${pct(event.gap)}`);
  const seconds = event.seconds !== null && event.seconds !== undefined
    ? ` after ${event.seconds.toFixed(1)} s` : "";
  return `${part}${where}: ${phaseWords(event.phase)}${numbers.length ? " · " : ""}`
    + `${numbers.join(", ")}${seconds}`;
}

export function showProgress(event) {
  $("progress-line").textContent = progressLine(event);
  if (event.objective === null && event.bound === null) return;
  const series = (points[event.part] ||= { t: [], objective: [], bound: [], offset: 0 });
  // a part may run several searches, each counting its seconds from 0: keep time moving on
  const last = series.t.length ? series.t[series.t.length - 1] : 0;
  if ((event.seconds || 0) + series.offset < last) series.offset = last;
  series.t.push((event.seconds || 0) + series.offset);
  series.objective.push(event.objective);
  series.bound.push(event.bound);
  drawChart(event);
}

function drawChart(event) {
  if (!window.Plotly) return;
  const s = points[event.part];
  const data = [
    { x: s.t, y: s.objective, name: "objective", mode: "lines+markers", line: { shape: "hv" } },
    { x: s.t, y: s.bound, name: "best bound", mode: "lines+markers", line: { shape: "hv",
      dash: "dot" } },
  ];
  const where = event.total ? ` (${event.index}/${event.total})` : "";
  const layout = {
    title: { text: `${PART_NAMES[event.part] || event.part}${where}`, font: { size: 12 },
      x: 0.02, xanchor: "left" },
    margin: { l: 55, r: 10, t: 30, b: 25 },
    xaxis: { ticksuffix: " s", tickfont: { size: 10 } },
    yaxis: { tickfont: { size: 10 } },
    legend: { orientation: "h", x: 1, xanchor: "right", y: 1.12, font: { size: 10 } },
    height: 188,
  };
  const config = { displayModeBar: false, responsive: true };
  const chart = $("live-chart");
  chart.hidden = false;
  if (shownPart !== event.part) {
    shownPart = event.part;
    window.Plotly.newPlot(chart, data, layout, config);
  } else {
    window.Plotly.react(chart, data, layout, config);
  }
}
