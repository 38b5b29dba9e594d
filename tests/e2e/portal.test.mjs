// The portal in a real browser (Debian's chromium driven by playwright-core): sign in by magic
// link in dev mode, register an SSH key, open the catalog, a profile and a metric, change the
// sync settings. A screenshot of each step is saved under $E2E_ARTIFACTS (build/e2e-artifacts).
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
// A public key made for these tests (public keys are not secrets).
const SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDFCGjLqhNIwPbD7UJBEAj6Q0S+yGI9/yI1nWOhT3hR1 e2e@example.com";

let work, server, browser, base;

before(async () => {
  work = mkdtempSync(join(tmpdir(), "da-e2e-"));
  mkdirSync(ARTIFACTS, { recursive: true });
  const da = (...args) => execFileSync(DA, ["--config", join(work, "config"), ...args], { stdio: "pipe" });
  execFileSync(DA, ["sample-data", "--size", "xs", "--out", join(work, "incoming")], { stdio: "pipe" });
  mkdirSync(join(work, "config"));
  mkdirSync(join(work, "docs"));
  cpSync(join(work, "incoming/data_description.md"), join(work, "docs/data_description.md"));
  cpSync(join(ROOT, "docs/metrics"), join(work, "docs/metrics"), { recursive: true });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  writeFileSync(join(work, "config/instance.yaml"), `
instance: {name: "E2E Analyst"}
data_source: {type: csv, csv: {base_dir: ./incoming}}
paths: {data_dir: ./data, docs_dir: ./docs}
logging: {level: warn}
datasets:
  support: {label: "Support tickets", description: "Tickets and SLAs"}
  support_history: {label: "Ticket history", description: "Every change", requires: support}
server: {hostname: 127.0.0.1, base_url: "${base}", listen: "127.0.0.1:${port}", access_log: false}
auth:
  allowed_domain: example.com
  webapp_secret_key: e2e-secret-0123456789abcdef0123456789abcdef
  email: {dev_mode: true}
`);
  da("sync");
  da("users", "grant-role", "dan@example.com", "admin");
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

// Each test signs in as its own person: sign-in links are rate-limited per address.
async function signedInPage(email) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  // Script errors and console errors count; refused requests are checked through the page.
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) errors.push(message.text());
  });
  await page.goto(`${base}/login`);
  await page.click("text=Sign in with email link");
  await page.fill("#email", email);
  await page.click("button[type=submit]");
  await page.waitForLoadState();
  if (!(await page.$("#dev-link"))) throw new Error(`no sign-in link on ${page.url()}: ${(await page.textContent("main")).trim().replace(/\s+/g, " ").slice(0, 400)}`);
  await page.click("#dev-link");
  await page.waitForURL(`${base}/dashboard`);
  return { page, errors };
}

test("sign in by magic link, register an SSH key", async () => {
  const { page, errors } = await signedInPage("ana@example.com");
  assert.match(await page.textContent("h1"), /Welcome/);
  await page.screenshot({ path: join(ARTIFACTS, "dashboard.png"), fullPage: true });
  await page.fill("#ssh_key", `  ${SSH_KEY.replaceAll(" ", "\n")}  `);
  await page.click("#ssh-key-form button[type=submit]");
  await page.waitForURL(/notice=key_saved/);
  assert.match(await page.textContent("body"), /ssh-ed25519 · added/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("open the catalog, a table profile and a metric", async () => {
  const { page, errors } = await signedInPage("bea@example.com");
  await page.goto(`${base}/catalog`);
  await page.click('button.profile-open[data-table="orders"]');
  await page.waitForSelector("#modal:not([hidden]) .facts");
  assert.equal(await page.textContent("#modal-title"), "orders");
  await page.click("#modal-tabs button:has-text('Columns')");
  await page.waitForSelector("#modal-body .col-card");
  await page.screenshot({ path: join(ARTIFACTS, "profile.png") });
  await page.keyboard.press("Escape");
  await page.click('button.metric-open[data-metric="revenue/total_revenue.yml"]');
  await page.waitForSelector("#modal:not([hidden])");
  assert.equal(await page.textContent("#modal-title"), "Total Revenue");
  await page.click("#modal-tabs button:has-text('SQL examples')");
  await page.waitForSelector("#modal-body pre.sql");
  await page.screenshot({ path: join(ARTIFACTS, "metric.png") });
  assert.deepEqual(errors, []);
  await page.close();
});

test("change the selection: a dataset with its requirement, and chosen tables", async () => {
  const { page, errors } = await signedInPage("cid@example.com");
  await page.goto(`${base}/sync-settings`);  // the old address, redirected
  assert.equal(new URL(page.url()).pathname, "/selection");
  await page.check('input[name="support_history"]');
  await page.click("#datasets-form button[type=submit]");
  await page.waitForSelector("#selection-status.error");
  assert.match(await page.textContent("#selection-status"), /requires support/);
  await page.check('input[name="support"]');
  await page.click("#datasets-form button[type=submit]");
  await page.waitForSelector("#selection-status.success");
  await page.check('input[name="table_mode"][value="explicit"]');
  await page.uncheck('input.table-choice[name="customers"]');
  await page.click("#tables-form button[type=submit]");
  await page.waitForSelector("#selection-status.success");
  await page.screenshot({ path: join(ARTIFACTS, "selection.png"), fullPage: true });
  const saved = await page.evaluate(async () => (await fetch("/api/table-subscriptions")).json());
  assert.equal(saved.table_mode, "explicit");
  assert.equal(saved.tables.customers, false);
  assert.equal(saved.tables.orders, true);
  await page.reload();
  assert.equal(await page.isChecked('input[name="support"]'), true);
  assert.deepEqual(errors, []);
  await page.close();
});

test("the pages fit a phone screen", async () => {
  const { page, errors } = await signedInPage("dan@example.com");
  await page.setViewportSize({ width: 390, height: 844 });
  for (const path of ["/dashboard", "/catalog", "/selection", "/admin/tables"]) {
    await page.goto(`${base}${path}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `${path} is ${overflow}px wider than a phone screen`);
  }
  await page.goto(`${base}/catalog`);
  await page.screenshot({ path: join(ARTIFACTS, "catalog-phone.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});
