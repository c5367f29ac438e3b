import { createOvercastClient, ok, paginate, OvercastError } from "@overcast/client";

/**
 * @param {string} baseUrl e.g. http://127.0.0.1:8080
 * @param {string} token an account token
 * @param {string} publicKey an OpenSSH public key line
 */
export async function quickstart(baseUrl, token, publicKey) {
  const client = createOvercastClient(baseUrl, token);

  const project = await ok(client.POST("/v1/projects", { body: { name: "web" } }));
  console.log("project", project.id);

  await ok(client.POST("/v1/ssh-keys", { body: { name: "laptop", public_key: publicKey } }));
  const ip = await ok(client.POST("/v1/ip-addresses", {
    params: { query: { project: "web" } },
    body: { name: "web-1-public", pool: "public" },
  }));
  console.log("address", ip.address);
  for (let i = 0; i < 25; i++) {
    await ok(client.POST("/v1/drives", {
      params: { query: { project: "web" }, header: { "Idempotency-Key": `quickstart-drive-${i}` } },
      body: { name: `data-${i}`, size_bytes: 2 ** 30 },
    }));
  }

  // Follow next_page through every page.
  let drives = 0;
  for await (const drive of paginate((page_token) =>
    ok(client.GET("/v1/drives", { params: { query: { project: "web", limit: 10, page_token } } })))) {
    drives += 1;
  }

  // An instance from the `tiny` OS template, with the key and the address.
  let instance = await ok(client.POST("/v1/instances", {
    params: { query: { project: "web" } },
    body: { name: "web-1", image: "tiny", vcpus: 1, memory_mib: 256, ssh_keys: ["laptop"], ip_addresses: ["web-1-public"] },
  }));
  const deadline = Date.now() + 120_000;
  while (instance.state !== "running" && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    instance = await ok(client.GET("/v1/instances/{instance}", { params: { path: { instance: instance.id } } }));
  }
  console.log("instance", instance.name, instance.state);

  // Errors carry the API's error code and the request id.
  /** @type {OvercastError | undefined} */
  let notFound;
  try {
    await ok(client.GET("/v1/drives/{drive}", { params: { path: { drive: "no-such-drive" }, query: { project: "web" } } }));
  } catch (e) {
    if (!(e instanceof OvercastError)) throw e;
    notFound = e;
  }
  return { drives, instance, notFound };
}
