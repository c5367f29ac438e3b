// IP addresses: allocated from a pool, attached on the instance's page,
// released when no instance holds them.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, ok, type Schemas } from "../api";
import { NeedsProject } from "../project";
import { ConfirmButton, EditIdentity, ErrorNote, PagedTable, SpecForm, usePages } from "../ui";

type IpAddress = Schemas["IpAddress"];

export function usePools() {
  return useQuery({
    queryKey: ["ip-pools"],
    queryFn: () => ok(api.GET("/v1/ip-pools", { params: { query: { limit: 1000 } } })),
  });
}

export function useIpAddresses(project: string) {
  return usePages<IpAddress>(["ip-addresses", project], (page_token) =>
    ok(api.GET("/v1/ip-addresses", { params: { query: { project, limit: 100, page_token } } })),
  );
}

/** Allocate an address; the advanced instance form uses it inline. */
export function IpCreateForm({ project, onCreated }: { project: string; onCreated?: (ip: IpAddress) => void }) {
  const queries = useQueryClient();
  const pools = usePools();
  const create = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      ok(api.POST("/v1/ip-addresses", { params: { query: { project } }, body: body as Schemas["IpAddressCreate"] })),
    onSuccess: async (ip) => {
      await queries.invalidateQueries({ queryKey: ["ip-addresses"] });
      onCreated?.(ip);
    },
  });
  return (
    <SpecForm
      schema="IpAddressCreate"
      fields={["name", "pool", "description"]}
      options={{ pool: { choices: (pools.data?.items ?? []).map((p) => ({ value: p.name, label: `${p.name} (${p.first_address}–${p.last_address})` })) } }}
      submitLabel="Allocate address"
      busy={create.isPending}
      error={pools.error ?? create.error}
      onSubmit={(body) => create.mutate(body)}
    />
  );
}

function IpTable({ project }: { project: string }) {
  const queries = useQueryClient();
  const pages = useIpAddresses(project);
  const release = useMutation({
    mutationFn: (id: string) => ok(api.DELETE("/v1/ip-addresses/{ip_address}", { params: { path: { ip_address: id } } })),
    onSuccess: () => queries.invalidateQueries({ queryKey: ["ip-addresses"] }),
  });
  return (
    <>
      <PagedTable
        pages={pages}
        caption="IP addresses"
        empty="No IP addresses yet."
        columns={[
          { header: "Name", cell: (ip) => ip.name },
          { header: "Address", cell: (ip) => <code>{ip.address}</code> },
          { header: "Instance", cell: (ip) => (ip.instance_id ? <Link to={`/instances/${ip.instance_id}`}>attached</Link> : "free") },
          {
            header: "Actions",
            cell: (ip) => (
              <>
                <EditIdentity
                  item={ip}
                  save={(body) =>
                    ok(
                      api.PUT("/v1/ip-addresses/{ip_address}", {
                        params: { path: { ip_address: ip.id } },
                        body: body as Schemas["IdentityUpdate"],
                      }),
                    ).then(() => queries.invalidateQueries({ queryKey: ["ip-addresses"] }))
                  }
                />{" "}
                <ConfirmButton
                  label="Release"
                  question={`Release ${ip.address}?`}
                  disabled={!!ip.instance_id}
                  why="Detach it first."
                  onConfirm={() => release.mutate(ip.id)}
                />
              </>
            ),
          },
        ]}
      />
      <ErrorNote error={release.error} />
      <h2>Allocate an address</h2>
      <IpCreateForm project={project} />
    </>
  );
}

export function IpAddresses() {
  return (
    <section aria-labelledby="ips-title">
      <h1 id="ips-title">IP addresses</h1>
      <NeedsProject>{(p) => <IpTable project={p.id} />}</NeedsProject>
    </section>
  );
}
