// The README's quick start, against a live server this test starts.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { quickstart } from "./quickstart.mjs";

const bin = process.env.OVERCAST_SERVER_BIN ?? new URL("../../../target/debug/overcast-server", import.meta.url).pathname;
let server;
let dataDir;
let base;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "overcast-ts-"));
  // The all-in-one cloud: a local host with its own libvirtd and tgtd.
  const images = new URL("../../../target/images", import.meta.url).pathname;
  server = spawn(bin, ["--listen", "127.0.0.1:0", "--internal-listen", "127.0.0.1:0", "--data-dir", dataDir,
    "--all-in-one", "--accelerator", "tcg", "--images-dir", images], { stdio: ["ignore", "pipe", "inherit"] });
  server.on("error", (e) => { throw new Error(`cannot start ${bin} (build it with cargo build -p overcast-server): ${e}`); });
  base = await new Promise((resolve, reject) => {
    let out = "";
    server.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/Overcast API:\s+(http:\/\/\S+)\/v1/);
      if (m) resolve(m[1]);
    });
    server.on("exit", (code) => reject(new Error(`${bin} exited with ${code}`)));
  });
});

after(async () => {
  if (server) {
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill();
    await exited;
  }
  spawnSync(bin.replace(/overcast-server$/, "overcast-hostd"), ["teardown", "--state-dir", join(dataDir, "host")]);
  rmSync(dataDir, { recursive: true, force: true });
});

async function waitForHost(op) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const r = await fetch(base + "/v1/hosts", { headers: { Authorization: `Bearer ${op}` } });
    if ((await r.json()).items.some((h) => h.state === "active")) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the local host did not come up");
}

async function call(method, path, token, body) {
  const r = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body && JSON.stringify(body),
  });
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${await r.clone().text()}`);
  return r.json();
}

test("the quick start runs against a live server", async () => {
  const op = readFileSync(join(dataDir, "operator.token"), "utf8").trim();
  await waitForHost(op);
  const account = await call("POST", "/v1/accounts", op, { name: "acme" });
  const { secret } = await call("POST", "/v1/tokens", op, { scope: "account_read_write", account: account.id });
  await call("POST", "/v1/ip-pools", op, {
    name: "public", first_address: "203.0.113.10", last_address: "203.0.113.20", prefix_len: 24, gateway: "203.0.113.1",
  });
  const result = await quickstart(base, secret, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f me@laptop");
  assert.equal(result.drives, 25);
  assert.equal(result.instance.state, "running");
  assert.equal(result.notFound.errorCode, "not_found");
  assert.match(result.notFound.requestId, /\S+/);
});

test("the README shows this quick start", () => {
  const source = readFileSync(new URL("./quickstart.mjs", import.meta.url), "utf8");
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  assert.ok(readme.includes(source.trim()), "clients/typescript/README.md must show test/quickstart.mjs verbatim");
});
