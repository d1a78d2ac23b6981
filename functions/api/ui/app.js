// The job server's web UI: plain DOM, no build step. Everything the server says is put on the
// page as text (textContent, never innerHTML), so a job's result or a context's name cannot
// become markup. Credentials, when the server asks for them, live in this module's memory only.

const POLL_MS = 1500;
const SLOW_EVERY = 4; // binaries and data files change rarely: every 4th poll
const ACTIVE = new Set(["STARTED", "RUNNING"]);
const PACKAGE_TYPES = {
  egg: "application/python-egg",
  whl: "application/python-wheel",
  zip: "application/python-archive",
  jar: "application/java-archive",
};

const state = {
  authorization: null, // "Basic ..." or "Bearer ...", once the user signed in
  who: null,
  selectedJob: null,
  shownConfigOf: null,
  endedLogsOf: null,
  jobs: [],
  contexts: [],
  tick: 0,
  timer: null,
};

const $ = (id) => document.getElementById(id);

class ApiError extends Error {
  constructor(status, body) {
    super(errorText(body, status));
    this.status = status;
    this.body = body;
  }
}

function errorText(body, status) {
  if (body && typeof body === "object") {
    const result = body.result;
    if (result && typeof result === "object") {
      return `${body.status}: ${result.message ?? ""} (${result.errorClass ?? ""})`;
    }
    return `${body.status ?? "ERROR"}: ${result ?? ""}`;
  }
  return `HTTP ${status}: ${body ?? ""}`;
}

async function api(method, path, { body, contentType, text = false } = {}) {
  // X-Requested-With: the server then sends no Basic challenge, so no browser dialog pops up.
  const headers = { "X-Requested-With": "XMLHttpRequest" };
  if (state.authorization) headers.Authorization = state.authorization;
  if (contentType) headers["Content-Type"] = contentType;
  const response = await fetch(path, { method, headers, body, credentials: "omit", cache: "no-store" });
  const isJson = (response.headers.get("Content-Type") || "").includes("json");
  const answer = isJson && !text ? await response.json() : await response.text();
  if (response.status === 401) {
    askToSignIn(answer);
  }
  if (!response.ok) throw new ApiError(response.status, answer);
  return answer;
}

// --- small DOM helpers -----------------------------------------------------------------------

function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "className") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function say(message) {
  $("status").textContent = message;
}

function alertUser(message) {
  const box = $("alert");
  box.textContent = message;
  box.hidden = !message;
}

function pretty(value) {
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

function when(iso) {
  if (!iso || iso === "Empty") return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

function sparkUiLink(url) {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === "http:" || parsed.protocol === "https:") {
      return h("a", { href: parsed.href, target: "_blank", rel: "noopener noreferrer" }, "Spark UI");
    }
  } catch {
    /* not a URL: shown as nothing */
  }
  return "";
}

/** Replace a table body's rows only when what they show changed, so focus and clicks survive polls. */
function renderRows(tableId, emptyId, items, signature, buildRow) {
  const body = $(tableId).tBodies[0];
  const shown = JSON.stringify(items.map(signature));
  $(emptyId).hidden = items.length > 0;
  if (body.dataset.shown === shown) return;
  const focused = document.activeElement?.dataset?.key;
  body.replaceChildren(...items.map(buildRow));
  body.dataset.shown = shown;
  if (focused) body.querySelector(`[data-key="${CSS.escape(focused)}"]`)?.focus();
}

function progressBar(job, label) {
  const progress = job.progress;
  const bar = h("progress", { max: "100", "aria-label": label });
  if (progress && typeof progress.percent === "number") {
    bar.value = Math.max(0, Math.min(100, progress.percent));
    return [bar, ` ${Math.round(bar.value)} %`];
  }
  if (ACTIVE.has(job.status)) return [bar, " working"]; // no value: indeterminate
  return ["—"];
}

// --- sign in ----------------------------------------------------------------------------------

function askToSignIn(answer) {
  state.authorization = null;
  $("main").hidden = true;
  $("who").hidden = true;
  $("sign-in").hidden = false;
  alertUser(state.who ? errorText(answer, 401) : "");
  state.who = null;
}

function signIn(event) {
  event.preventDefault();
  const form = event.target;
  const token = form.token.value.trim();
  if (token) {
    state.authorization = `Bearer ${token}`;
    state.who = "API key";
  } else {
    const raw = `${form.user.value}:${form.password.value}`;
    state.authorization = `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(raw)))}`;
    state.who = form.user.value;
  }
  form.reset(); // the password leaves the form at once
  start();
}

function signOut() {
  state.authorization = null;
  state.who = null;
  $("who").hidden = true;
  $("main").hidden = true;
  $("sign-in").hidden = false;
  clearTimeout(state.timer);
}

// --- contexts -----------------------------------------------------------------------------------

