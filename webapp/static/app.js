// Progressive enhancement for the portal's pages. Every value from data is put into the page
// with textContent or element attributes, never as HTML, so table data cannot run script.
"use strict";

const csrfToken = () => document.querySelector("main")?.dataset.csrf || "";
// The portal's sub-path ("/tools/da", or "" at the root of the host): every API path below is
// site-local and goes out with it.
const basePath = document.documentElement.dataset.base || "";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function api(method, path, body) {
  const options = { method, headers: { "Accept": "application/json" }, credentials: "same-origin" };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.headers["X-CSRF-Token"] = csrfToken();
    options.body = JSON.stringify(body);
  } else if (method !== "GET") {
    options.headers["X-CSRF-Token"] = csrfToken();
  }
  const response = await fetch(basePath + path, options);
  let data = {};
  try { data = await response.json(); } catch (e) { data = {}; }
  if (!response.ok) throw new Error(data.error || `${response.status} ${response.statusText}`);
  return data;
}

function showStatus(id, text, kind) {
  const box = document.getElementById(id);
  if (!box) return;
  box.hidden = false;
  box.className = `alert ${kind || "success"}`;
  box.textContent = text;
}

function copyButtons() {
  document.querySelectorAll("button.copy, button[data-copy]").forEach((button) => {
    button.addEventListener("click", async () => {
      const text = button.dataset.copy || button.previousElementSibling?.textContent || "";
      try { await navigator.clipboard.writeText(text); button.textContent = "Copied"; }
      catch (e) { button.textContent = "Select and copy"; }
      setTimeout(() => { button.textContent = "Copy"; }, 1500);
    });
  });
}

// ---- modal with tabs (profile and metric views) ----
const modal = {
  open(title, tabs) {
    const root = document.getElementById("modal");
    document.getElementById("modal-title").textContent = title;
    const nav = document.getElementById("modal-tabs");
    const body = document.getElementById("modal-body");
    nav.replaceChildren();
    const show = (index) => {
      nav.querySelectorAll("button").forEach((b, i) => b.classList.toggle("active", i === index));
      body.replaceChildren(tabs[index].render());
    };
    tabs.forEach((tab, index) => nav.append(el("button", { type: "button", text: tab.name, onclick: () => show(index) })));
    show(0);
    root.hidden = false;
  },
  close() { const root = document.getElementById("modal"); if (root) root.hidden = true; },
};

function facts(pairs) {
  const dl = el("dl", { class: "facts" });
  for (const [label, value] of pairs) {
    if (value === null || value === undefined || value === "") continue;
    dl.append(el("dt", { text: label }), el("dd", { text: String(value) }));
  }
  return dl;
}

function bars(counts) {
  const box = el("div", { class: "bars" });
  const max = Math.max(1, ...counts);
  counts.forEach((count) => {
    const bar = el("span", { title: String(count) });
    bar.style.height = `${Math.max(2, (100 * count) / max)}%`;
    box.append(bar);
  });
  return box;
}

function columnCard(column) {
  const card = el("div", { class: "col-card" },
    el("h3", {}, el("code", { text: column.name }), " ", el("span", { class: "badge", text: column.type })),
    facts([["Complete", `${column.completeness_pct}%`], ["Nulls", column.null_count],
           ["Distinct", column.unique_count], ["Primary key", column.is_primary_key ? "yes" : ""]]));
  const numeric = column.numeric_stats;
  if (numeric) {
    card.append(facts([["Min", numeric.min], ["Median", numeric.median], ["Mean", numeric.mean], ["Max", numeric.max]]));
    if (numeric.histogram) card.append(bars(numeric.histogram.counts || []));
  }
  const dates = column.date_stats;
  if (dates) {
    card.append(facts([["Earliest", dates.earliest], ["Latest", dates.latest], ["Span (days)", dates.span_days]]));
    if (dates.histogram) card.append(bars(dates.histogram.counts || []));
  }
  const strings = column.string_stats;
  if (strings && strings.top_values) {
    const list = el("ul", { class: "plain" });
    strings.top_values.slice(0, 8).forEach((v) => list.append(el("li", {}, el("span", { text: v.value }), el("span", { class: "badge", text: `${v.pct}%` }))));
    card.append(list);
  }
  (column.alerts || []).forEach((a) => card.append(el("span", { class: "badge warning", text: a.type || a })));
  return card;
}

