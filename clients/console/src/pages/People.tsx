// The account's people: users and their invitation or reset links, API
// tokens (the secret is shown once), and the caller's own sessions.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ok, type Schemas } from "../api";
import { isPeopleAdmin, isStaff, useCurrentUser } from "../me";
import { ConfirmButton, ErrorNote, PagedTable, SpecForm, usePages } from "../ui";

/** Every partner, for choosing one (the operator's forms). */
export function usePartners(enabled: boolean) {
  return useQuery({
    queryKey: ["partners", "all"],
    enabled,
    queryFn: () => ok(api.GET("/v1/partners", { params: { query: { limit: 1000 } } })),
  });
}

function OneTimeSecret({ title, value, note }: { title: string; value: string; note: string }) {
  return (
    <div className="secret" role="status">
      <p>
        <strong>{title}</strong> {note}
      </p>
      <code tabIndex={0} aria-label={title}>
        {value}
      </code>
    </div>
  );
}

/**
 * Users: of the caller's account, of the `account` given (staff looking at
 * a customer's), or, for staff naming no account, the staff they see.
 */
export function Users({ account, title = "Users" }: { account?: string; title?: string }) {
  const me = useCurrentUser();
  const admin = isPeopleAdmin(me);
  const queries = useQueryClient();
  const pages = usePages<Schemas["User"]>(["users", account], (page_token) =>
    ok(api.GET("/v1/users", { params: { query: { account, limit: 100, page_token } } })),
  );
  const staff = isStaff(me) && !account;
  const roles: string[] = staff
    ? me.scope === "operator"
      ? ["operator", "partner_admin"]
      : ["partner_admin"]
    : ["account_admin", "account_member", "account_read_only"];
  const partners = usePartners(staff && me.scope === "operator");
  const refresh = () => queries.invalidateQueries({ queryKey: ["users"] });
  const [link, setLink] = useState<Schemas["Invitation"]>();
  const create = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      ok(api.POST("/v1/users", { params: { query: { account } }, body: body as Schemas["UserCreate"] })),
    onSuccess: refresh,
  });
  const invite = useMutation({
    mutationFn: (user: string) => ok(api.POST("/v1/users/{user}/invitations", { params: { path: { user } } })),
    onSuccess: setLink,
  });
  const remove = useMutation({
    mutationFn: (user: string) => ok(api.DELETE("/v1/users/{user}", { params: { path: { user } } })),
    onSuccess: refresh,
  });
  const resetFactor = useMutation({
    mutationFn: (user: string) => ok(api.DELETE("/v1/users/{user}/totp", { params: { path: { user } } })),
    onSuccess: refresh,
  });
  return (
    <section aria-labelledby="users-title">
      {account ? <h2 id="users-title">{title}</h2> : <h1 id="users-title">{title}</h1>}
      {link ? (
        <OneTimeSecret
          title={link.kind === "reset" ? "Password reset link" : "Invitation link"}
          value={link.url}
          note={`Pass it on: it works once, until ${new Date(link.time_expires).toLocaleString()}.`}
        />
      ) : null}
      <PagedTable
        pages={pages}
        caption="Users"
        empty="No users yet."
        columns={[
          { header: "Name", cell: (u) => u.name },
          { header: "E-mail", cell: (u) => u.email },
          { header: "Role", cell: (u) => u.role.replace(/_/g, " ") },
          { header: "Password", cell: (u) => (u.password_set ? "set" : "not yet") },
          { header: "Second factor", cell: (u) => (u.totp_enabled ? "on" : "off") },
          ...(admin
            ? [
                {
                  header: "Actions",
                  cell: (u: Schemas["User"]) => (
                    <>
                      <button type="button" onClick={() => invite.mutate(u.id)}>
                        {u.password_set ? `Reset link for ${u.name}` : `Invitation link for ${u.name}`}
                      </button>{" "}
                      {u.totp_enabled ? (
                        <ConfirmButton
                          label={`Turn off the second factor of ${u.name}`}
                          question={`${u.name} will log in with the password alone until they set a new one.`}
                          onConfirm={() => resetFactor.mutate(u.id)}
                        />
                      ) : null}{" "}
                      {u.id === me.user?.id ? null : (
                        <ConfirmButton label="Delete" question={`Delete the user ${u.name}?`} onConfirm={() => remove.mutate(u.id)} />
                      )}
                    </>
                  ),
                },
              ]
            : []),
        ]}
      />
      <ErrorNote error={invite.error ?? remove.error ?? resetFactor.error} />
      {admin ? (
        <>
          {account ? <h3>Add a user</h3> : <h2>Add a user</h2>}
          <SpecForm
            key={create.data?.id ?? "new"}
            schema="UserCreate"
            fields={staff && me.scope === "operator" ? ["name", "email", "role", "partner", "description"] : ["name", "email", "role", "description"]}
            options={{
              email: { label: "E-mail" },
              role: { choices: roles.map((r) => ({ value: r, label: r.replace(/_/g, " ") })), initial: roles[roles.length - 1] },
              partner: {
                label: "Partner (for a partner admin)",
                choices: (partners.data?.items ?? []).map((p) => ({ value: p.name, label: p.name })),
              },
            }}
            submitLabel="Add user"
            busy={create.isPending}
            error={create.error}
            onSubmit={(body) => create.mutate(body)}
          />
        </>
      ) : null}
    </section>
  );
}

