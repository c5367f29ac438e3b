// The console in a real Chromium (Debian's, driven by playwright-core)
// against a live all-in-one server with a real local host: an invited
// customer sets a password, signs in, creates an instance with the quick
// form, watches it run and print OVERCAST-READY, stops, starts and
// deletes it. axe-core checks every page; screenshots are kept in
// target/console-screenshots.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const root = new URL("../../../", import.meta.url).pathname;
const bin = process.env.OVERCAST_SERVER_BIN ?? join(root, "target/debug/overcast-server");
const dist = new URL("../dist", import.meta.url).pathname;
const shots = join(root, "target/console-screenshots");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let server, dataDir, base, operator, browser;

before(async () => {
  assert.ok(existsSync(join(dist, "index.html")), `no built console in ${dist}: run npm run build`);
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: run cargo xtask setup`);
  mkdirSync(shots, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), "overcast-console-"));
  server = spawn(bin, ["--listen", "127.0.0.1:0", "--internal-listen", "127.0.0.1:0", "--data-dir", dataDir,
    "--all-in-one", "--accelerator", "tcg", "--images-dir", join(root, "target/images"), "--console-dir", dist],
    { stdio: ["ignore", "pipe", "inherit"] });
  server.on("error", (e) => { throw new Error(`cannot start ${bin}: ${e}`); });
  base = await new Promise((resolve, reject) => {
    let out = "";
    server.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/Overcast API:\s+(http:\/\/\S+)\/v1/);
      if (m) resolve(m[1]);
    });
    server.on("exit", (code) => reject(new Error(`${bin} exited with ${code}`)));
  });
  operator = readFileSync(join(dataDir, "operator.token"), "utf8").trim();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  if (server) {
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill();
    await exited;
  }
  spawnSync(bin.replace(/overcast-server$/, "overcast-hostd"), ["teardown", "--state-dir", join(dataDir, "host")]);
  rmSync(dataDir, { recursive: true, force: true });
});

async function call(method, path, token, body) {
  const r = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function waitForHost() {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if ((await call("GET", "/v1/hosts", operator)).items.some((h) => h.state === "active")) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the local host did not come up");
}

/** axe-core on the page as it is: no serious or critical violation. */
async function accessible(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  // Evaluated over the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(", ")})`), [], `${name}: axe`);
}

test("an invited customer runs an instance from the console", { timeout: 600_000 }, async () => {
  await waitForHost();
  const account = await call("POST", "/v1/accounts", operator, { name: "acme" });
  const admin = await call("POST", "/v1/tokens", operator, { scope: "account_read_write", account: account.id });
  await call("POST", "/v1/projects", admin.secret, { name: "main" });
  await call("POST", "/v1/users", admin.secret, { name: "alice", email: "alice@acme.example", role: "account_admin" });
  const invitation = await call("POST", "/v1/users/alice/invitations", admin.secret, {});
  assert.ok(invitation.url.startsWith(`${base}/invitation#`), invitation.url);

  // The console's page comes with its security headers.
  const index = await fetch(`${base}/instances`);
  assert.equal(index.status, 200);
  assert.match(index.headers.get("content-security-policy"), /script-src 'self'/);
  const html = await index.text();
  assert.match(html, /<div id="root">/);
  const script = html.match(/src="(\/assets\/[^"]+\.js)"/)[1];
  const asset = await fetch(base + script);
  assert.match(asset.headers.get("cache-control"), /immutable/);
  // The API keeps its own 404 under /v1, console or not.
  const missing = await fetch(`${base}/v1/no-such-thing`);
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error_code, "no_such_route");

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page: ${e.message}`));
  try {
    await customer(page, context, invitation, admin, problems);
  } catch (e) {
    // What the customer saw when it failed, for the report.
    await page.screenshot({ path: join(shots, "failure.png"), fullPage: true });
    const text = await page.locator("body").innerText();
    throw new Error(`${e.message}\nthe page said: ${text.slice(0, 1500)}\nthe browser said: ${problems.join("\n")}`);
  }
  await context.close();
});

async function customer(page, context, invitation, admin, problems) {

  await page.goto(invitation.url);
  await page.getByRole("heading", { name: "Choose a password" }).waitFor();
  await accessible(page, "invitation");
  await page.getByLabel(/New password/).fill("correct horse battery staple");
  await page.getByRole("button", { name: "Set password" }).click();
  await page.getByRole("button", { name: "Go to sign in" }).click();

  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  assert.equal(await page.title(), "Overcast");
  await accessible(page, "sign-in");
  await page.getByLabel("E-mail").fill("alice@acme.example");
  await page.getByLabel("Password").fill("correct horse battery staple");
  await page.getByRole("button", { name: "Sign in" }).click();

  await page.getByRole("heading", { name: "Instances" }).waitFor();
  await page.getByText("No instances yet.").waitFor();
  await accessible(page, "instances-empty");
  await page.getByRole("link", { name: "Create instance" }).click();
  await page.getByRole("heading", { name: "Create an instance" }).waitFor();
  await page.getByLabel("Name").fill("web-1");
  await page.getByLabel("Template").selectOption("tiny");
  await page.getByLabel("Memory (MiB)").fill("256");
  await page.getByLabel("vCPUs").fill("1");
  await page.getByLabel("Disk size (GiB)").fill("1");
  await accessible(page, "create-instance");
  await page.getByRole("button", { name: "Create" }).click();

  // The detail page follows the instance to `running` and its console to READY.
  await page.getByRole("heading", { name: "web-1" }).waitFor();
  const state = page.locator(".badge").first();
  await state.filter({ hasText: "running" }).waitFor({ timeout: 300_000 });
  await page.locator(".serial").filter({ hasText: "OVERCAST-READY" }).waitFor({ timeout: 300_000 });
  await accessible(page, "instance-running");

  await page.getByRole("button", { name: "Stop" }).click();
  await state.filter({ hasText: "stopped" }).waitFor({ timeout: 120_000 });
  await page.getByRole("button", { name: "Start" }).click();
  await state.filter({ hasText: "running" }).waitFor({ timeout: 300_000 });
  // A running instance cannot be deleted, and the page says why.
  assert.equal(await page.getByRole("button", { name: "Delete" }).isDisabled(), true);
  await page.getByText("Stop the instance to delete it.").waitFor();
  await page.getByRole("button", { name: "Stop" }).click();
  await state.filter({ hasText: "stopped" }).waitFor({ timeout: 120_000 });

  await page.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("button", { name: "Yes, delete" }).click();
  await page.getByRole("heading", { name: "Instances" }).waitFor();
  const deadline = Date.now() + 120_000;
  for (;;) {
    const left = await call("GET", "/v1/instances?project=main", admin.secret);
    if (left.items.length === 0) break;
    assert.ok(Date.now() < deadline, `the instance was not deleted: ${JSON.stringify(left.items)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  await page.getByText("No instances yet.").waitFor({ timeout: 30_000 });

  // Logging out ends the session: the cookie no longer works.
  const cookie = (await context.cookies()).find((c) => c.name === "overcast_session");
  assert.ok(cookie?.httpOnly, "the session cookie is HttpOnly");
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  const after = await fetch(`${base}/v1/me`, { headers: { Cookie: `overcast_session=${cookie.value}` } });
  assert.equal(after.status, 401);

  assert.deepEqual(problems, [], "the browser console stays free of errors");
}
