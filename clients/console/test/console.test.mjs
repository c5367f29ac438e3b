// The console in a real Chromium (Debian's, driven by playwright-core)
// against a live all-in-one server with a real local host: an invited
// customer sets a password, signs in, creates an instance with the quick
// form, watches it run and print OVERCAST-READY, stops, resizes, starts
// and deletes it; composes one from a drive and an address made inline and
// attaches a second drive while it is stopped; uses every other page. A
// second customer sees none of it. The cookie is refused cross-origin and
// dies at logout; bad passwords are rate-limited. axe-core checks every
// page; screenshots are kept in target/console-screenshots.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import jsQR from "jsqr";
import {
  accessible, binDir, call as callAt, customerAccount, dist, launchChromium, PASSWORD, pixelAt, prerequisites, reported,
  decodePng, root, shots, signIn, startServer, stopServer, totp, watchProblems,
} from "./harness.mjs";

let server, serverLog, dataDir, base, operator, browser;

before(async () => {
  prerequisites();
  dataDir = mkdtempSync(join(tmpdir(), "overcast-console-"));
  ({ proc: server, base, log: serverLog } = await startServer("overcast-server", ["--listen", "127.0.0.1:0", "--internal-listen",
    "127.0.0.1:0", "--data-dir", dataDir, "--all-in-one", "--accelerator", "tcg", "--images-dir",
    join(root, "target/images"), "--console-dir", dist]));
  operator = readFileSync(join(dataDir, "operator.token"), "utf8").trim();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await stopServer(server);
  spawnSync(join(binDir, "overcast-hostd"), ["teardown", "--state-dir", join(dataDir, "host")]);
  // The daemons' logs stay with the screenshots, for a failure's report.
  if (serverLog) writeFileSync(join(shots, "overcast-server.log"), serverLog());
  const hostLog = join(dataDir, "host", "hostd.log");
  if (existsSync(hostLog)) copyFileSync(hostLog, join(shots, "hostd.log"));
  rmSync(dataDir, { recursive: true, force: true });
});

const call = (method, path, token, body) => callAt(base, method, path, token, body);

async function waitForHost() {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if ((await call("GET", "/v1/hosts", operator)).items.some((h) => h.state === "active")) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the local host did not come up");
}