async function loadContexts() {
  const names = await api("GET", "/contexts");
  const details = await Promise.all(
    names.map((name) =>
      api("GET", `/contexts/${encodeURIComponent(name)}`).catch((error) =>
        error.status === 404 ? null : Promise.reject(error),
      ),
    ),
  );
  state.contexts = details.filter(Boolean);
  renderContexts();
}

function renderContexts() {
  const running = (name) => state.jobs.filter((job) => job.context === name && ACTIVE.has(job.status));
  renderRows(
    "contexts-table",
    "contexts-empty",
    state.contexts,
    (c) => [c.name, c.state, c.url, c.numCpuCores, c.contextFactory, running(c.name).map((j) => j.jobId)],
    (c) => {
      const jobs = running(c.name);
      return h(
        "tr",
        { "data-context": c.name },
        h("td", {}, c.name),
        h("td", { className: `state state-${c.state}` }, c.state),
        h(
          "td",
          {},
          `${c.numCpuCores ?? "?"} cores, ${c.contextFactory}`,
          c.transient ? ", transient" : "",
          c.isolation ? `, isolation: ${c.isolation}` : "",
        ),
        h("td", {}, when(c.startTime)),
        h("td", {}, c.url ? sparkUiLink(c.url) : ""),
        h(
          "td",
          {},
          jobs.length
            ? h("ul", { className: "versions" }, ...jobs.map((j) => h("li", { className: "mono" }, j.jobId)))
            : "none",
        ),
        h(
          "td",
          {},
          h(
            "button",
            {
              type: "button",
              className: "danger",
              "data-key": `delete-context-${c.name}`,
              "aria-label": `Delete context ${c.name}`,
              onclick: () => deleteContext(c.name),
            },
            "Delete",
          ),
        ),
      );
    },
  );
  fillSelect($("job-context"), [["", "(new transient context)"], ...state.contexts.map((c) => [c.name, c.name])]);
  const seen = new Set([...state.contexts.map((c) => c.name), ...state.jobs.map((j) => j.context)]);
  fillSelect($("filter-context"), [["", "Any"], ...[...seen].filter(Boolean).sort().map((n) => [n, n])]);
}

function fillSelect(select, options) {
  const wanted = JSON.stringify(options);
  if (select.dataset.options === wanted) return;
  const chosen = select.value;
  select.replaceChildren(...options.map(([value, label]) => h("option", { value }, label)));
  select.dataset.options = wanted;
  if (options.some(([value]) => value === chosen)) select.value = chosen;
}

async function createContext(event) {
  event.preventDefault();
  const form = event.target;
  const name = form.name.value.trim();
  const query = new URLSearchParams();
  for (const key of ["num-cpu-cores", "memory-per-node", "context-factory"]) {
    if (form[key].value) query.set(key, form[key].value);
  }
  await busy(form, `Starting context ${name}…`, async () => {
    await api("POST", `/contexts/${encodeURIComponent(name)}?${query}`, {
      body: form.config.value,
      contentType: "text/plain",
    });
    say(`Context ${name} is running.`);
    form.name.value = "";
    await loadContexts();
  });
}

async function deleteContext(name) {
  if (!window.confirm(`Stop context ${name}? Its running jobs end with an error.`)) return;
  say(`Stopping context ${name}…`);
  try {
    await api("DELETE", `/contexts/${encodeURIComponent(name)}`);
    say(`Context ${name} stopped.`);
    await refresh();
  } catch (error) {
    fail(error);
  }
}

// --- jobs -------------------------------------------------------------------------------------------

async function loadJobs() {
  const status = $("filter-status").value;
  const query = new URLSearchParams({ limit: "50" });
  if (status) query.set("status", status);
  const jobs = await api("GET", `/jobs?${query}`);
  // The list carries no progress: read it for the jobs still at work.
  const progressed = await Promise.all(
    jobs.map((job) => (ACTIVE.has(job.status) ? api("GET", `/jobs/${job.jobId}`).catch(() => job) : job)),
  );
  state.jobs = progressed;
  renderJobs();
}

function renderJobs() {
  const context = $("filter-context").value;
  const shown = state.jobs.filter((job) => !context || job.context === context);
  renderRows(
    "jobs-table",
    "jobs-empty",
    shown,
    (j) => [j.jobId, j.status, j.duration, j.progress?.percent ?? null, j.jobId === state.selectedJob],
    (j) =>
      h(
        "tr",
        { "data-job": j.jobId },
        h(
          "td",
          {},
          h(
            "button",
            {
              type: "button",
              className: "secondary mono",
              "data-key": `show-${j.jobId}`,
              "aria-pressed": String(j.jobId === state.selectedJob),
              "aria-label": `Show job ${j.jobId}`,
              onclick: () => selectJob(j.jobId),
            },
            j.jobId.slice(0, 8),
          ),
        ),
        h("td", { className: "mono" }, j.classPath),
        h("td", {}, j.context ?? ""),
        h("td", { className: `state state-${j.status}` }, j.status),
        h("td", {}, ...progressBar(j, `Progress of job ${j.jobId}`)),
        h("td", {}, when(j.startTime)),
        h("td", {}, j.duration),
        h(
          "td",
          {},
          ACTIVE.has(j.status)
            ? h(
                "button",
                {
                  type: "button",
                  className: "danger",
                  "data-key": `kill-${j.jobId}`,
                  "aria-label": `Kill job ${j.jobId}`,
                  onclick: () => killJob(j.jobId),
                },
                "Kill",
              )
            : "",
        ),
      ),
  );
}

