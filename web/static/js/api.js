// The REST API of `juwe serve`: JSON requests with the access token, and the job's
// server-sent events read over fetch (EventSource cannot send the Authorization header).

const TOKEN_KEY = "juwe-token";

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `the service answered ${status}`);
    this.status = status;
    this.errors = (body && body.errors) || [];
  }
}

let askToken = async () => null; // set by the page: shows the token dialog

export function onTokenNeeded(ask) {
  askToken = ask;
}

function headers(extra = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { ...extra, Authorization: `Bearer ${token}` } : extra;
}

/** fetch under /api; on 401 asks for the token once and tries again. */
export async function request(path, options = {}, retried = false) {
  const response = await fetch(`/api${path}`, {
    ...options,
    headers: headers(options.headers || {}),
  });
  if (response.status === 401 && !retried) {
    const token = await askToken();
    if (token) {
      sessionStorage.setItem(TOKEN_KEY, token);
      return request(path, options, true);
    }
  }
  if (!response.ok) {
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    throw new ApiError(response.status, body);
  }
  return response;
}

export async function getJson(path) {
  return (await request(path)).json();
}

export async function sendJson(method, path, body) {
  const options = { method, headers: { "Content-Type": "application/json" } };
  if (body !== undefined) options.body = JSON.stringify(body);
  return (await request(path, options)).json();
}

export async function upload(instanceFile, tableFiles) {
  const form = new FormData();
  form.append("instance", instanceFile, instanceFile.name);
  for (const file of tableFiles) form.append("files", file, file.name);
  return (await request("/instances", { method: "POST", body: form })).json();
}

/** A file of a plan as a Blob (so a download works with a token too). */
export async function fileBlob(planId, name) {
  return (await request(`/plans/${planId}/files/${encodePath(name)}`)).blob();
}

export function fileUrl(planId, name) {
  return `/api/plans/${planId}/files/${encodePath(name)}`;
}

function encodePath(name) {
  return name.split("/").map(encodeURIComponent).join("/");
}

/**
 * Follows a job's events: onProgress(event) for each `data:` line, then resolves with the
 * job of the final `event: end`. `signal` aborts the stream.
 */
export async function followJob(jobId, onProgress, signal) {
  const response = await request(`/jobs/${jobId}/events`, { signal });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const message = parseEvent(buffer.slice(0, cut));
      buffer = buffer.slice(cut + 2);
      if (message === null) continue;
      if (message.event === "end") return message.data;
      onProgress(message.data);
    }
  }
  return getJson(`/jobs/${jobId}`); // the stream broke off: read the job as it is
}

function parseEvent(block) {
  let event = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
  }
  if (data.length === 0) return null; // a keep-alive comment
  return { event, data: JSON.parse(data.join("\n")) };
}