test("an invited customer runs an instance from the console", { timeout: 600_000 }, async () => {
  await waitForHost();
  await call("POST", "/v1/ip-pools", operator, {
    name: "public", first_address: "203.0.113.10", last_address: "203.0.113.250", prefix_len: 24, gateway: "203.0.113.1",
  });
  const { admin, invitation } = await customerAccount(base, operator, "acme", "alice@acme.example");
  assert.ok(invitation.url.startsWith(`${base}/invitation#`), invitation.url);

  // The console's page comes with its security headers.
  const index = await fetch(`${base}/instances`);
  assert.equal(index.status, 200);
  assert.match(index.headers.get("content-security-policy"), /script-src 'self'/);
  // Loopback is a trustworthy origin, where browsers honour the opener policy.
  assert.equal(index.headers.get("cross-origin-opener-policy"), "same-origin");
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
  // Signing in with a second factor starts with a 401 that asks for the code.
  const problems = watchProblems(page, (text, url) => /status of 401/.test(text) && url.endsWith("/v1/login"));
  const composed = await reported(page, problems, "failure", () => customer(page, context, invitation, admin, problems));
  await context.close();

  // A second customer, side by side: nothing of acme's shows, by
  // navigation or by typed address.
  const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const bob = await other.newPage();
  // The typed addresses below are meant to 404; anything else is a fault.
  const bobProblems = watchProblems(bob, (text) => /status of 404/.test(text));
  await reported(bob, bobProblems, "failure-isolation", () => isolation(bob, composed));
  assert.deepEqual(bobProblems, [], "the browser console stays free of errors");
  await other.close();

  // Repeated bad passwords are refused for a while, whatever the password.
  let last;
  for (let i = 0; i < 6; i++) {
    last = await fetch(`${base}/v1/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: base },
      body: JSON.stringify({ email: "alice@acme.example", password: `wrong password ${i}` }),
    });
  }
  assert.equal(last.status, 429, await last.text());
  assert.ok(Number(last.headers.get("retry-after")) > 0, "Retry-After is given");
});

test("a partner's customers see the partner's brand on its host name", { timeout: 120_000 }, async () => {
  const PRIMARY = "#0b6e4f";
  const LOGO = "https://cdn.cloudco.test/logo.svg";
  await call("POST", "/v1/partners", operator, {
    name: "cloudco",
    host_names: ["cloud.cloudco.test"],
    brand: { display_name: "CloudCo", primary_color: PRIMARY, accent_color: "#6b21a8", logo_url: LOGO, support_email: "help@cloudco.test" },
  });
  const partner = await call("POST", "/v1/tokens", operator, { scope: "partner_admin", partner: "cloudco" });
  const account = await call("POST", "/v1/accounts", partner.secret, { name: "tenant" });
  const admin = await call("POST", "/v1/tokens", partner.secret, { scope: "account_read_write", account: account.id });
  await call("POST", "/v1/projects", admin.secret, { name: "main" });
  await call("POST", "/v1/users", admin.secret, { name: "eve", email: "eve@tenant.test", role: "account_admin" });
  const invitation = await call("POST", "/v1/users/eve/invitations", admin.secret, {});
  await call("POST", "/v1/invitations/accept", admin.secret, { secret: invitation.secret, password: PASSWORD });

  // The partner's host name reaches this server (see launchChromium).
  const home = `http://cloud.cloudco.test:${new URL(base).port}`;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // The partner's own CDN, which this machine cannot reach, serves its logo.
  await context.route(LOGO, (route) => route.fulfill({
    contentType: "image/svg+xml",
    body: '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="#6b21a8"/></svg>',
  }));
  const page = await context.newPage();
  const problems = watchProblems(page);
  await reported(page, problems, "failure-partner", async () => {
    await page.goto(`${home}/login`);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    assert.equal(await page.title(), "CloudCo");
    await page.getByText("CloudCo").first().waitFor();
    assert.ok(await page.locator("img.logo").evaluate((img) => img.complete && img.naturalWidth === 64), "the logo shows");
    assert.doesNotMatch(await page.content(), /overcast/i, "the sign-in page names only the partner");
    await accessible(page, "partner-sign-in");
    await signIn(page, "eve@tenant.test");
    await page.getByText("help@cloudco.test").waitFor();
    assert.doesNotMatch(await page.content(), /overcast/i, "the console names only the partner");
    // The brand's colour where it is painted: a button's padding.
    const button = await page.getByRole("button", { name: "Log out" }).boundingBox();
    const shot = await page.screenshot();
    assert.equal(pixelAt(shot, Math.round(button.x + 4), Math.round(button.y + button.height / 2)), PRIMARY);
    await accessible(page, "partner-dashboard");
  });
  assert.deepEqual(problems, [], "the browser console stays free of errors");
  await context.close();
});

test("operator and partner staff run the cloud from the console", { timeout: 180_000 }, async () => {
  await waitForHost();
  await call("POST", "/v1/users", operator, { name: "olga", email: "olga@operator.example", role: "operator" });
  const invitation = await call("POST", "/v1/users/olga/invitations", operator, {});
  await call("POST", "/v1/invitations/accept", operator, { secret: invitation.secret, password: PASSWORD });

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = watchProblems(page);
  const rita = await reported(page, problems, "failure-operator", () => operatorPages(page));
  assert.deepEqual(problems, [], "the browser console stays free of errors");
  await context.close();

  // The partner's admin, on the partner's host name, under its brand.
  await call("POST", "/v1/invitations/accept", operator, { secret: rita.split("#")[1], password: PASSWORD });
  const partnerContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const partnerPage = await partnerContext.newPage();
  const partnerProblems = watchProblems(partnerPage);
  await reported(partnerPage, partnerProblems, "failure-partner-admin", () => partnerPages(partnerPage));
  assert.deepEqual(partnerProblems, [], "the browser console stays free of errors");
  await partnerContext.close();
});

async function operatorPages(page) {
  await page.goto(`${base}/login`);
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  await page.getByLabel("E-mail").fill("olga@operator.example");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Hosts" }).waitFor();
  await page.getByRole("cell", { name: "active" }).first().waitFor();
  // Each host's bars show what the API says is placed on it.
  for (const h of (await call("GET", "/v1/hosts", operator)).items) {
    const share = (used, total) => Math.min(1, total > 0 ? used / total : 0);
    const bars = [
      [`vCPUs allocated on ${h.name}`, share(h.vcpus_allocated, h.cpus)],
      [`Memory allocated on ${h.name}`, share(h.memory_allocated_mib, h.memory_mib)],
      [`Storage used on ${h.name}`, share(h.storage_bytes - h.storage_free_bytes, h.storage_bytes)],
    ];
    for (const [name, expected] of bars) {
      const shown = await page.getByRole("meter", { name }).evaluate((m) => m.value);
      assert.ok(Math.abs(shown - expected) < 0.02, `${name}: ${shown}, the API says ${expected}`);
    }
    await page.getByText(`${h.vcpus_allocated} of ${h.cpus}`, { exact: false }).first().waitFor();
  }
  // No Ceph in this cloud: the storage panel says so.
  await page.getByText("This cloud has no Ceph cluster").waitFor();
  await accessible(page, "operator-hosts");
  // A new host's one-use enrollment token, shown once.
  await page.getByLabel("Where the host is").fill("rack 9");
  await page.getByRole("button", { name: "Make enrollment token" }).click();
  assert.ok((await page.getByLabel("Enrollment token", { exact: true }).innerText()).length > 20, "the token is shown");
  await page.getByLabel("Host daemon command").waitFor();
  await accessible(page, "operator-host-enrollment");

  await nav(page, "IP pools");
  await page.getByLabel("Name", { exact: true }).fill("staff-pool");
  await page.getByLabel("First address").fill("198.51.100.10");
  await page.getByLabel("Last address").fill("198.51.100.20");
  await page.getByLabel("Prefix length").fill("24");
  await page.getByLabel("Gateway").fill("198.51.100.1");
  await page.getByRole("button", { name: "Create pool" }).click();
  await page.getByRole("cell", { name: "staff-pool" }).waitFor();
  await accessible(page, "operator-ip-pools");

  await nav(page, "Images");
  await page.getByRole("cell", { name: "tiny", exact: true }).waitFor();
  await accessible(page, "operator-images");

  await nav(page, "Partners");
  await page.getByLabel("Name", { exact: true }).fill("resell");
  await page.getByLabel("Host names").fill("console.resell.test");
  await page.getByRole("button", { name: "Add partner" }).click();
  await page.getByRole("link", { name: "Brand of resell" }).click();
  await page.getByRole("heading", { name: "Brand of resell" }).waitFor();
  await page.getByLabel("Display name").fill("Resell Cloud");
  await page.getByLabel("Primary colour").fill("#7c2d12");
  // The preview follows the form as it is typed.
  await page.locator(".preview").getByText("Resell Cloud").waitFor();
  assert.equal(await page.locator(".preview-button").evaluate((el) => getComputedStyle(el).backgroundColor), "rgb(124, 45, 18)");
  await accessible(page, "operator-brand-editor");
  await page.getByRole("button", { name: "Save brand" }).click();
  await until("the brand to be saved", async () => (await call("GET", "/v1/partners/resell", operator)).brand.primary_color === "#7c2d12", 10_000);

  await nav(page, "Accounts");
  await page.getByLabel("Name", { exact: true }).fill("shop");
  await page.getByLabel(/Partner/).selectOption("resell");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: "shop", exact: true }).waitFor();
  await page.getByLabel("Name", { exact: true }).fill("sam");
  await page.getByLabel("E-mail").fill("sam@shop.example");
  await page.getByLabel("Role").selectOption("account_admin");
  await page.getByRole("button", { name: "Add user" }).click();
  await page.getByRole("button", { name: "Invitation link for sam" }).click();
  await page.getByText(`${base}/invitation#`).waitFor();
  await accessible(page, "operator-account");

  // Alice (of the first test) lost her authenticator: the operator turns
  // her second factor off from her account's page.
  const alice = await call("GET", "/v1/users/alice?account=acme", operator);
  assert.equal(alice.totp_enabled, true, "the customer journey left alice with a second factor");
  await nav(page, "Accounts");
  await page.getByRole("link", { name: "acme", exact: true }).click();
  await page.getByRole("heading", { name: "acme", exact: true }).waitFor();
  await page.getByRole("button", { name: "Turn off the second factor of alice" }).click();
  await page.getByRole("button", { name: "Yes, turn off the second factor of alice" }).click();
  await until("alice's second factor to be off", async () => !(await call("GET", "/v1/users/alice?account=acme", operator)).totp_enabled, 10_000);
  await page.getByRole("row", { name: /alice@acme\.example/ }).getByRole("cell", { name: "off", exact: true }).waitFor();

  await nav(page, "Staff");
  await page.getByLabel("Name", { exact: true }).fill("rita");
  await page.getByLabel("E-mail").fill("rita@resell.example");
  await page.getByLabel("Role").selectOption("partner_admin");
  await page.getByLabel(/Partner/).selectOption("resell");
  await page.getByRole("button", { name: "Add user" }).click();
  await page.getByRole("button", { name: "Invitation link for rita" }).click();
  const link = await page.locator(".secret code").innerText();
  await accessible(page, "operator-staff");
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  return link;
}