async function runJob(event) {
  event.preventDefault();
  const form = event.target;
  const query = new URLSearchParams({ appName: form.appName.value, classPath: form.classPath.value.trim() });
  if (form.context.value) query.set("context", form.context.value);
  await busy(form, "Submitting the job…", async () => {
    const job = await api("POST", `/jobs?${query}`, { body: form.config.value, contentType: "text/plain" });
    say(`Job ${job.jobId} ${job.status.toLowerCase()}.`);
    state.selectedJob = job.jobId;
    await Promise.all([loadJobs(), showJob()]);
  });
}

async function killJob(jobId) {
  say(`Killing job ${jobId}…`);
  try {
    const answer = await api("DELETE", `/jobs/${jobId}`);
    say(`Job ${jobId}: ${answer.status}.`);
    await refresh(); // the row, its context's running jobs and the details all at once
  } catch (error) {
    fail(error);
  }
}

function selectJob(jobId) {
  state.selectedJob = jobId;
  state.shownConfigOf = null;
  state.endedLogsOf = null;
  renderJobs();
  showJob().catch(fail);
  $("job-details").scrollIntoView({ block: "nearest" });
}

async function showJob() {
  const jobId = state.selectedJob;
  if (!jobId) return;
  const job = await api("GET", `/jobs/${jobId}`);
  if (jobId !== state.selectedJob) return;
  $("job-details").hidden = false;
  $("detail-id").textContent = jobId;
  const status = $("detail-status");
  status.textContent = job.status;
  status.className = `state state-${job.status}`;
  $("detail-class").textContent = job.classPath;
  $("detail-context").textContent = job.context ?? "";
  $("detail-duration").textContent = job.duration;
  const bar = $("detail-progress");
  const percent = job.progress?.percent;
  if (typeof percent === "number") {
    bar.value = Math.max(0, Math.min(100, percent));
    $("detail-progress-text").textContent = ` ${Math.round(bar.value)} %${stageText(job.progress)}`;
  } else {
    bar.removeAttribute("value"); // indeterminate: this server reports no progress for it
    $("detail-progress-text").textContent = ACTIVE.has(job.status) ? " working" : " not reported";
  }
  $("detail-result").textContent = "result" in job ? pretty(job.result) : ACTIVE.has(job.status) ? "(not done yet)" : "(none)";
  if (state.shownConfigOf !== jobId) {
    const config = await api("GET", `/jobs/${jobId}/config`).catch((error) => `(${error.message})`);
    $("detail-config").textContent = pretty(config);
    state.shownConfigOf = jobId;
  }
  if (state.endedLogsOf !== jobId) {
    const logs = await api("GET", `/jobs/${jobId}/logs`, { text: true }).catch((error) =>
      error.status === 404 ? "(no logs kept for this job)" : `(${error.message})`,
    );
    $("detail-logs").textContent = logs || "(no output)";
    if (!ACTIVE.has(job.status)) state.endedLogsOf = jobId; // an ended job's logs no longer change
  }
}

function stageText(progress) {
  const part = (name) => {
    const count = progress?.[name];
    return count && typeof count.done === "number" ? `${count.done}/${count.total} ${name}` : null;
  };
  const parts = ["jobs", "stages", "tasks"].map(part).filter(Boolean);
  return parts.length ? ` (${parts.join(", ")})` : "";
}

// --- binaries and data files ---------------------------------------------------------------------

async function loadBinaries() {
  const binaries = await api("GET", "/binaries");
  const apps = Object.entries(binaries).map(([app, info]) => ({ app, ...info }));
  renderRows(
    "binaries-table",
    "binaries-empty",
    apps,
    (b) => [b.app, b["upload-time"]],
    (b) =>
      h(
        "tr",
        { "data-app": b.app },
        h("td", {}, b.app),
        h("td", {}, b["binary-type"]),
        h("td", {}, when(b["upload-time"])),
        h(
          "td",
          {},
          h(
            "button",
            {
              type: "button",
              className: "secondary",
              "data-key": `versions-${b.app}`,
              "aria-label": `Show the versions of ${b.app}`,
              onclick: (event) => showVersions(b.app, event.target),
            },
            "Versions",
          ),
        ),
        h(
          "td",
          {},
          h(
            "button",
            {
              type: "button",
              className: "danger",
              "data-key": `delete-binary-${b.app}`,
              "aria-label": `Delete binary ${b.app}`,
              onclick: () => deleteBinary(b.app),
            },
            "Delete",
          ),
        ),
      ),
  );
  fillSelect($("job-app"), apps.map((b) => [b.app, b.app]));
}

