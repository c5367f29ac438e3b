// What the console's browser tests share: where things are, starting a
// server process and Chromium, calling the API, and the axe check.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { createHmac } from "node:crypto";
import { chromium } from "playwright-core";

export const root = new URL("../../../", import.meta.url).pathname;
export const dist = new URL("../dist", import.meta.url).pathname;
export const shots = join(root, "target/console-screenshots");
export const binDir = process.env.OVERCAST_BIN_DIR ?? join(root, "target/debug");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export const PASSWORD = "correct horse battery staple";

/** What every browser test needs before it starts. */
export function prerequisites() {
  assert.ok(existsSync(join(dist, "index.html")), `no built console in ${dist}: run npm run build`);
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: run cargo xtask setup`);
  mkdirSync(shots, { recursive: true });
}

/**
 * Start one of the project's binaries; resolves once it prints its API's
 * base URL, with its standard output, and everything it printed, so far.
 */
export async function startServer(name, args) {
  const bin = join(binDir, name);
  assert.ok(existsSync(bin), `no ${bin}: run cargo build --workspace --all-targets`);
  const proc = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let log = "";
  proc.stderr.on("data", (chunk) => {
    log += chunk;
  });
  // The log comes out on standard output; keep reading, or the server blocks.
  const base = await new Promise((resolve, reject) => {
    let found = false;
    proc.stdout.on("data", (chunk) => {
      out += chunk;
      const m = !found && out.match(/Overcast API:\s+(http:\/\/\S+)\/v1/);
      if (m) {
        found = true;
        resolve(m[1]);
      }
    });
    proc.on("error", (e) => reject(new Error(`cannot start ${bin}: ${e}`)));
    proc.on("exit", (code) => reject(new Error(`${bin} exited with ${code}`)));
  });
  return { proc, base, output: () => out, log: () => out + log };
}

export async function stopServer(proc) {
  if (!proc || proc.exitCode !== null) return;
  const exited = new Promise((resolve) => proc.once("exit", resolve));
  proc.kill();
  await exited;
}

export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync",
      // Partners' host names (`*.test`) reach the local server, as their DNS would.
      "--host-resolver-rules=MAP *.test 127.0.0.1"],
  });
}

/** An API call with a bearer token that must succeed; its JSON body. */
export async function call(base, method, path, token, body) {
  const r = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** An account with a project `main` and an admin user who has a password. */
export async function customerAccount(base, operator, name, email) {
  const account = await call(base, "POST", "/v1/accounts", operator, { name });
  const admin = await call(base, "POST", "/v1/tokens", operator, { scope: "account_read_write", account: account.id });
  await call(base, "POST", "/v1/projects", admin.secret, { name: "main" });
  const user = email.split("@")[0];
  await call(base, "POST", "/v1/users", admin.secret, { name: user, email, role: "account_admin" });
  const invitation = await call(base, "POST", `/v1/users/${user}/invitations`, admin.secret, {});
  return { account, admin, invitation };
}

export async function signIn(page, email) {
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Dashboard" }).waitFor();
}

/**
 * Every control on the page can be reached with the Tab key alone: each
 * visible link, button, field and focusable region gets focus in turn.
 */
async function keyboardReachable(page, name) {
  const count = await page.evaluate(() => {
    const controls = [...document.querySelectorAll("a[href], button, input, select, textarea, summary, [tabindex]")].filter(
      (el) => !el.matches(":disabled") && el.getAttribute("tabindex") !== "-1" && el.getClientRects().length > 0,
    );
    controls.forEach((el, i) => el.setAttribute("data-kb", String(i)));
    return controls.length;
  });
  await page.evaluate(() => {
    // Start from the top of the document.
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
    window.scrollTo(0, 0);
  });
  const reached = new Set();
  for (let i = 0; i < count + 3 && reached.size < count; i++) {
    await page.keyboard.press("Tab");
    const at = await page.evaluate(() => document.activeElement?.getAttribute("data-kb"));
    if (at !== null && at !== undefined) reached.add(at);
  }
  const missed = await page.evaluate(
    (seen) => [...document.querySelectorAll("[data-kb]")].filter((el) => !seen.includes(el.getAttribute("data-kb"))).map((el) => el.outerHTML.slice(0, 120)),
    [...reached],
  );
  await page.evaluate(() => document.querySelectorAll("[data-kb]").forEach((el) => el.removeAttribute("data-kb")));
  assert.deepEqual(missed, [], `${name}: controls the Tab key does not reach`);
}

/** At 360 px (a small phone), nothing on the page is wider than the screen. */
async function fitsNarrowScreens(page, name) {
  const wide = page.viewportSize();
  await page.setViewportSize({ width: 360, height: 780 });
  try {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    if (width > 360) await page.screenshot({ path: join(shots, `${name}-360.png`), fullPage: true });
    assert.ok(width <= 360, `${name}: ${width} px wide at 360 px`);
  } finally {
    await page.setViewportSize(wide);
  }
}

/**
 * A screenshot, then axe-core on the page as it is (no serious or critical
 * violation), every control reachable by keyboard, and a layout that fits
 * 360 px.
 */
export async function accessible(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  // Evaluated over the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(", ")})`), [], `${name}: axe`);
  await keyboardReachable(page, name);
  await fitsNarrowScreens(page, name);
}