async function partnerPages(page) {
  const home = `http://console.resell.test:${new URL(base).port}`;
  await page.goto(`${home}/login`);
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  assert.equal(await page.title(), "Resell Cloud");
  await page.getByLabel("E-mail").fill("rita@resell.example");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Accounts" }).waitFor();
  await page.getByRole("link", { name: "shop" }).waitFor();
  assert.equal(await page.getByRole("link", { name: "acme" }).count(), 0, "only the partner's accounts");
  assert.equal(await page.getByRole("link", { name: "Hosts" }).count(), 0, "no operator pages");
  await accessible(page, "partner-accounts");
  // The partner suspends its customer and resumes it.
  await page.getByRole("link", { name: "shop" }).click();
  await page.getByRole("heading", { name: "shop", exact: true }).waitFor();
  await page.getByRole("button", { name: "Suspend account" }).click();
  await page.getByRole("button", { name: "Yes, suspend account" }).click();
  await page.getByRole("button", { name: "Resume account" }).waitFor();
  assert.equal((await call("GET", "/v1/accounts/shop", operator)).suspended, true);
  await accessible(page, "partner-account-suspended");
  await page.getByRole("button", { name: "Resume account" }).click();
  await page.getByRole("button", { name: "Suspend account" }).waitFor();
  assert.equal((await call("GET", "/v1/accounts/shop", operator)).suspended, false);
  await nav(page, "Brand");
  await page.getByRole("heading", { name: "Brand of resell" }).waitFor();
  assert.equal(await page.getByLabel("Display name").inputValue(), "Resell Cloud");
  await accessible(page, "partner-brand");
  await nav(page, "Staff");
  await page.getByRole("cell", { name: "rita", exact: true }).waitFor();
  assert.equal(await page.getByText("olga").count(), 0, "no operator staff");
  await accessible(page, "partner-staff");
}