async function showVersions(app, button) {
  try {
    const answer = await api("GET", `/binaries/${encodeURIComponent(app)}`);
    const list = h(
      "ul",
      { className: "versions", "aria-label": `Versions of ${app}` },
      ...answer.versions.map((v) => h("li", {}, `${when(v["upload-time"])}: ${v["binary-type"]}, ${v.size} bytes`)),
    );
    button.replaceWith(list);
  } catch (error) {
    fail(error);
  }
}

async function uploadBinary(event) {
  event.preventDefault();
  const form = event.target;
  const file = form.file.files[0];
  const name = form.name.value.trim();
  const extension = file.name.split(".").pop().toLowerCase();
  await busy(form, `Uploading ${file.name}…`, async () => {
    await api("POST", `/binaries/${encodeURIComponent(name)}`, {
      body: file,
      contentType: PACKAGE_TYPES[extension] || "application/octet-stream",
    });
    say(`Uploaded ${file.name} as ${name}.`);
    form.reset();
    await loadBinaries();
  });
}

async function deleteBinary(app) {
  if (!window.confirm(`Delete binary ${app}, every version?`)) return;
  try {
    await api("DELETE", `/binaries/${encodeURIComponent(app)}`);
    say(`Binary ${app} deleted.`);
    await loadBinaries();
  } catch (error) {
    fail(error);
  }
}

async function loadData() {
  const paths = await api("GET", "/data");
  renderRows(
    "data-table",
    "data-empty",
    paths,
    (p) => p,
    (path) =>
      h(
        "tr",
        {},
        h("td", { className: "mono" }, path),
        h(
          "td",
          {},
          h(
            "button",
            {
              type: "button",
              className: "danger",
              "data-key": `delete-data-${path}`,
              "aria-label": `Delete data file ${path}`,
              onclick: () => deleteData(path),
            },
            "Delete",
          ),
        ),
      ),
  );
}

async function uploadData(event) {
  event.preventDefault();
  const form = event.target;
  const file = form.file.files[0];
  await busy(form, `Uploading ${file.name}…`, async () => {
    const answer = await api("POST", `/data/${encodeURIComponent(form.prefix.value.trim())}`, {
      body: file,
      contentType: "application/octet-stream",
    });
    say(`Stored as ${answer.result.filename}.`);
    form.reset();
    await loadData();
  });
}

async function deleteData(path) {
  if (!window.confirm(`Delete data file ${path}?`)) return;
  try {
    await api("DELETE", `/data/${encodeURIComponent(path)}`);
    say(`Deleted ${path}.`);
    await loadData();
  } catch (error) {
    fail(error);
  }
}

// --- the loop -------------------------------------------------------------------------------------------

function fail(error) {
  if (error instanceof ApiError && error.status === 401) return; // the sign-in form says it
  alertUser(error.message || String(error));
  say("");
}

async function busy(form, message, work) {
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  alertUser("");
  say(message);
  try {
    await work();
  } catch (error) {
    fail(error);
  } finally {
    button.disabled = false;
  }
}

async function refresh() {
  const slow = state.tick++ % SLOW_EVERY === 0;
  await loadJobs();
  await Promise.all([loadContexts(), showJob(), slow ? loadBinaries() : null, slow ? loadData() : null]);
}

async function poll() {
  try {
    await refresh();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return; // stopped until signed in
    fail(error);
  }
  state.timer = setTimeout(poll, POLL_MS);
}

async function start() {
  clearTimeout(state.timer);
  alertUser("");
  try {
    state.tick = 0;
    await refresh();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
    fail(error);
  }
  $("sign-in").hidden = true;
  $("main").hidden = false;
  $("who").hidden = !state.who;
  $("who-name").textContent = state.who ? `Signed in: ${state.who}` : "";
  state.timer = setTimeout(poll, POLL_MS);
}

$("sign-in-form").addEventListener("submit", signIn);
$("sign-out").addEventListener("click", signOut);
$("context-form").addEventListener("submit", createContext);
$("job-form").addEventListener("submit", runJob);
$("binary-form").addEventListener("submit", uploadBinary);
$("data-form").addEventListener("submit", uploadData);
$("filter-status").addEventListener("change", () => loadJobs().catch(fail));
$("filter-context").addEventListener("change", renderJobs);
start();