/**
 * Errors the page logs or throws, collected for a final check; `allowed`
 * (given the message's text and the URL it is about) lets through the ones
 * a step means to cause.
 */
export function watchProblems(page, allowed = () => false) {
  const problems = [];
  page.on("console", (m) => {
    if (m.type() === "error" && !allowed(m.text(), m.location()?.url ?? "")) {
      problems.push(`console: ${m.text()} (${m.location()?.url ?? ""})`);
    }
  });
  page.on("pageerror", (e) => problems.push(`page: ${e.message}`));
  return problems;
}

/** Run one part of a test; on failure, say what the page and the browser said. */
export async function reported(page, problems, shot, run) {
  try {
    return await run();
  } catch (e) {
    await page.screenshot({ path: join(shots, `${shot}.png`), fullPage: true });
    const text = await page.locator("body").innerText().catch(() => "");
    throw new Error(`${e.message}\nthe page said: ${text.slice(0, 1500)}\nthe browser said: ${problems.join("\n")}`);
  }
}

/**
 * A PNG screenshot decoded to RGBA: enough of PNG (8-bit RGB or RGBA, not
 * interlaced, as Chromium writes them) to check what was painted.
 */
export function decodePng(png) {
  assert.equal(png.toString("latin1", 1, 4), "PNG", "not a PNG");
  let offset = 8;
  let width, height, channels;
  const data = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString("latin1", offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === "IHDR") {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      assert.equal(body[8], 8, "only 8-bit PNGs");
      assert.equal(body[12], 0, "only non-interlaced PNGs");
      channels = { 2: 3, 6: 4 }[body[9]];
      assert.ok(channels, `colour type ${body[9]}`);
    } else if (type === "IDAT") data.push(body);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const rgba = new Uint8ClampedArray(width * height * 4);
  let previous = Buffer.alloc(stride);
  for (let r = 0; r < height; r++) {
    const filter = raw[r * (stride + 1)];
    const line = raw.subarray(r * (stride + 1) + 1, (r + 1) * (stride + 1));
    const row = Buffer.alloc(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? row[i - channels] : 0;
      const b = previous[i];
      const c = i >= channels ? previous[i - channels] : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter];
      row[i] = (line[i] + predictor) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      for (let k = 0; k < 3; k++) rgba[(r * width + x) * 4 + k] = row[x * channels + k];
      rgba[(r * width + x) * 4 + 3] = channels === 4 ? row[x * channels + 3] : 255;
    }
    previous = row;
  }
  return { width, height, rgba };
}

/** The colour of one pixel of a PNG screenshot, as `#rrggbb`. */
export function pixelAt(png, x, y) {
  const { width, height, rgba } = decodePng(png);
  assert.ok(x < width && y < height, `(${x}, ${y}) is outside ${width}x${height}`);
  const at = (y * width + x) * 4;
  return "#" + [rgba[at], rgba[at + 1], rgba[at + 2]].map((v) => v.toString(16).padStart(2, "0")).join("");
}

/** The code an authenticator app shows for a base32 TOTP secret, `steps` steps of 30 s from now (RFC 6238). */
export function totp(secret, steps = 0) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bits = [...secret.replace(/[\s=]/g, "").toUpperCase()].map((c) => alphabet.indexOf(c).toString(2).padStart(5, "0")).join("");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000) + steps));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}
