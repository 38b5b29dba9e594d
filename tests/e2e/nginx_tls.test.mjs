// The portal behind real nginx with TLS, as webapp-setup.sh sets it up: the site is
// server/nginx/da-site.conf.template filled in for loopback ports and this test's folders, with
// a certificate from a CA the test makes. nginx runs as a normal process (workers as nobody,
// the portal's socket in nogroup, as the da-portal drop-in does with www-data). Checked: the
// CA-verified TLS answer, the HTTP redirect and the ACME path, the refusal of unknown names,
// sign-in in a browser, static files' caching and security headers, a WebSocket to
// `da ws-gateway` through /ws/notifications, and `da pull --cacert`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, cpSync, rmSync, existsSync, chmodSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { request as httpRequest } from "node:http";
import { connect as tlsConnect } from "node:tls";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort, launchChromium } from "./support.mjs";

const ROOT = resolve(import.meta.dirname, "../..");
const DA = process.env.DA_BINARY || join(ROOT, "build/da");
const HOST = "localhost";

let work, portal, gateway, nginx, browser, base, httpPort, httpsPort, pki;

const wait = (ms) => new Promise((done) => setTimeout(done, ms));

function openssl(...args) {
  execFileSync("openssl", args, { stdio: "pipe" });
}

// A CA, and a certificate it signed for HOST.
function makePki(dir) {
  mkdirSync(dir);
  openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
    "-subj", "/CN=da test CA", "-keyout", join(dir, "ca.key"), "-out", join(dir, "ca.pem"));
  openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-subj", `/CN=${HOST}`, "-keyout", join(dir, "server.key"), "-out", join(dir, "server.csr"));
  writeFileSync(join(dir, "ext.cnf"), `subjectAltName=DNS:${HOST}\nextendedKeyUsage=serverAuth\n`);
  openssl("x509", "-req", "-in", join(dir, "server.csr"), "-CA", join(dir, "ca.pem"), "-CAkey", join(dir, "ca.key"),
    "-CAcreateserial", "-days", "2", "-extfile", join(dir, "ext.cnf"), "-out", join(dir, "server.crt"));
  return { ca: join(dir, "ca.pem"), cert: join(dir, "server.crt"), key: join(dir, "server.key") };
}

// The template filled in as webapp-setup.sh does (its header states the rules).
function renderSite(values, listen) {
  const template = readFileSync(join(ROOT, "server/nginx/da-site.conf.template"), "utf8");
  const out = [];
  for (let line of template.split("\n")) {
    if (line.endsWith(" # @IF_SUBPATH@")) {
      if (values.BASE_PATH === "/") continue;
      line = line.slice(0, -" # @IF_SUBPATH@".length);
    }
    const repeated = Object.keys(listen).find((key) => line.includes(`@${key}@`));
    const lines = repeated ? listen[repeated].map((address) => line.replace(`@${repeated}@`, address)) : [line];
    for (const each of lines) {
      out.push(each.replace(/@([A-Z_]+)@/g, (_, name) => {
        if (!(name in values)) throw new Error(`the template has a placeholder the test does not fill: @${name}@`);
        return values[name];
      }));
    }
  }
  return out.join("\n");
}

// One HTTPS request verified against the test's CA; resolves {status, headers, rawHeaders, body}.
function https(path, { servername = HOST, host = HOST, method = "GET" } = {}) {
  return new Promise((done, fail) => {
    const req = httpsRequest({ host: "127.0.0.1", port: httpsPort, path, method, servername, ca: readFileSync(pki.ca),
      headers: { host: httpsPort === 443 ? host : `${host}:${httpsPort}` } }, (res) => {
      let body = "";
      res.on("data", (chunk) => { body += chunk; });
      res.on("end", () => done({ status: res.statusCode, headers: res.headers, rawHeaders: res.rawHeaders, body }));
    });
    req.on("error", fail);
    req.end();
  });
}