async function isolation(page, composed) {
  const { admin, invitation } = await customerAccount(base, operator, "globex", "bob@globex.example");
  await call("POST", "/v1/invitations/accept", admin.secret, { secret: invitation.secret, password: PASSWORD });
  await page.goto(`${base}/login`);
  await signIn(page, "bob@globex.example");
  await nav(page, "Instances");
  await page.getByText("No instances yet.").waitFor();
  await nav(page, "Drives");
  await page.getByText("No drives yet.").waitFor();
  await nav(page, "Users");
  await page.getByRole("cell", { name: "bob@globex.example" }).waitFor();
  assert.equal(await page.getByText("alice@acme.example").count(), 0);
  for (const path of [`/instances/${composed.id}`, `/drives/${composed.drive_ids[0]}`]) {
    await page.goto(base + path);
    const alert = page.getByRole("alert");
    await alert.waitFor();
    assert.match(await alert.innerText(), /request /);
    // Nothing of acme's by name (request ids are hex, so they cannot spell these).
    assert.doesNotMatch(await page.locator("body").innerText(), /db-(boot|data|ip)|\bdb-1\b/, `${path} shows nothing of acme's`);
  }
  await page.screenshot({ path: join(shots, "isolation.png"), fullPage: true });
}

const SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f alice@laptop";

