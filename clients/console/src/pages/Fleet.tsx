// The operator's pages: hosts (capacity, state, drain), IP pools, images
// and partners.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, ok, type Schemas } from "../api";
import { bytes, ConfirmButton, ErrorNote, GIB, PagedTable, SpecForm, StateBadge, usePages } from "../ui";

// A capacity bar: `used` of `total`, with the figures in words beside it.
// Allocations can pass 100% (CPU overcommit); the meter then stays full.
function Bar({ used, total, label, text }: { used: number; total: number; label: string; text: string }) {
  const share = total > 0 ? used / total : 0;
  return (
    <span className="bar-cell">
      <meter min={0} max={1} low={0.75} high={0.9} optimum={0} value={Math.min(1, share)} aria-label={label} />
      <small>
        {text} ({Math.round(share * 100)}%)
      </small>
    </span>
  );
}

const gib = (mib: number) => `${Math.round((mib / 1024) * 10) / 10} GiB`;

export function Hosts() {
  const queries = useQueryClient();
  const pages = usePages<Schemas["Host"]>(
    ["hosts"],
    (page_token) => ok(api.GET("/v1/hosts", { params: { query: { limit: 100, page_token } } })),
    { refetchInterval: () => 5000 },
  );
  const setState = useMutation({
    mutationFn: ({ id, state }: { id: string; state: "active" | "draining" }) =>
      ok(api.PUT("/v1/hosts/{host}", { params: { path: { host: id } }, body: { state } })),
    onSuccess: () => queries.invalidateQueries({ queryKey: ["hosts"] }),
  });
  const remove = useMutation({
    mutationFn: (id: string) => ok(api.DELETE("/v1/hosts/{host}", { params: { path: { host: id } } })),
    onSuccess: () => queries.invalidateQueries({ queryKey: ["hosts"] }),
  });
  return (
    <section aria-labelledby="hosts-title">
      <h1 id="hosts-title">Hosts</h1>
      <PagedTable
        pages={pages}
        caption="Hosts"
        empty="No hosts yet: enroll one with a host enrollment."
        columns={[
          { header: "Name", cell: (h) => h.name },
          { header: "State", cell: (h) => <StateBadge state={h.state} /> },
          { header: "Address", cell: (h) => <code>{h.address}</code> },
          {
            header: "vCPUs allocated",
            cell: (h) => (
              <Bar
                used={h.vcpus_allocated}
                total={h.cpus}
                label={`vCPUs allocated on ${h.name}`}
                text={`${h.vcpus_allocated} of ${h.cpus}`}
              />
            ),
          },
          {
            header: "Memory allocated",
            cell: (h) => (
              <Bar
                used={h.memory_allocated_mib}
                total={h.memory_mib}
                label={`Memory allocated on ${h.name}`}
                text={`${gib(h.memory_allocated_mib)} of ${gib(h.memory_mib)}`}
              />
            ),
          },
          {
            header: "Storage used",
            cell: (h) => (
              <>
                <Bar
                  used={h.storage_bytes - h.storage_free_bytes}
                  total={h.storage_bytes}
                  label={`Storage used on ${h.name}`}
                  text={`${bytes(h.storage_bytes - h.storage_free_bytes)} of ${bytes(h.storage_bytes)}`}
                />
                <br />
                <small>{bytes(h.storage_allocated_bytes)} allocated to drives</small>
              </>
            ),
          },
          {
            header: "Actions",
            cell: (h) =>
              h.state === "active" ? (
                <button type="button" onClick={() => setState.mutate({ id: h.id, state: "draining" })}>
                  Drain {h.name}
                </button>
              ) : h.state === "draining" ? (
                <>
                  <button type="button" onClick={() => setState.mutate({ id: h.id, state: "active" })}>
                    Activate {h.name}
                  </button>{" "}
                  <ConfirmButton
                    label={`Remove ${h.name}`}
                    question={`Remove ${h.name} from the fleet? It must hold no instances.`}
                    onConfirm={() => remove.mutate(h.id)}
                  />
                </>
              ) : null,
          },
        ]}
      />
      <ErrorNote error={setState.error ?? remove.error} />
      <Enroll />
      <ReplicatedStorage />
    </section>
  );
}