async function openProfile(table) {
  let profile;
  try { profile = await api("GET", `/api/catalog/profile/${encodeURIComponent(table)}`); }
  catch (e) { modal.open(table, [{ name: "Error", render: () => el("p", { class: "alert error", text: e.message }) }]); return; }
  const columns = profile.columns || [];
  modal.open(table, [
    { name: "Overview", render: () => el("div", {},
        el("p", { text: profile.description || "" }),
        facts([["Rows", profile.row_count], ["Columns", profile.column_count], ["Size (MB)", profile.file_size_mb],
               ["Completeness", `${profile.avg_completeness}%`], ["Primary key", profile.primary_key],
               ["Strategy", profile.sync_strategy], ["Last sync", profile.last_sync],
               ["Date range", profile.date_range ? `${profile.date_range.earliest} – ${profile.date_range.latest}` : ""],
               ["Sampled", profile.sampled ? `yes (${profile.sample_size} rows)` : "no"]]),
        el("div", {}, (profile.used_by_metrics || []).map((m) =>
          el("button", { class: "btn ghost", type: "button", text: m.name, onclick: () => openMetric(m.file) })))) },
    { name: "Columns", render: () => el("div", {}, columns.map(columnCard)) },
    { name: "Insights", render: () => {
        const alerts = profile.alerts || [];
        if (!alerts.length) return el("p", { class: "muted", text: "No alerts." });
        return el("ul", {}, alerts.map((a) => el("li", {}, el("span", { class: "badge warning", text: a.type }), " ", a.message || a.column)));
      } },
    { name: "Missing values", render: () => el("table", { class: "data" },
        el("tbody", {}, columns.map((c) => {
          const meter = el("div", { class: "meter" }, el("span", {}));
          meter.firstChild.style.width = `${c.completeness_pct}%`;
          return el("tr", {}, el("td", {}, el("code", { text: c.name })), el("td", {}, meter), el("td", { class: "num", text: `${c.completeness_pct}%` }));
        }))) },
    { name: "Relationships", render: () => {
        const related = profile.related_tables || [];
        if (!related.length) return el("p", { class: "muted", text: "No declared relationships." });
        return el("ul", {}, related.map((r) => el("li", {}, el("code", { text: r.table }), ` via ${r.join_column} → ${r.foreign_column} (${r.direction})`)));
      } },
    { name: "Sample", render: () => {
        const rows = profile.sample_rows || [];
        if (!rows.length) return el("p", { class: "muted", text: "No sample rows." });
        const keys = Object.keys(rows[0]);
        return el("table", { class: "data" },
          el("thead", {}, el("tr", {}, keys.map((k) => el("th", { text: k })))),
          el("tbody", {}, rows.map((row) => el("tr", {}, keys.map((k) => el("td", { text: row[k] === null ? "∅" : String(row[k]) }))))));
      } },
  ]);
}

async function openMetric(path) {
  let metric;
  try { metric = await api("GET", `/api/metrics/${path.split("/").map(encodeURIComponent).join("/")}`); }
  catch (e) { modal.open(path, [{ name: "Error", render: () => el("p", { class: "alert error", text: e.message }) }]); return; }
  const examples = Object.entries(metric.sql_examples || {});
  modal.open(metric.display_name || metric.name, [
    { name: "Overview", render: () => el("div", {},
        el("p", { text: (metric.overview || {}).description || "" }),
        el("ul", {}, ((metric.overview || {}).key_insights || []).map((n) => el("li", { text: n }))),
        metric.validation ? el("p", { class: "alert success", text: `Validated: ${metric.validation.result || metric.validation.method || ""}` }) : null) },
    { name: "How to use", render: () => el("div", {},
        el("h3", { text: "Dimensions" }),
        el("ul", {}, (metric.dimensions || []).map((d) => el("li", {}, el("code", { text: d })))),
        el("h3", { text: "Notes" }),
        el("ul", {}, ((metric.notes || {}).all || []).map((n) => el("li", { text: n })))) },
    { name: "SQL examples", render: () => el("div", {}, examples.map(([key, example]) => el("div", {},
        el("h3", {}, example.title || key, " ", el("span", { class: "badge", text: example.complexity || "" })),
        el("pre", { class: "sql", text: example.query }),
        el("button", { class: "btn secondary copy", type: "button", text: "Copy", "data-copy": example.query, onclick: async (event) => {
          try { await navigator.clipboard.writeText(example.query); event.target.textContent = "Copied"; } catch (e) { event.target.textContent = "Select and copy"; }
        } })))) },
    { name: "Details", render: () => {
        const t = metric.technical || {};
        const m = metric.metadata || {};
        return facts([["Name", metric.name], ["Type", m.type], ["Unit", m.unit], ["Grain", m.grain],
                      ["Time column", m.time_column], ["Table", t.table], ["Expression", t.expression],
                      ["Synonyms", (t.synonyms || []).join(", ")]]);
      } },
  ]);
}

