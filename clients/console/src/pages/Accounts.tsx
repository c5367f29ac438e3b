// Accounts, for partner and operator staff: made, listed, removed, and
// each one's users (invitation links included).
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "react-router";
import { api, ok, type Schemas } from "../api";
import { useCurrentUser } from "../me";
import { ConfirmButton, ErrorNote, PagedTable, SpecForm, StateBadge, usePages } from "../ui";
import { usePartners, Users } from "./People";

export function Accounts() {
  const me = useCurrentUser();
  const operator = me.scope === "operator";
  const queries = useQueryClient();
  const navigate = useNavigate();
  const partners = usePartners(operator);
  const partnerName = new Map((partners.data?.items ?? []).map((p) => [p.id, p.name]));
  const pages = usePages<Schemas["Account"]>(["accounts"], (page_token) =>
    ok(api.GET("/v1/accounts", { params: { query: { limit: 100, page_token } } })),
  );
  const create = useMutation({
    mutationFn: (body: Record<string, unknown>) => ok(api.POST("/v1/accounts", { body: body as Schemas["AccountCreate"] })),
    onSuccess: async (a) => {
      await queries.invalidateQueries({ queryKey: ["accounts"] });
      navigate(`/accounts/${a.id}`);
    },
  });
  return (
    <section aria-labelledby="accounts-title">
      <h1 id="accounts-title">Accounts</h1>
      <PagedTable
        pages={pages}
        caption="Accounts"
        empty="No accounts yet."
        columns={[
          { header: "Name", cell: (a) => <Link to={`/accounts/${a.id}`}>{a.name}</Link> },
          { header: "State", cell: (a) => <StateBadge state={a.suspended ? "suspended" : "active"} /> },
          ...(operator ? [{ header: "Partner", cell: (a: Schemas["Account"]) => (a.partner_id ? partnerName.get(a.partner_id) ?? "…" : "direct") }] : []),
          { header: "Description", cell: (a) => a.description },
        ]}
      />
      <h2>Create an account</h2>
      <SpecForm
        schema="AccountCreate"
        fields={operator ? ["name", "partner", "description"] : ["name", "description"]}
        options={{
          partner: { label: "Partner (none: a direct customer)", choices: (partners.data?.items ?? []).map((p) => ({ value: p.name, label: p.name })) },
        }}
        submitLabel="Create account"
        busy={create.isPending}
        error={create.error ?? partners.error}
        onSubmit={(body) => create.mutate(body)}
      />
    </section>
  );
}

export function AccountDetail() {
  const { id = "" } = useParams();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [leaving, setLeaving] = useState(false);
  const account = useQuery({
    queryKey: ["account", id],
    enabled: !leaving,
    queryFn: ({ signal }) => ok(api.GET("/v1/accounts/{account}", { params: { path: { account: id } }, signal })),
  });
  const remove = useMutation({
    onMutate: async () => {
      setLeaving(true);
      await queries.cancelQueries({ queryKey: ["account", id] });
    },
    onError: () => setLeaving(false),
    mutationFn: () => ok(api.DELETE("/v1/accounts/{account}", { params: { path: { account: id } } })),
    onSuccess: async () => {
      queries.removeQueries({ queryKey: ["account", id] });
      await queries.invalidateQueries({ queryKey: ["accounts"] });
      navigate("/accounts");
    },
  });
  const suspend = useMutation({
    mutationFn: (suspended: boolean) =>
      ok(api.PUT("/v1/accounts/{account}", { params: { path: { account: id } }, body: { suspended } })),
    onSuccess: async () => {
      await queries.invalidateQueries({ queryKey: ["account", id] });
      await queries.invalidateQueries({ queryKey: ["accounts"] });
    },
  });
  const a = account.data;
  if (account.error) return <ErrorNote error={account.error} />;
  if (!a) return <p>Loading…</p>;
  return (
    <section aria-labelledby="account-title">
      <h1 id="account-title">{a.name}</h1>
      {a.description ? <p>{a.description}</p> : null}
      <p>
        State: <StateBadge state={a.suspended ? "suspended" : "active"} />
      </p>
      <div className="actions">
        {a.suspended ? (
          <button type="button" disabled={suspend.isPending} onClick={() => suspend.mutate(false)}>
            Resume account
          </button>
        ) : (
          <ConfirmButton
            label="Suspend account"
            question={`Suspend ${a.name}? Its people and tokens are refused until it is resumed; its instances keep running.`}
            onConfirm={() => suspend.mutate(true)}
          />
        )}
      </div>
      <ErrorNote error={suspend.error} />
      <Users account={a.id} title={`Users of ${a.name}`} />
      <h2>Delete</h2>
      <div className="actions">
        <ConfirmButton
          label="Delete account"
          question={`Delete ${a.name}, its users and tokens? Its instances, drives and addresses must be gone first.`}
          onConfirm={() => remove.mutate()}
        />
      </div>
      <ErrorNote error={remove.error} />
    </section>
  );
}