async function nav(page, name) {
  const link = page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name, exact: true });
  const path = await link.getAttribute("href");
  await link.click();
  // The new page, not the old one's heading: a field typed into before the
  // route changed would be lost with the old page.
  // (Each section's page is headed with the section's name: "Brand", or
  // "Brand of resell" for a partner's admin.)
  await page.waitForURL((url) => url.pathname === path);
  const heading = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}( of .+)?$`);
  await page.getByRole("heading", { level: 1, name: heading }).waitFor();
}

async function until(what, check, ms = 120_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function customer(page, context, invitation, admin, problems) {
  await page.goto(invitation.url);
  await page.getByRole("heading", { name: "Choose a password" }).waitFor();
  await accessible(page, "invitation");
  await page.getByLabel(/New password/).fill(PASSWORD);
  await page.getByRole("button", { name: "Set password" }).click();
  await page.getByRole("button", { name: "Go to sign in" }).click();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  assert.equal(await page.title(), "Overcast");
  await accessible(page, "sign-in");
  await signIn(page, "alice@acme.example");
  await accessible(page, "dashboard-empty");

  await nav(page, "Instances");
  await page.getByText("No instances yet.").waitFor();
  await accessible(page, "instances-empty");
  await page.getByRole("link", { name: "Create instance" }).click();
  await page.getByRole("heading", { name: "Create an instance" }).waitFor();
  // The form checks what the API checks, from the spec.
  await page.getByLabel("Name").fill("Web 1");
  await page.getByText("Lower-case letters, digits and dashes").waitFor();
  await page.getByLabel("Name").fill("web-1");
  await page.getByLabel("Template").selectOption("tiny");
  await page.getByLabel("Memory (MiB)").fill("64");
  await page.getByText("At least 128 MiB.").waitFor();
  await page.getByLabel("Memory (MiB)").fill("256");
  await page.getByLabel("vCPUs").fill("1");
  await page.getByLabel("Disk size (GiB)").fill("1");
  await accessible(page, "create-instance");
  await page.getByRole("button", { name: "Create", exact: true }).click();

  // The detail page follows the instance to `running` and its console to READY.
  await page.getByRole("heading", { name: "web-1" }).waitFor();
  const state = page.locator(".badge").first();
  await state.filter({ hasText: "running" }).waitFor({ timeout: 300_000 });
  await page.locator(".serial").filter({ hasText: "OVERCAST-READY" }).waitFor({ timeout: 300_000 });
  await accessible(page, "instance-running");

  // A resize waits for a stop, and the page says so.
  const memory = page.getByLabel("Memory (MiB)");
  assert.equal(await memory.isDisabled(), true);
  assert.equal(await page.getByRole("button", { name: "Resize" }).isDisabled(), true, "nothing to send");
  await page.getByText("Stop the instance to change this.").first().waitFor();
  // So does a delete.
  assert.equal(await page.getByRole("button", { name: "Delete" }).isDisabled(), true);
  await page.getByText("Stop the instance to delete it.").waitFor();
  await page.getByRole("button", { name: "Stop" }).click();
  await state.filter({ hasText: "stopped" }).waitFor({ timeout: 120_000 });
  await until("the size fields to open", async () => !(await memory.isDisabled()), 10_000);
  await memory.fill("384");
  await page.getByLabel("vCPUs").fill("2");
  await page.getByRole("button", { name: "Resize" }).click();
  await page.locator("dd").filter({ hasText: "384 MiB" }).waitFor();
  const resized = await call("GET", "/v1/instances/web-1?project=main", admin.secret);
  assert.equal(resized.memory_mib, 384);
  assert.equal(resized.vcpus, 2);
  await page.getByRole("button", { name: "Start" }).click();
  await state.filter({ hasText: "running" }).waitFor({ timeout: 300_000 });
  await page.getByRole("button", { name: "Stop" }).click();
  await state.filter({ hasText: "stopped" }).waitFor({ timeout: 120_000 });
  await page.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("button", { name: "Yes, delete" }).click();
  await page.getByRole("heading", { name: "Instances" }).waitFor();
  await until("the instance to go", async () =>
    (await call("GET", "/v1/instances?project=main", admin.secret)).items.length === 0);
  await page.getByText("No instances yet.").waitFor({ timeout: 30_000 });

  const composed = await compose(page, admin);
  await otherPages(page, admin);
  const secret = await secondFactor(page);
  await responsive(page, composed);

  // The cookie works only from the console's own origin, with its token.
  const cookie = (await context.cookies()).find((c) => c.name === "overcast_session");
  assert.ok(cookie?.httpOnly, "the session cookie is HttpOnly");
  const forged = await fetch(`${base}/v1/projects`, {
    method: "POST",
    headers: { Cookie: `overcast_session=${cookie.value}`, Origin: "http://evil.example", "Content-Type": "application/json" },
    body: JSON.stringify({ name: "forged" }),
  });
  assert.equal(forged.status, 403, await forged.text());
  // Logging out ends the session: the cookie no longer works.
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  const after = await fetch(`${base}/v1/me`, { headers: { Cookie: `overcast_session=${cookie.value}` } });
  assert.equal(after.status, 401);

  // Signing in now takes a code from the app as well (the next step's: the
  // current one was spent turning it on).
  await page.getByLabel("E-mail").fill("alice@acme.example");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByLabel("Authentication code").fill(totp(secret, 1));
  await accessible(page, "sign-in-second-factor");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Dashboard" }).waitFor();
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();

  assert.deepEqual(problems, [], "the browser console stays free of errors");
  return composed;
}

/** The advanced form: a drive and an address made inline, composed, a second drive attached while stopped. */
async function compose(page, admin) {
  await page.getByRole("link", { name: "Compose instance" }).click();
  await page.getByRole("heading", { name: "Compose an instance" }).waitFor();
  const form = page.locator("form").first();
  await page.getByText("Make a new drive").click();
  const driveForm = page.locator("details").filter({ hasText: "Make a new drive" });
  for (const [name, image] of [["db-boot", "tiny"], ["db-data", ""]]) {
    await driveForm.getByLabel("Name").fill(name);
    await driveForm.getByLabel("Copy of image").selectOption(image);
    await driveForm.getByRole("button", { name: "Create drive" }).click();
    await form.getByLabel("Boot drive").locator("option", { hasText: name }).waitFor({ state: "attached", timeout: 120_000 });
  }
  await page.getByText("Allocate a new IP address").click();
  const ipForm = page.locator("details").filter({ hasText: "Allocate a new IP address" });
  await ipForm.getByLabel("Name").fill("db-ip");
  await ipForm.getByLabel("Pool").selectOption("public");
  await ipForm.getByRole("button", { name: "Allocate address" }).click();
  await form.getByLabel(/db-ip/).waitFor();
  await accessible(page, "compose-instance");
  await form.getByLabel("Name").fill("db-1");
  await form.getByLabel("Boot drive").selectOption("db-boot");
  await form.getByLabel(/db-ip/).check();
  await form.getByLabel("Start it once made").uncheck();
  await form.getByRole("button", { name: "Create", exact: true }).click();
  await page.getByRole("heading", { name: "db-1" }).waitFor();
  await page.locator(".badge").first().filter({ hasText: "stopped" }).waitFor({ timeout: 120_000 });
  await page.getByLabel("Attach a drive").selectOption("db-data");
  await page.getByRole("button", { name: "Attach", exact: true }).click();
  await page.getByRole("button", { name: "Detach db-data" }).waitFor();
  await accessible(page, "instance-composed");
  const db = await call("GET", "/v1/instances/db-1?project=main", admin.secret);
  assert.equal(db.drive_ids.length, 2, JSON.stringify(db));
  assert.equal(db.ip_address_ids.length, 1, JSON.stringify(db));
  return db;
}

/** The other customer pages: each one used once, checked by axe, kept as a screenshot. */
async function otherPages(page, admin) {
  await nav(page, "Drives");
  await page.getByRole("link", { name: "db-data" }).click();
  await page.getByRole("heading", { name: "db-data" }).waitFor();
  await page.getByLabel("Size (grow only) (GiB)").fill("2");
  await page.getByRole("button", { name: "Save" }).click();
  await page.locator("dd").filter({ hasText: "2 GiB" }).waitFor({ timeout: 60_000 });
  // A local drive offers no snapshot form the API would refuse; it says why.
  await page.getByText("Snapshots need a replicated drive").waitFor();
  assert.equal(await page.getByRole("button", { name: "Take snapshot" }).count(), 0);
  await accessible(page, "drive");
  await nav(page, "Drives");
  await accessible(page, "drives");

  await nav(page, "IP addresses");
  await page.getByText("203.0.113.").first().waitFor();
  await page.getByRole("button", { name: "Edit db-ip" }).click();
  await page.getByRole("group", { name: "Edit db-ip" }).getByLabel("Description").fill("the database's address");
  await accessible(page, "ip-address-edit");
  await page.getByRole("group", { name: "Edit db-ip" }).getByRole("button", { name: "Save" }).click();
  await page.getByRole("button", { name: "Edit db-ip" }).waitFor();
  assert.equal((await call("GET", "/v1/ip-addresses/db-ip?project=main", admin.secret)).description, "the database's address");
  await accessible(page, "ip-addresses");

  await nav(page, "SSH keys");
  await page.getByLabel("Name").fill("laptop");
  await page.getByLabel("Public key").fill(SSH_KEY);
  await page.getByRole("button", { name: "Add key" }).click();
  await page.getByRole("cell", { name: "laptop" }).waitFor();
  await accessible(page, "ssh-keys");

  await nav(page, "Projects");
  await page.getByLabel("Name").fill("staging");
  await page.getByRole("button", { name: "Create project" }).click();
  await page.getByRole("cell", { name: "staging", exact: true }).waitFor();
  await page.getByRole("button", { name: "Edit staging" }).click();
  await page.getByRole("group", { name: "Edit staging" }).getByLabel("Name").fill("stage");
  await page.getByRole("group", { name: "Edit staging" }).getByRole("button", { name: "Save" }).click();
  await page.getByRole("cell", { name: "stage", exact: true }).waitFor();
  await accessible(page, "projects");
  await page.getByRole("button", { name: "Work in main" }).click();

  await nav(page, "Users");
  await page.getByLabel("Name").fill("carol");
  await page.getByLabel("E-mail").fill("carol@acme.example");
  await page.getByRole("button", { name: "Add user" }).click();
  await page.getByRole("button", { name: "Invitation link for carol" }).click();
  await page.getByText(`${base}/invitation#`).waitFor();
  await accessible(page, "users");

  await nav(page, "API tokens");
  await page.getByLabel("Description").fill("ci");
  await page.getByLabel("Scope").selectOption("account_read_only");
  await page.getByRole("button", { name: "Create token" }).click();
  const secret = await page.getByLabel("New token secret").innerText();
  assert.equal((await call("GET", "/v1/me", secret)).scope, "account_read_only");
  await page.getByRole("cell", { name: "this one" }).waitFor();
  await accessible(page, "tokens");

  await nav(page, "Audit log");
  await page.getByLabel("Kind of resource").selectOption("instance");
  await page.getByLabel("Action").fill("instance.create");
  await page.getByRole("button", { name: "Filter" }).click();
  await until("the filtered log", async () => {
    const actions = await page.locator("tbody tr td:nth-child(2)").allInnerTexts();
    return actions.length === 2 && actions.every((a) => a === "instance.create");
  }, 10_000);
  await accessible(page, "audit-log");

  await nav(page, "Dashboard");
  await page.getByText("1 instance", { exact: true }).waitFor();
  await accessible(page, "dashboard");
}

