// The dashboard: the project's instances by state, and what happened last.
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, ok } from "../api";
import { NeedsProject } from "../project";
import { ErrorNote, StateBadge } from "../ui";
import { EventTable, useEvents } from "./Events";

function InstanceStates({ project }: { project: string }) {
  const list = useQuery({
    queryKey: ["instances", project, "states"],
    queryFn: () => ok(api.GET("/v1/instances", { params: { query: { project, limit: 1000 } } })),
    refetchInterval: 5000,
  });
  if (list.error) return <ErrorNote error={list.error} />;
  if (!list.data) return <p>Loading…</p>;
  const counts = new Map<string, number>();
  for (const i of list.data.items) counts.set(i.state, (counts.get(i.state) ?? 0) + 1);
  return (
    <>
      <p>
        <Link to="/instances">
          {list.data.items.length}
          {list.data.next_page ? "+" : ""} {list.data.items.length === 1 && !list.data.next_page ? "instance" : "instances"}
        </Link>
      </p>
      <ul className="counts">
        {[...counts].map(([state, n]) => (
          <li key={state}>
            <StateBadge state={state} /> {n}
          </li>
        ))}
      </ul>
    </>
  );
}

export function Dashboard() {
  const events = useEvents({}, 10);
  return (
    <section aria-labelledby="dashboard-title">
      <h1 id="dashboard-title">Dashboard</h1>
      <h2>Instances by state</h2>
      <NeedsProject>{(p) => <InstanceStates project={p.id} />}</NeedsProject>
      <h2>Recent events</h2>
      <EventTable pages={events} caption="Recent events" />
    </section>
  );
}
