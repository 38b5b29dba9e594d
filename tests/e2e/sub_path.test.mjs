// The portal under a sub-path (server.base_url http://127.0.0.1:PORT/tools/da, as behind an
// nginx that passes /tools/da/ through unchanged) in a real browser: sign in by magic link,
// then click through the dashboard, the catalog (a profile and a metric, fetched by the page's
// script) and the sync settings (saved by the script), as an analyst and as an administrator.
// No request may fail and no script error may happen; nothing answers outside the prefix.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, cpSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort, waitForHealth, launchChromium } from "./support.mjs";

const ROOT = resolve(import.meta.dirname, "../..");
const DA = process.env.DA_BINARY || join(ROOT, "build/da");
const ARTIFACTS = process.env.E2E_ARTIFACTS || join(ROOT, "build/e2e-artifacts");
const PREFIX = "/tools/da";

let work, server, browser, origin, base;

before(async () => {
  work = mkdtempSync(join(tmpdir(), "da-e2e-subpath-"));
  mkdirSync(ARTIFACTS, { recursive: true });
  const da = (...args) => execFileSync(DA, ["--config", join(work, "config"), ...args], { stdio: "pipe" });
  execFileSync(DA, ["sample-data", "--size", "xs", "--out", join(work, "incoming")], { stdio: "pipe" });
  mkdirSync(join(work, "config"));
  mkdirSync(join(work, "docs"));
  cpSync(join(work, "incoming/data_description.md"), join(work, "docs/data_description.md"));
  cpSync(join(ROOT, "docs/metrics"), join(work, "docs/metrics"), { recursive: true });
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  base = `${origin}${PREFIX}`;
  writeFileSync(join(work, "config/instance.yaml"), `
instance: {name: "E2E Sub-path"}
data_source: {type: csv, csv: {base_dir: ./incoming}}
paths: {data_dir: ./data, docs_dir: ./docs}
logging: {level: warn}
datasets:
  support: {label: "Support tickets", description: "Tickets and SLAs"}
server: {hostname: 127.0.0.1, base_url: "${base}", listen: "127.0.0.1:${port}", access_log: false}
auth:
  allowed_domain: example.com
  webapp_secret_key: e2e-secret-0123456789abcdef0123456789abcdef
  email: {dev_mode: true}
`);
  da("sync");
  da("users", "grant-role", "adm@example.com", "admin");
  server = spawn(DA, ["--config", join(work, "config"), "serve"], { stdio: ["ignore", "inherit", "inherit"] });
  await waitForHealth(base);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (server) {
    server.kill("SIGTERM");
    await new Promise((done) => server.once("exit", done));
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

// A page that records every failed request (status >= 400, or not answered) and every script
// or console error.
async function watchedPage() {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = [];
  page.on("pageerror", (error) => problems.push(`script error: ${error.message}`));
  page.on("console", (message) => { if (message.type() === "error") problems.push(`console: ${message.text()}`); });
  page.on("response", (response) => { if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`); });
  page.on("requestfailed", (request) => problems.push(`failed ${request.url()}: ${request.failure()?.errorText}`));
  page.on("request", (request) => {
    const url = request.url();
    if (url !== base && !url.startsWith(`${base}/`)) problems.push(`outside the prefix: ${url}`);
  });
  return { page, problems };
}

async function signIn(email) {
  const watched = await watchedPage();
  const { page } = watched;
  await page.goto(base);  // no trailing slash: redirected to the prefix's root, then to /login
  assert.equal(page.url(), `${base}/login`);
  await page.click("text=Sign in with email link");
  await page.fill("#email", email);
  await page.click("button[type=submit]");
  await page.waitForLoadState();
  await page.click("#dev-link");
  await page.waitForURL(`${base}/dashboard`);
  const cookies = await page.context().cookies();
  for (const cookie of cookies) assert.equal(cookie.path, PREFIX, `${cookie.name} has path ${cookie.path}`);
  return watched;
}

test("an analyst clicks through dashboard, catalog and sync settings under the sub-path", async () => {
  const { page, problems } = await signIn("ana@example.com");
  assert.match(await page.textContent("h1"), /Welcome/);

  await page.click("nav >> text=Catalog");
  await page.waitForURL(`${base}/catalog`);
  await page.click('button.profile-open[data-table="orders"]');
  await page.waitForSelector("#modal:not([hidden]) .facts");
  await page.keyboard.press("Escape");
  await page.click('button.metric-open[data-metric="revenue/total_revenue.yml"]');
  await page.waitForSelector("#modal:not([hidden])");
  assert.equal(await page.textContent("#modal-title"), "Total Revenue");
  await page.keyboard.press("Escape");

  await page.click("nav >> text=Selection");
  await page.waitForURL(`${base}/selection`);
  await page.waitForFunction(() => document.querySelector('input[name="table_mode"]:checked'));
  await page.check('input[name="support"]');
  await page.click("#datasets-form button[type=submit]");
  await page.waitForSelector("#selection-status.success");
  await page.screenshot({ path: join(ARTIFACTS, "sub-path-selection.png"), fullPage: true });

  await page.click("a.brand");
  await page.waitForURL(`${base}/dashboard`);
  await page.click("text=Sign out");
  await page.waitForURL(`${base}/login?notice=logged_out`);
  assert.deepEqual(problems, []);
  await page.close();
});

test("an administrator opens the table registry under the sub-path", async () => {
  const { page, problems } = await signIn("adm@example.com");
  await page.click("nav >> text=Admin");
  await page.waitForURL(`${base}/admin/tables`);
  await page.waitForFunction(() => /^version \d+$/.test(document.getElementById("registry-version").textContent));
  await page.waitForSelector("#audit-table");
  await page.click("#discover");
  await page.waitForSelector("#discovered details");
  assert.deepEqual(problems, []);
  await page.close();
});

test("nothing answers outside the sub-path", async () => {
  for (const path of ["/", "/login", "/dashboard", "/health", "/static/app.js", "/api/me", "/tools/dab"]) {
    const answer = await fetch(`${origin}${path}`, { redirect: "manual" });
    assert.equal(answer.status, 404, path);
  }
  assert.equal((await fetch(`${base}/health`)).status, 200);
});
