// SSH keys: the account's public keys, given to instances when made.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, ok, type Schemas } from "../api";
import { ConfirmButton, ErrorNote, PagedTable, SpecForm, usePages } from "../ui";

export function useSshKeys() {
  return usePages<Schemas["SshKey"]>(["ssh-keys"], (page_token) =>
    ok(api.GET("/v1/ssh-keys", { params: { query: { limit: 100, page_token } } })),
  );
}

export function SshKeys() {
  const queries = useQueryClient();
  const pages = useSshKeys();
  const refresh = () => queries.invalidateQueries({ queryKey: ["ssh-keys"] });
  const add = useMutation({
    mutationFn: (body: Record<string, unknown>) => ok(api.POST("/v1/ssh-keys", { body: body as Schemas["SshKeyCreate"] })),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (id: string) => ok(api.DELETE("/v1/ssh-keys/{ssh_key}", { params: { path: { ssh_key: id } } })),
    onSuccess: refresh,
  });
  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">SSH keys</h1>
      <PagedTable
        pages={pages}
        caption="SSH keys"
        empty="No SSH keys yet."
        columns={[
          { header: "Name", cell: (k) => k.name },
          { header: "Fingerprint", cell: (k) => <code>{k.fingerprint}</code> },
          {
            header: "Actions",
            cell: (k) => <ConfirmButton label="Delete" question={`Delete the key ${k.name}?`} onConfirm={() => remove.mutate(k.id)} />,
          },
        ]}
      />
      <ErrorNote error={remove.error} />
      <h2>Add a key</h2>
      <SpecForm
        key={add.data?.id ?? "new"}
        schema="SshKeyCreate"
        fields={["name", "public_key", "description"]}
        options={{ public_key: { label: "Public key", multiline: true } }}
        submitLabel="Add key"
        busy={add.isPending}
        error={add.error}
        onSubmit={(body) => add.mutate(body)}
      />
    </section>
  );
}
