// Sign-in through a real, certified OpenID provider (npm oidc-provider on 127.0.0.1, see
// oidc_provider.mjs) in Debian's chromium: the code flow with PKCE, the email from the
// userinfo endpoint, the provider's error shown on the login page, and a signing key rotated
// between two sign-ins. The signed-in dashboard of an unlinked user offers Telegram linking.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort, waitForHealth, launchChromium } from "./support.mjs";
import { startOidcProvider } from "./oidc_provider.mjs";

const ROOT = resolve(import.meta.dirname, "../..");
const DA = process.env.DA_BINARY || join(ROOT, "build/da");
const ARTIFACTS = process.env.E2E_ARTIFACTS || join(ROOT, "build/e2e-artifacts");
const CLIENT_SECRET = "e2e-client-secret-0123456789abcdef";

let work, server, browser, base, oidc;

before(async () => {
  work = mkdtempSync(join(tmpdir(), "da-e2e-oidc-"));
  mkdirSync(ARTIFACTS, { recursive: true });
  mkdirSync(join(work, "config"));
  mkdirSync(join(work, "docs"));
  writeFileSync(join(work, "docs/data_description.md"), "# Tables\n");
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  oidc = await startOidcProvider({ clientId: "da-portal", clientSecret: CLIENT_SECRET, redirectUri: `${base}/authorize` });
  writeFileSync(join(work, "config/instance.yaml"), `
instance: {name: "E2E OpenID"}
paths: {data_dir: ./data, docs_dir: ./docs}
logging: {level: warn}
server: {hostname: 127.0.0.1, base_url: "${base}", listen: "127.0.0.1:${port}", access_log: false}
auth:
  allowed_domain: example.com
  webapp_secret_key: e2e-secret-0123456789abcdef0123456789abcdef
  email: {enabled: false}
  oidc:
    client_id: da-portal
    client_secret: ${CLIENT_SECRET}
    discovery_url: ${oidc.discoveryUrl}
    prompt: login
    name: Test ID
telegram: {bot_username: e2e_da_bot, bot_token: "123456:e2e-token-never-used", api_url: "http://127.0.0.1:9"}
`);
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
  await oidc?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

// From the portal's login page through the provider's login form; returns the page where the
// browser lands. A new browser context each time: no provider or portal session carries over.
async function signInWithProvider(login, { cancel = false } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${base}/login`);
  await page.click("text=Sign in with Test ID");
  await page.waitForURL(`${oidc.issuer}/interaction/**`);
  if (cancel) {
    await page.click("text=[ Cancel ]");
  } else {
    await page.fill("input[name=login]", login);
    await page.fill("input[name=password]", "any");
    await page.click("button[type=submit]");
  }
  await page.waitForURL(`${base}/**`);
  await page.waitForLoadState();
  return { context, page, errors };
}

test("sign in through a certified OpenID provider, then again after it rotates its signing key", async () => {
  const first = await signInWithProvider("olga");
  assert.equal(new URL(first.page.url()).pathname, "/dashboard", await first.page.textContent("main"));
  assert.match(await first.page.textContent("body"), /olga@example\.com/);
  await first.page.screenshot({ path: join(ARTIFACTS, "oidc-dashboard.png"), fullPage: true });
  assert.deepEqual(first.errors, []);

  // An unlinked user is offered the code form, not an Unlink button or a "linked since".
  assert.equal(await first.page.isVisible("#telegram-form"), true);
  assert.equal(await first.page.isVisible("text=Unlink Telegram"), false);
  assert.doesNotMatch(await first.page.textContent("body"), /linked since/);
  await first.context.close();

  const fetched = oidc.requests.jwks;
  oidc.rotateKey();
  const started = Date.now();
  const second = await signInWithProvider("pia");
  assert.equal(new URL(second.page.url()).pathname, "/dashboard", await second.page.textContent("main"));
  assert.match(await second.page.textContent("body"), /pia@example\.com/);
  assert.ok(Date.now() - started < 20000, "the new key was not fetched at once");
  assert.equal(oidc.requests.jwks, fetched + 1, "the portal fetched the rotated keys once");
  assert.equal(oidc.currentKid(), "key-2");
  await second.context.close();
});

test("the provider's error and its description are shown on the login page", async () => {
  const { context, page } = await signInWithProvider("", { cancel: true });
  assert.equal(new URL(page.url()).pathname, "/authorize");
  const alert = await page.textContent("[role=alert]");
  assert.match(alert, /Test ID sign-in failed: the provider answered access_denied: End-User aborted interaction/);
  await page.screenshot({ path: join(ARTIFACTS, "oidc-error.png") });
  await context.close();
});
