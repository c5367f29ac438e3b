// Replicated drives and their snapshots in the console, against
// `overcast-sim`: a server whose hosts and storage cluster are simulated
// (the API suites' stand-ins for hostd and Ceph, with the same refusals),
// so the pages are exercised without QEMU or Ceph. Ceph itself is proven
// through the API by server/tests/ceph.rs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  accessible, call as callAt, customerAccount, dist, launchChromium, PASSWORD, prerequisites, reported, signIn,
  startServer, stopServer, watchProblems,
} from "./harness.mjs";

let sim, base, operator, browser;
const call = (method, path, token, body) => callAt(base, method, path, token, body);

before(async () => {
  prerequisites();
  let output;
  ({ proc: sim, base, output } = await startServer("overcast-sim", ["--hosts", "1", "--console-dir", dist]));
  for (let i = 0; i < 100 && !/operator token: (\S+)/.test(output()); i++) await new Promise((r) => setTimeout(r, 50));
  operator = output().match(/operator token: (\S+)/)[1];
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await stopServer(sim);
});

/** The form whose submit button is `button`. */
const formOf = (page, button) => page.locator("form").filter({ has: page.getByRole("button", { name: button }) });

test("a customer snapshots a replicated drive, rolls it back, and makes a drive and an image of it", { timeout: 120_000 }, async () => {
  const { admin, invitation } = await customerAccount(base, operator, "snap", "sid@snap.example");
  await call("POST", "/v1/invitations/accept", admin.secret, { secret: invitation.secret, password: PASSWORD });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = watchProblems(page);
  await reported(page, problems, "failure-storage", async () => {
    await page.goto(`${base}/login`);
    await signIn(page, "sid@snap.example");

    // A replicated drive, from the drives page.
    await page.getByRole("link", { name: "Drives" }).click();
    await page.getByRole("link", { name: "Create drive" }).click();
    await page.getByLabel("Name", { exact: true }).fill("data");
    await page.getByLabel("Copy of image").selectOption("tiny");
    await page.getByLabel("Storage class").selectOption("replicated");
    await page.getByRole("button", { name: "Create drive" }).click();
    await page.getByRole("heading", { name: "data", exact: true }).waitFor();
    await page.locator("dd").filter({ hasText: "replicated, 3 copies" }).waitFor();
    await page.locator("dd").filter({ hasText: "healthy" }).waitFor();
    await page.getByText("No snapshots of this drive yet.").waitFor();

    // Take a snapshot: it shows in the drive's list, available.
    const take = formOf(page, "Take snapshot");
    await take.getByLabel("Name", { exact: true }).fill("before");
    await take.getByLabel("Description").fill("before the upgrade");
    await take.getByRole("button", { name: "Take snapshot" }).click();
    const row = page.getByRole("row", { name: /before/ });
    await row.getByRole("cell", { name: "available" }).waitFor();
    await accessible(page, "drive-replicated");
    const snapshot = await call("GET", "/v1/snapshots/before?project=main", admin.secret);
    const drive = await call("GET", "/v1/drives/data?project=main", admin.secret);
    assert.equal(snapshot.drive_id, drive.id);
    assert.equal(snapshot.description, "before the upgrade");

    // Its page: roll the (detached) drive back.
    await row.getByRole("link", { name: "before" }).click();
    await page.getByRole("heading", { name: "before", exact: true }).waitFor();
    await accessible(page, "snapshot");
    await page.getByRole("button", { name: "Roll back" }).click();
    await page.getByRole("button", { name: "Yes, roll back" }).click();
    // Back on the drive's page, which follows the rollback until the drive is available.
    await page.getByRole("heading", { name: "data", exact: true }).waitFor();
    await page.getByText("State: available").waitFor();
    const events = await call("GET", `/v1/events?resource_id=${drive.id}&action=drive.rollback`, admin.secret);
    assert.equal(events.items.length, 1, `the rollback is in the audit log: ${JSON.stringify(events)}`);
    await row.getByRole("link", { name: "before" }).click();
    await page.getByRole("heading", { name: "before", exact: true }).waitFor();

    // An image of it, then a new drive from it.
    const image = formOf(page, "Make image");
    await image.getByLabel("Name", { exact: true }).fill("golden");
    await image.getByRole("button", { name: "Make image" }).click();
    await page.getByText("Image golden is being made.").waitFor();
    const golden = await call("GET", "/v1/images/golden", admin.secret);
    assert.equal(golden.name, "golden");
    const copy = formOf(page, "Create drive");
    await copy.getByLabel("Name", { exact: true }).fill("restored");
    await copy.getByRole("button", { name: "Create drive" }).click();
    await page.getByRole("heading", { name: "restored", exact: true }).waitFor();
    const restored = await call("GET", "/v1/drives/restored?project=main", admin.secret);
    assert.equal(restored.snapshot_id, snapshot.id, "made from the snapshot");
    assert.equal(restored.storage_class, "replicated");

    // Deleting the snapshot leads back to its drive, whose list is empty again.
    await page.goto(`${base}/snapshots/${snapshot.id}`);
    await page.getByRole("heading", { name: "before", exact: true }).waitFor();
    await page.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("button", { name: "Yes, delete" }).click();
    await page.getByRole("heading", { name: "data", exact: true }).waitFor();
    await page.getByText("No snapshots of this drive yet.").waitFor();
    const left = await call("GET", "/v1/snapshots?project=main", admin.secret);
    assert.deepEqual(left.items, []);
  });
  assert.deepEqual(problems, [], "the browser console stays free of errors");
  await context.close();
});

test("the operator reads the replicated storage cluster on the hosts page", { timeout: 60_000 }, async () => {
  await call("POST", "/v1/users", operator, { name: "otto", email: "otto@operator.example", role: "operator" });
  const invitation = await call("POST", "/v1/users/otto/invitations", operator, {});
  await call("POST", "/v1/invitations/accept", operator, { secret: invitation.secret, password: PASSWORD });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = watchProblems(page);
  await reported(page, problems, "failure-storage-operator", async () => {
    await page.goto(`${base}/login`);
    await page.getByLabel("E-mail").fill("otto@operator.example");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Replicated storage" }).waitFor();
    const status = await call("GET", "/v1/system/storage", operator);
    assert.equal(status.health, "ok", JSON.stringify(status));
    await page.getByText(`${status.osds_up} up, ${status.osds_in} in, of ${status.osds}`).waitFor();
    const pools = page.getByRole("table", { name: "Pools" });
    assert.equal(await pools.locator("tbody tr").count(), status.pools.length);
    await page.getByRole("meter", { name: "Replicated storage used" }).waitFor();
    await accessible(page, "operator-storage");
  });
  assert.deepEqual(problems, [], "the browser console stays free of errors");
  await context.close();
});