/** The second factor, turned on from the Security page; its secret. */
async function secondFactor(page) {
  await nav(page, "Security");
  await page.getByRole("button", { name: "Set up a second factor" }).click();
  const secret = (await page.getByLabel("Secret key").innerText()).replace(/\s/g, "");
  const url = await page.getByRole("link", { name: "Open in an authenticator app" }).getAttribute("href");
  assert.match(url, /^otpauth:\/\/totp\//);
  // The QR code, read back from the screen as a phone's camera would, holds that URL.
  const { width, height, rgba } = decodePng(await page.getByRole("img", { name: "QR code for an authenticator app" }).screenshot());
  assert.equal(jsQR(rgba, width, height)?.data, url, "the QR code scans to the otpauth URL");
  await accessible(page, "security-enroll");
  await page.getByLabel("Code from the app").fill(totp(secret));
  await page.getByRole("button", { name: "Turn on" }).click();
  await page.getByRole("list", { name: "Recovery codes" }).waitFor();
  assert.equal(await page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem").count(), 10);
  await page.getByText("Status: on").waitFor();
  await accessible(page, "security");
  return secret;
}

/** From 360 px up, nothing is wider than the screen. */
async function responsive(page, composed) {
  await page.setViewportSize({ width: 360, height: 780 });
  for (const [path, name] of [["/instances", "mobile-instances"], [`/instances/${composed.id}`, "mobile-instance"], ["/drives/new", "mobile-new-drive"]]) {
    await page.goto(base + path);
    await page.getByRole("heading", { level: 1 }).first().waitFor();
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `${path} is ${width} px wide at 360 px`);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}
