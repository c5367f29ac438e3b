// The audit log: newest first, filtered by action, kind of resource or
// resource, paged.
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { api, ok, type Schemas } from "../api";
import { PagedTable, usePages } from "../ui";

type Event = Schemas["Event"];

const KINDS = ["instance", "drive", "ip_address", "ssh_key", "project", "user", "token", "snapshot", "image"];

export function useEvents(filter: { action?: string; resource_type?: string; resource_id?: string }, limit = 50) {
  return usePages<Event>(["events", filter, limit], (page_token) =>
    ok(
      api.GET("/v1/events", {
        params: { query: { ...filter, order: "newest_first", limit, page_token } },
      }),
    ),
  );
}

export function EventTable({ pages, caption }: { pages: ReturnType<typeof useEvents>; caption: string }) {
  return (
    <PagedTable
      pages={pages}
      caption={caption}
      empty="No events."
      columns={[
        { header: "When", cell: (e) => new Date(e.time).toLocaleString() },
        { header: "Action", cell: (e) => e.action },
        {
          header: "Resource",
          cell: (e) =>
            e.resource_type === "instance" || e.resource_type === "drive" ? (
              <Link to={`/${e.resource_type}s/${e.resource_id}`}>{e.resource_name}</Link>
            ) : (
              e.resource_name
            ),
        },
        { header: "Request", cell: (e) => <code>{e.request_id}</code> },
      ]}
    />
  );
}

export function Events() {
  const [draft, setDraft] = useState({ action: "", resource_type: "" });
  const [filter, setFilter] = useState<{ action?: string; resource_type?: string }>({});
  const pages = useEvents(filter);
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilter({ action: draft.action.trim() || undefined, resource_type: draft.resource_type || undefined });
  };
  return (
    <section aria-labelledby="events-title">
      <h1 id="events-title">Audit log</h1>
      <form className="filters" onSubmit={apply} aria-label="Filter the audit log">
        <span className="field">
          <label htmlFor="event-kind">Kind of resource</label>
          <select id="event-kind" value={draft.resource_type} onChange={(e) => setDraft({ ...draft, resource_type: e.target.value })}>
            <option value="">any</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k.replace(/_/g, " ")}
              </option>
            ))}
          </select>
        </span>
        <span className="field">
          <label htmlFor="event-action">Action</label>
          <input
            id="event-action"
            placeholder="instance.delete"
            value={draft.action}
            onChange={(e) => setDraft({ ...draft, action: e.target.value })}
          />
        </span>
        <button type="submit">Filter</button>
      </form>
      <EventTable pages={pages} caption="Audit events" />
    </section>
  );
}