function catalogPage() {
  document.querySelectorAll(".profile-open").forEach((b) => b.addEventListener("click", () => openProfile(b.dataset.table)));
  document.querySelectorAll(".metric-open").forEach((b) => b.addEventListener("click", () => openMetric(b.dataset.metric)));
  document.querySelectorAll(".modal-close").forEach((b) => b.addEventListener("click", () => { b.closest(".modal").hidden = true; }));
  document.addEventListener("keydown", (e) => { if (e.key === "Escape") document.querySelectorAll(".modal").forEach((m) => { m.hidden = true; }); });
  document.querySelectorAll(".modal").forEach((m) => m.addEventListener("click", (e) => { if (e.target === m) m.hidden = true; }));
}

async function selectionPage() {
  const datasetsForm = document.getElementById("datasets-form");
  const tablesForm = document.getElementById("tables-form");
  if (!datasetsForm || !tablesForm) return;
  const [settings, subscriptions] = await Promise.all([api("GET", "/api/selection"), api("GET", "/api/table-subscriptions")]);
  datasetsForm.querySelectorAll("input[type=checkbox]").forEach((box) => { box.checked = !!settings.datasets[box.name]; });
  tablesForm.querySelectorAll("input[name=table_mode]").forEach((radio) => { radio.checked = radio.value === subscriptions.table_mode; });
  const choices = tablesForm.querySelectorAll(".table-choice");
  const refresh = () => {
    const explicit = tablesForm.querySelector("input[name=table_mode]:checked")?.value === "explicit";
    choices.forEach((box) => { box.disabled = !explicit; });
  };
  choices.forEach((box) => { box.checked = subscriptions.table_mode === "all" || !!subscriptions.tables[box.name]; });
  tablesForm.querySelectorAll("input[name=table_mode]").forEach((radio) => radio.addEventListener("change", refresh));
  refresh();
  datasetsForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const datasets = {};
    datasetsForm.querySelectorAll("input[type=checkbox]").forEach((box) => { datasets[box.name] = box.checked; });
    try { const saved = await api("POST", "/api/selection", { datasets }); showStatus("selection-status", saved.message, saved.warning ? "warning" : "success"); }
    catch (e) { showStatus("selection-status", e.message, "error"); }
  });
  tablesForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const mode = tablesForm.querySelector("input[name=table_mode]:checked")?.value || "all";
    const tables = {};
    if (mode === "explicit") choices.forEach((box) => { tables[box.name] = box.checked; });
    try { const saved = await api("POST", "/api/table-subscriptions", { table_mode: mode, tables }); showStatus("selection-status", saved.message, saved.warning ? "warning" : "success"); }
    catch (e) { showStatus("selection-status", e.message, "error"); }
  });
}