/** A one-use token for a new host, shown once with the command that uses it. */
function Enroll() {
  const [enrollment, setEnrollment] = useState<Schemas["HostEnrollment"]>();
  const create = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      ok(api.POST("/v1/host-enrollments", { body: body as Schemas["HostEnrollmentCreate"] })),
    onSuccess: setEnrollment,
  });
  return (
    <>
      <h2>Add a host</h2>
      <p>Make a one-use enrollment token, then start the host daemon with it on the new host: it reports its own capacity.</p>
      {enrollment ? (
        <div className="secret" role="status">
          <p>
            <strong>Enrollment token</strong> Shown this once; it works once, until {new Date(enrollment.time_expires).toLocaleString()}.
          </p>
          <code tabIndex={0} aria-label="Enrollment token">
            {enrollment.token}
          </code>
          <p>On the new host, put it in a file and run this (the server's internal API listens on port 8081 by default, and cluster-ca.pem is in the server's data directory):</p>
          <code tabIndex={0} aria-label="Host daemon command">
            overcast-hostd run --server https://SERVER:8081 --server-ca cluster-ca.pem --name HOST-NAME --address HOST-ADDRESS
            --enrollment-token-file TOKEN-FILE
          </code>
        </div>
      ) : null}
      <SpecForm
        key={enrollment?.id ?? "new"}
        schema="HostEnrollmentCreate"
        fields={["description"]}
        options={{ description: { label: "Where the host is" } }}
        submitLabel="Make enrollment token"
        busy={create.isPending}
        error={create.error}
        onSubmit={(body) => create.mutate(body)}
      />
    </>
  );
}