export function Tokens() {
  const me = useCurrentUser();
  const admin = isPeopleAdmin(me);
  const queries = useQueryClient();
  const pages = usePages<Schemas["Token"]>(["tokens"], (page_token) =>
    ok(api.GET("/v1/tokens", { params: { query: { limit: 100, page_token } } })),
  );
  const refresh = () => queries.invalidateQueries({ queryKey: ["tokens"] });
  const [created, setCreated] = useState<Schemas["TokenCreated"]>();
  const create = useMutation({
    mutationFn: (body: Record<string, unknown>) => ok(api.POST("/v1/tokens", { body: body as Schemas["TokenCreate"] })),
    onSuccess: async (t) => {
      setCreated(t);
      await refresh();
    },
  });
  const revoke = useMutation({
    mutationFn: (token: string) => ok(api.DELETE("/v1/tokens/{token}", { params: { path: { token } } })),
    onSuccess: refresh,
  });
  // People make tokens of their own level: an account's, or their own staff scope.
  const scopes = me.account_id ? ["account_read_write", "account_read_only"] : [me.scope];
  return (
    <section aria-labelledby="tokens-title">
      <h1 id="tokens-title">API tokens</h1>
      {created ? (
        <OneTimeSecret title="New token secret" value={created.secret} note="Copy it now: it is shown this once." />
      ) : null}
      <PagedTable
        pages={pages}
        caption="API tokens"
        empty="No tokens yet."
        columns={[
          { header: "Description", cell: (t) => t.description || "(none)" },
          { header: "Scope", cell: (t) => t.scope.replace(/_/g, " ") },
          { header: "Expires", cell: (t) => (t.time_expires ? new Date(t.time_expires).toLocaleString() : "never") },
          ...(admin
            ? [
                {
                  header: "Actions",
                  cell: (t: Schemas["Token"]) => (
                    <ConfirmButton label="Revoke" question="Revoke this token?" onConfirm={() => revoke.mutate(t.id)} />
                  ),
                },
              ]
            : []),
        ]}
      />
      <ErrorNote error={revoke.error} />
      {admin ? (
        <>
          <h2>Create a token</h2>
          <SpecForm
            key={create.data?.id ?? "new"}
            schema="TokenCreate"
            fields={["description", "scope", "expires_in_seconds"]}
            options={{
              scope: { choices: scopes.map((s) => ({ value: s, label: s.replace(/_/g, " ") })) },
              expires_in_seconds: {
                label: "Expires in",
                unit: { label: "days", factor: 86_400 },
                hint: "Leave empty for a token that does not expire.",
              },
            }}
            submitLabel="Create token"
            busy={create.isPending}
            error={create.error}
            onSubmit={(body) => create.mutate(body)}
          />
        </>
      ) : null}
      <Sessions />
    </section>
  );
}

function Sessions() {
  const me = useCurrentUser();
  const queries = useQueryClient();
  const pages = usePages<Schemas["Session"]>(["sessions"], (page_token) =>
    ok(api.GET("/v1/sessions", { params: { query: { limit: 100, page_token } } })),
    { enabled: !!me.user },
  );
  const revoke = useMutation({
    mutationFn: (session: string) => ok(api.DELETE("/v1/sessions/{session}", { params: { path: { session } } })),
    onSuccess: () => queries.invalidateQueries({ queryKey: ["sessions"] }),
  });
  if (!me.user) return null;
  return (
    <>
      <h2>Your sessions</h2>
      <PagedTable
        pages={pages}
        caption="Your sessions"
        empty="No sessions."
        columns={[
          { header: "Client", cell: (s) => s.client },
          { header: "Browser", cell: (s) => s.user_agent },
          { header: "Last used", cell: (s) => new Date(s.time_last_used).toLocaleString() },
          {
            header: "Actions",
            cell: (s) =>
              s.current ? (
                "this one"
              ) : (
                <ConfirmButton label="End" question="End this session?" onConfirm={() => revoke.mutate(s.id)} />
              ),
          },
        ]}
      />
      <ErrorNote error={revoke.error} />
    </>
  );
}