async function adminTablesPage() {
  const registryTable = document.getElementById("registry-table");
  if (!registryTable) return;
  let version = 0;
  const editor = document.getElementById("table-editor");
  const form = document.getElementById("editor-form");
  let editing = null;
  const openEditor = (table, existing) => {
    editing = existing ? table.id : null;
    form.reset();
    for (const [key, value] of Object.entries(table)) {
      const input = form.elements.namedItem(key);
      if (input && value !== null && value !== undefined) input.value = Array.isArray(value) ? value.join(", ") : value;
    }
    form.elements.namedItem("id").readOnly = !!existing || !!table.id;
    form.elements.namedItem("name").readOnly = !!existing;
    document.getElementById("editor-title").textContent = existing ? `Edit ${table.id}` : "Register table";
    editor.hidden = false;
  };
  const load = async () => {
    const data = await api("GET", "/api/admin/registry");
    version = data.version;
    document.getElementById("registry-version").textContent = `version ${version}`;
    const body = registryTable.querySelector("tbody");
    body.replaceChildren(...data.tables.map((t) => el("tr", {},
      el("td", {}, el("code", { text: t.id })), el("td", { text: t.name }),
      el("td", {}, el("span", { class: "badge primary", text: t.sync_strategy })),
      el("td", { text: (t.primary_key || []).join(", ") }), el("td", { text: t.description }),
      el("td", {},
        el("button", { class: "btn ghost", type: "button", text: "Edit", onclick: () => openEditor(t, true) }),
        el("button", { class: "btn ghost", type: "button", text: "Unregister", onclick: async () => {
          if (!confirm(`Unregister ${t.id}? Its data stays on disk but is no longer synced.`)) return;
          try { const saved = await api("DELETE", `/api/admin/registry/${t.id}`, { version }); showSaved(saved, `Unregistered ${t.id}.`); }
          catch (e) { showStatus("admin-status", conflictText(e), "error"); }
          load();
        } })))));
    const audit = await api("GET", "/api/admin/audit");
    document.querySelector("#audit-table tbody").replaceChildren(...audit.entries.map((a) => el("tr", {},
      el("td", { text: a.at }), el("td", { text: a.actor }), el("td", { text: a.action }),
      el("td", {}, el("code", { text: a.table_id || "" })), el("td", { class: "num", text: a.version }))));
  };
  // A saved change whose rsync-filter refresh failed says so: SSH pulls lag until it works.
  const showSaved = (saved, text) => saved.warning
    ? showStatus("admin-status", `${text} ${saved.warning}`, "warning") : showStatus("admin-status", text);
  const conflictText = (e) => e.message.includes("version conflict")
    ? `${e.message}. Someone else changed the registry; the list was reloaded — check it and try again.` : e.message;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = (name) => form.elements.namedItem(name).value.trim();
    const fields = {
      sync_strategy: value("sync_strategy"),
      primary_key: value("primary_key").split(",").map((s) => s.trim()).filter(Boolean),
      description: value("description"),
    };
    if (value("folder")) fields.folder = value("folder");
    if (value("dataset")) fields.dataset = value("dataset");
    try {
      const saved = editing ? await api("PUT", `/api/admin/registry/${editing}`, { ...fields, version })
        : await api("POST", "/api/admin/register-table", { id: value("id"), name: value("name"), ...fields, version });
      editor.hidden = true;
      showSaved(saved, editing ? `Saved ${editing}.` : `Registered ${value("id")}.`);
    } catch (e) { showStatus("admin-status", conflictText(e), "error"); }
    load();
  });
  document.getElementById("registry-refresh").addEventListener("click", load);
  document.querySelectorAll(".modal-close").forEach((b) => b.addEventListener("click", () => { b.closest(".modal").hidden = true; }));
  const discover = document.getElementById("discover");
  if (discover) discover.addEventListener("click", async () => {
    const target = document.getElementById("discovered");
    target.replaceChildren(el("p", { class: "muted", text: "Discovering…" }));
    try {
      let data = await api("GET", "/api/admin/discover-tables?refresh=1");
      // Discovery runs on the server's worker: poll until it answers with the tables.
      while (data.status === "running") {
        await new Promise((r) => setTimeout(r, 500));
        data = await api("GET", "/api/admin/discover-tables");
      }
      target.replaceChildren(...data.buckets.map((bucket) => el("details", { class: "category", open: "" },
        el("summary", {}, el("span", { text: bucket.bucket_id }), el("span", { class: "badge", text: bucket.tables.length })),
        el("ul", { class: "plain" }, bucket.tables.map((t) => el("li", {},
          el("span", {}, el("code", { text: t.id }), ` ${t.columns.length} columns, ${t.row_count} rows`),
          t.is_registered ? el("span", { class: "badge success", text: "Registered" })
            : el("button", { class: "btn secondary", type: "button", text: "Register",
                onclick: () => openEditor({ id: t.id, name: t.name, sync_strategy: "full_refresh",
                  description: t.description, primary_key: t.primary_key }, false) })))))));
    } catch (e) { target.replaceChildren(el("p", { class: "alert error", text: e.message })); }
  });
  load().catch((e) => showStatus("admin-status", e.message, "error"));
}

function desktopLinkPage() {
  const authorize = document.getElementById("desktop-authorize");
  if (!authorize) return;
  authorize.addEventListener("click", async () => {
    try {
      const answer = await api("POST", "/api/desktop/authorize", {});
      showStatus("desktop-status", "Authorized. Opening the desktop app…");
      const link = document.getElementById("desktop-url");
      link.href = answer.url;
      document.getElementById("desktop-manual").hidden = false;
      window.location.href = answer.url;
    } catch (e) { showStatus("desktop-status", e.message, "error"); }
  });
  const unlink = document.getElementById("desktop-unlink");
  if (unlink) unlink.addEventListener("click", async () => {
    if (!confirm("Unlink the desktop app? It stops working at once.")) return;
    try { showStatus("desktop-status", (await api("POST", "/api/desktop/unlink", {})).message); unlink.hidden = true; }
    catch (e) { showStatus("desktop-status", e.message, "error"); }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  desktopLinkPage();
  copyButtons();
  if (document.querySelector(".profile-open, .metric-open")) catalogPage();
  selectionPage().catch((e) => showStatus("selection-status", e.message, "error"));
  adminTablesPage();
});