function http(path, host) {
  return new Promise((done, fail) => {
    const req = httpRequest({ host: "127.0.0.1", port: httpPort, path, headers: { host } }, (res) => {
      let body = "";
      res.on("data", (chunk) => { body += chunk; });
      res.on("end", () => done({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on("error", fail);
    req.end();
  });
}

// How often a header occurs in an answer (node joins repeated headers, so count the raw ones).
const occurrences = (answer, name) =>
  answer.rawHeaders.filter((value, i) => i % 2 === 0 && value.toLowerCase() === name).length;

async function waitFor(what, probe) {
  for (let i = 0; i < 200; i++) {
    try { if (await probe()) return; } catch { /* not yet */ }
    await wait(100);
  }
  throw new Error(`${what} did not come up`);
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), "da-nginx-"));
  // nginx's workers (nobody) pass through to the socket and the ACME folder.
  chmodSync(work, 0o755);
  [httpPort, httpsPort] = [await freePort(), await freePort()];
  const wsPort = await freePort();
  base = `https://${HOST}:${httpsPort}`;
  pki = makePki(join(work, "pki"));
  const socket = join(work, "run/portal.sock");
  mkdirSync(join(work, "run"), { mode: 0o755 });
  mkdirSync(join(work, "config"));
  mkdirSync(join(work, "docs"));
  execFileSync(DA, ["sample-data", "--size", "xs", "--out", join(work, "incoming")], { stdio: "pipe" });
  cpSync(join(work, "incoming/data_description.md"), join(work, "docs/data_description.md"));
  writeFileSync(join(work, "config/instance.yaml"), `
instance: {name: "Behind nginx"}
data_source: {type: csv, csv: {base_dir: ./incoming}}
paths: {data_dir: ./data, docs_dir: ./docs}
logging: {level: warn}
server:
  hostname: ${HOST}
  base_url: "${base}"
  listen: "unix:${socket}"
  trusted_proxies: [unix, 127.0.0.1]
  access_log: false
auth:
  allowed_domain: example.com
  webapp_secret_key: nginx-e2e-secret-0123456789abcdef0123456789
  email: {dev_mode: true}
desktop: {jwt_secret: nginx-e2e-desktop-secret-0123456789abcdef}
notifications: {ws_listen: "127.0.0.1:${wsPort}"}
`);
  const da = (...args) => execFileSync(DA, ["--config", join(work, "config"), ...args], { stdio: "pipe" }).toString();
  da("sync");
  da("users", "grant-role", "ana@example.com", "analyst");

  portal = spawn(DA, ["--config", join(work, "config"), "serve"], { stdio: ["ignore", "inherit", "inherit"] });
  gateway = spawn(DA, ["--config", join(work, "config"), "ws-gateway"], { stdio: ["ignore", "inherit", "inherit"] });
  await waitFor("the portal's socket", () => existsSync(socket));
  // What the da-portal drop-in does with www-data: the socket's group is nginx's.
  execFileSync("chgrp", ["nogroup", socket]);

  const conf = join(work, "nginx");
  mkdirSync(join(conf, "snippets"), { recursive: true });
  mkdirSync(join(work, "acme/.well-known/acme-challenge"), { recursive: true });
  writeFileSync(join(work, "acme/.well-known/acme-challenge/probe"), "challenge answer\n");
  cpSync(join(ROOT, "server/nginx/da-security-headers.conf"), join(conf, "snippets/da-security-headers.conf"));
  writeFileSync(join(conf, "da.conf"), renderSite({
    HOSTNAME: HOST, HTTPS_ORIGIN: base, BASE_PATH: "/", PORTAL_SOCKET: socket,
    WS_UPSTREAM: `127.0.0.1:${wsPort}`, CERTIFICATE: pki.cert, CERTIFICATE_KEY: pki.key,
    ACME_ROOT: join(work, "acme"), MAX_BODY_KB: "1024",
  }, { HTTP_LISTEN: [`127.0.0.1:${httpPort}`], HTTPS_LISTEN: [`127.0.0.1:${httpsPort}`] }));
  writeFileSync(join(conf, "nginx.conf"), `
user nobody nogroup;
worker_processes 1;
daemon off;
pid ${work}/nginx.pid;
error_log ${work}/nginx-error.log warn;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path ${work}/nginx-tmp/body;
  proxy_temp_path ${work}/nginx-tmp/proxy;
  fastcgi_temp_path ${work}/nginx-tmp/fastcgi;
  uwsgi_temp_path ${work}/nginx-tmp/uwsgi;
  scgi_temp_path ${work}/nginx-tmp/scgi;
  include da.conf;
}
`);
  mkdirSync(join(work, "nginx-tmp"));
  execFileSync("nginx", ["-t", "-q", "-p", work, "-c", join(conf, "nginx.conf")], { stdio: "pipe" });
  nginx = spawn("nginx", ["-p", work, "-c", join(conf, "nginx.conf")], { stdio: ["ignore", "inherit", "inherit"] });
  await waitFor("nginx", async () => (await https("/health")).status === 200);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  for (const child of [nginx, gateway, portal]) {
    if (child && child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((done) => child.once("exit", done));
    }
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

test("the portal answers through nginx over TLS that the test's CA verifies, with HSTS once", async () => {
  const health = await https("/health");
  assert.equal(health.status, 200);
  assert.equal(JSON.parse(health.body).status, "ok");
  assert.equal(occurrences(health, "strict-transport-security"), 1);
  assert.equal(health.headers["strict-transport-security"], "max-age=31536000");
});

test("HTTP is redirected to HTTPS, except Let's Encrypt's challenges", async () => {
  const redirect = await http("/login?next=%2Fcatalog", HOST);
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.location, `${base}/login?next=%2Fcatalog`);
  const challenge = await http("/.well-known/acme-challenge/probe", HOST);
  assert.equal(challenge.status, 200);
  assert.equal(challenge.body, "challenge answer\n");
});

test("a name the broker does not answer to gets nothing, over HTTP and HTTPS", async () => {
  await assert.rejects(http("/", "evil.example"), /socket hang up|ECONNRESET/);
  await assert.rejects(http("/", "127.0.0.1"), /socket hang up|ECONNRESET/);
  // Another name in the TLS handshake: refused before any certificate is shown.
  await assert.rejects(new Promise((done, fail) => {
    const socket = tlsConnect({ host: "127.0.0.1", port: httpsPort, servername: "evil.example", rejectUnauthorized: false },
      () => { socket.end(); done(); });
    socket.on("error", fail);
  }), /alert|handshake|unrecognized name/i);
  // The right name in the handshake, another in the Host header.
  await assert.rejects(https("/login", { host: "evil.example" }), /socket hang up|ECONNRESET/);
});

test("static files carry long caching for versioned URLs and every security header, once", async () => {
  const login = await https("/login");
  assert.equal(login.status, 200);
  const css = login.body.match(/href="(\/static\/app\.css\?v=[0-9a-f]+)"/);
  assert.ok(css, "the login page links a versioned stylesheet");
  const asset = await https(css[1]);
  assert.equal(asset.status, 200);
  assert.equal(asset.headers["cache-control"], "public, max-age=31536000, immutable");
  assert.match(asset.headers["content-security-policy"], /frame-ancestors 'none'/);
  assert.equal(asset.headers["x-content-type-options"], "nosniff");
  assert.equal(asset.headers["x-frame-options"], "DENY");
  assert.equal(asset.headers["referrer-policy"], "same-origin");
  assert.equal(asset.headers["strict-transport-security"], "max-age=31536000");
  for (const name of ["strict-transport-security", "content-security-policy", "x-content-type-options", "x-frame-options"])
    assert.equal(occurrences(asset, name), 1, `${name} once`);
  const unversioned = await https("/static/app.css");
  assert.equal(unversioned.headers["cache-control"], "public, max-age=300");
});

test("sign in through the proxy, then a WebSocket to the gateway through /ws/notifications", async () => {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.click("text=Sign in with email link");
  await page.fill("#email", "ana@example.com");
  await page.click("button[type=submit]");
  await page.waitForLoadState();
  await page.click("#dev-link");
  await page.waitForURL(`${base}/dashboard`);
  const cookies = await context.cookies();
  const session = cookies.find((cookie) => cookie.name === "da_session");
  assert.ok(session?.secure, "the session cookie is Secure behind HTTPS");

  const answer = await page.evaluate(async () => {
    const csrf = document.querySelector("main[data-csrf]").dataset.csrf;
    const tokens = await (await fetch("/api/desktop/authorize", { method: "POST", headers: { "X-CSRF-Token": csrf } })).json();
    return await new Promise((done) => {
      const socket = new WebSocket(`wss://${location.host}/ws/notifications`);
      socket.onopen = () => socket.send(JSON.stringify({ type: "auth", token: tokens.access_token }));
      socket.onmessage = (event) => { socket.close(); done(JSON.parse(event.data)); };
      socket.onerror = () => done({ type: "socket error" });
    });
  });
  assert.deepEqual(answer, { type: "auth_ok", username: "ana_example_com" });
  await context.close();
});

test("da pull --cacert fetches the data through nginx; without the CA it is refused", async () => {
  const token = execFileSync(DA, ["--config", join(work, "config"), "users", "token", "create", "ana@example.com"], { stdio: "pipe" })
    .toString().trim();
  const env = { ...process.env, DA_PORTAL_URL: base, DA_PORTAL_TOKEN: token };
  for (const name of ["DA_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"]) delete env[name];
  const workspace = join(work, "workspace");
  assert.throws(() => execFileSync(DA, ["pull", workspace], { env, stdio: "pipe" }), /SSL certificate problem/);
  const output = execFileSync(DA, ["pull", workspace, "--cacert", pki.ca], { env, stdio: "pipe" }).toString();
  assert.match(output, /pulled /);
  assert.ok(existsSync(join(workspace, "server/parquet")), "the workspace has the broker's Parquet");
});