/** The replicated storage cluster (Ceph), as the server last read it. */
function ReplicatedStorage() {
  const status = useQuery({
    queryKey: ["storage"],
    queryFn: () => ok(api.GET("/v1/system/storage")),
    refetchInterval: 5000,
  });
  const s = status.data;
  return (
    <>
      <h2>Replicated storage</h2>
      {status.error ? <ErrorNote error={status.error} /> : null}
      {!s ? (
        <p>Loading…</p>
      ) : s.health === "not_configured" ? (
        <p>
          <StateBadge state={s.health} /> This cloud has no Ceph cluster: drives are <code>local</code> only. The README says how to add one.
        </p>
      ) : (
        <>
          <p>
            Health: <StateBadge state={s.health} />
            {s.time_observed ? <small> (read {new Date(s.time_observed).toLocaleTimeString()})</small> : null}
          </p>
          {s.checks.length ? (
            <ul aria-label="Ceph health checks">
              {s.checks.map((c) => (
                <li key={c}>{c}</li>
              ))}
            </ul>
          ) : null}
          <p>
            Capacity:{" "}
            <Bar
              used={s.used_bytes}
              total={s.total_bytes}
              label="Replicated storage used"
              text={`${bytes(s.used_bytes)} of ${bytes(s.total_bytes)}`}
            />
          </p>
          <dl>
            <dt>Storage daemons</dt>
            <dd>
              {s.osds_up} up, {s.osds_in} in, of {s.osds}
            </dd>
            <dt>Drives in a pool that is not healthy</dt>
            <dd>{s.degraded_drive_count}</dd>
          </dl>
          <div className="table-scroll">
            <table>
              <caption>Pools</caption>
              <thead>
                <tr>
                  <th scope="col">Copies</th>
                  <th scope="col">State</th>
                  <th scope="col">Drives</th>
                </tr>
              </thead>
              <tbody>
                {s.pools.map((p) => (
                  <tr key={p.replicas}>
                    <td>{p.replicas}</td>
                    <td>
                      <StateBadge state={p.state} />
                    </td>
                    <td>{p.drives}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}

export function IpPools() {
  const queries = useQueryClient();
  const pages = usePages<Schemas["IpPool"]>(["ip-pools", "pages"], (page_token) =>
    ok(api.GET("/v1/ip-pools", { params: { query: { limit: 100, page_token } } })),
  );
  const refresh = () => queries.invalidateQueries({ queryKey: ["ip-pools"] });
  const create = useMutation({
    mutationFn: (body: Record<string, unknown>) => ok(api.POST("/v1/ip-pools", { body: body as Schemas["IpPoolCreate"] })),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (id: string) => ok(api.DELETE("/v1/ip-pools/{pool}", { params: { path: { pool: id } } })),
    onSuccess: refresh,
  });
  return (
    <section aria-labelledby="pools-title">
      <h1 id="pools-title">IP pools</h1>
      <PagedTable
        pages={pages}
        caption="IP pools"
        empty="No IP pools yet."
        columns={[
          { header: "Name", cell: (p) => p.name },
          { header: "Range", cell: (p) => <code>{`${p.first_address}–${p.last_address}/${p.prefix_len}`}</code> },
          { header: "Gateway", cell: (p) => <code>{p.gateway}</code> },
          { header: "Actions", cell: (p) => <ConfirmButton label="Delete" question={`Delete the pool ${p.name}?`} onConfirm={() => remove.mutate(p.id)} /> },
        ]}
      />
      <ErrorNote error={remove.error} />
      <h2>Create a pool</h2>
      <SpecForm
        key={create.data?.id ?? "new"}
        schema="IpPoolCreate"
        fields={["name", "first_address", "last_address", "prefix_len", "gateway", "description"]}
        options={{ prefix_len: { label: "Prefix length" } }}
        submitLabel="Create pool"
        busy={create.isPending}
        error={create.error}
        onSubmit={(body) => create.mutate(body)}
      />
    </section>
  );
}

export function Images() {
  const queries = useQueryClient();
  const pages = usePages<Schemas["Image"]>(["images", "pages"], (page_token) =>
    ok(api.GET("/v1/images", { params: { query: { limit: 100, page_token } } })),
  );
  const refresh = () => queries.invalidateQueries({ queryKey: ["images"] });
  const create = useMutation({
    mutationFn: (body: Record<string, unknown>) => ok(api.POST("/v1/images", { body: body as Schemas["ImageCreate"] })),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (id: string) => ok(api.DELETE("/v1/images/{image}", { params: { path: { image: id } } })),
    onSuccess: refresh,
  });
  return (
    <section aria-labelledby="images-title">
      <h1 id="images-title">Images</h1>
      <PagedTable
        pages={pages}
        caption="Images"
        empty="No images yet."
        columns={[
          { header: "Name", cell: (i) => i.name },
          { header: "OS", cell: (i) => i.os_family },
          { header: "Boot", cell: (i) => `${i.architecture}, ${i.boot_mode}` },
          { header: "Minimum size", cell: (i) => bytes(i.min_size_bytes) },
          { header: "Actions", cell: (i) => <ConfirmButton label="Delete" question={`Delete the image ${i.name}?`} onConfirm={() => remove.mutate(i.id)} /> },
        ]}
      />
      <ErrorNote error={remove.error} />
      <h2>Register an image</h2>
      <SpecForm
        key={create.data?.id ?? "new"}
        schema="ImageCreate"
        fields={["name", "source_url", "os_family", "architecture", "boot_mode", "min_size_bytes", "system", "description"]}
        options={{
          source_url: { label: "Source URL" },
          os_family: { label: "OS family" },
          boot_mode: { label: "Boot mode" },
          min_size_bytes: { label: "Minimum size", unit: GIB },
          system: { label: "Offered to every account" },
        }}
        submitLabel="Register image"
        busy={create.isPending}
        error={create.error}
        onSubmit={(body) => create.mutate(body)}
      />
    </section>
  );
}

export function Partners() {
  const queries = useQueryClient();
  const pages = usePages<Schemas["Partner"]>(["partners", "pages"], (page_token) =>
    ok(api.GET("/v1/partners", { params: { query: { limit: 100, page_token } } })),
  );
  const refresh = () => queries.invalidateQueries({ queryKey: ["partners"] });
  const create = useMutation({
    // A new partner starts with its name as its brand; its brand page refines it.
    mutationFn: (body: Record<string, unknown>) =>
      ok(
        api.POST("/v1/partners", {
          body: {
            ...(body as Omit<Schemas["PartnerCreate"], "brand">),
            brand: { display_name: String(body.name), primary_color: "#1d4ed8", accent_color: "#0f766e" },
          },
        }),
      ),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (id: string) => ok(api.DELETE("/v1/partners/{partner}", { params: { path: { partner: id } } })),
    onSuccess: refresh,
  });
  return (
    <section aria-labelledby="partners-title">
      <h1 id="partners-title">Partners</h1>
      <PagedTable
        pages={pages}
        caption="Partners"
        empty="No partners yet."
        columns={[
          { header: "Name", cell: (p) => p.name },
          { header: "Host names", cell: (p) => p.host_names.join(", ") || "none" },
          { header: "Brand", cell: (p) => <Link to={`/partners/${p.id}/brand`}>Brand of {p.name}</Link> },
          { header: "Actions", cell: (p) => <ConfirmButton label="Delete" question={`Delete the partner ${p.name} and its staff?`} onConfirm={() => remove.mutate(p.id)} /> },
        ]}
      />
      <ErrorNote error={remove.error} />
      <h2>Add a partner</h2>
      <SpecForm
        key={create.data?.id ?? "new"}
        schema="PartnerCreate"
        fields={["name", "host_names", "description"]}
        options={{ host_names: { label: "Host names", hint: "The domains its customers use, separated by commas." } }}
        submitLabel="Add partner"
        busy={create.isPending}
        error={create.error}
        onSubmit={(body) => create.mutate(body)}
      />
    </section>
  );
}
