// Instances: the list (states that update), the quick create form, and a
// detail page with its actions and a live serial console.
import { useEffect, useRef, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "react-router";
import { api, describe, ok, type Schemas } from "../api";

type Instance = Schemas["Instance"];
const SETTLED = new Set(["running", "stopped", "failed"]);

/** The projects the caller sees, and the one chosen (kept across visits). */
function useProject() {
  const projects = useQuery({
    queryKey: ["projects"],
    queryFn: () => ok(api.GET("/v1/projects", { params: { query: { limit: 1000 } } })),
  });
  const [chosen, setChosen] = useState(() => localStorage.getItem("overcast.project") ?? "");
  const items = projects.data?.items ?? [];
  const project = items.find((p) => p.id === chosen) ?? items[0];
  const choose = (id: string) => {
    localStorage.setItem("overcast.project", id);
    setChosen(id);
  };
  return { projects, items, project, choose };
}

function StateBadge({ state }: { state: string }) {
  return <span className={`badge state-${state}`}>{state}</span>;
}

function ErrorNote({ error }: { error: unknown }) {
  return error ? <p role="alert">{describe(error)}</p> : null;
}

export function Instances() {
  const { projects, items, project, choose } = useProject();
  const list = useQuery({
    queryKey: ["instances", project?.id],
    enabled: !!project,
    queryFn: () => ok(api.GET("/v1/instances", { params: { query: { project: project!.id, limit: 100 } } })),
    // States change on their own while work runs: keep them fresh.
    refetchInterval: (q) => (q.state.data?.items.some((i) => !SETTLED.has(i.state)) ? 1000 : 5000),
  });
  return (
    <section aria-labelledby="instances-title">
      <div className="title-row">
        <h1 id="instances-title">Instances</h1>
        {project ? (
          <Link className="button" to="/instances/new">
            Create instance
          </Link>
        ) : null}
      </div>
      <ErrorNote error={projects.error ?? list.error} />
      {items.length > 1 ? (
        <p>
          <label htmlFor="project">Project </label>
          <select id="project" value={project?.id} onChange={(e) => choose(e.target.value)}>
            {items.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </p>
      ) : null}
      {projects.data && !project ? <p>This account has no project yet.</p> : null}
      {list.data ? (
        list.data.items.length === 0 ? (
          <p>No instances yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">State</th>
                <th scope="col">vCPUs</th>
                <th scope="col">Memory</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((i) => (
                <tr key={i.id}>
                  <td>
                    <Link to={`/instances/${i.id}`}>{i.name}</Link>
                  </td>
                  <td>
                    <StateBadge state={i.state} />
                  </td>
                  <td>{i.vcpus}</td>
                  <td>{i.memory_mib} MiB</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
    </section>
  );
}

export function NewInstance() {
  const { project } = useProject();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const images = useQuery({
    queryKey: ["images"],
    queryFn: () => ok(api.GET("/v1/images", { params: { query: { limit: 1000 } } })),
  });
  const [name, setName] = useState("");
  const [image, setImage] = useState("");
  const [memory, setMemory] = useState(256);
  const [vcpus, setVcpus] = useState(1);
  const [diskGib, setDiskGib] = useState(1);
  const create = useMutation({
    mutationFn: () =>
      ok(
        api.POST("/v1/instances", {
          params: { query: { project: project!.id } },
          body: {
            name,
            image: image || images.data?.items[0]?.name,
            memory_mib: memory,
            vcpus,
            boot_drive_size_bytes: diskGib * 2 ** 30,
          },
        }),
      ),
    onSuccess: async (i: Instance) => {
      await queries.invalidateQueries({ queryKey: ["instances"] });
      navigate(`/instances/${i.id}`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <section aria-labelledby="new-title">
      <h1 id="new-title">Create an instance</h1>
      <form onSubmit={submit} className="form">
        <label htmlFor="name">Name</label>
        <input id="name" required pattern="[a-z]([a-z0-9\-]{0,61}[a-z0-9])?" maxLength={63} value={name} onChange={(e) => setName(e.target.value)} />
        <label htmlFor="image">Template</label>
        <select id="image" value={image} onChange={(e) => setImage(e.target.value)}>
          {(images.data?.items ?? []).map((i) => (
            <option key={i.id} value={i.name}>
              {i.name}
            </option>
          ))}
        </select>
        <label htmlFor="memory">Memory (MiB)</label>
        <input id="memory" type="number" min={64} step={64} required value={memory} onChange={(e) => setMemory(Number(e.target.value))} />
        <label htmlFor="vcpus">vCPUs</label>
        <input id="vcpus" type="number" min={1} max={64} required value={vcpus} onChange={(e) => setVcpus(Number(e.target.value))} />
        <label htmlFor="disk">Disk size (GiB)</label>
        <input id="disk" type="number" min={1} required value={diskGib} onChange={(e) => setDiskGib(Number(e.target.value))} />
        <ErrorNote error={images.error ?? create.error} />
        <button type="submit" disabled={create.isPending || !project}>
          {create.isPending ? "Creating…" : "Create"}
        </button>
      </form>
    </section>
  );
}

/** The serial console's log, followed as it grows. */
function SerialConsole({ id, live }: { id: string; live: boolean }) {
  const [text, setText] = useState("");
  const offset = useRef(0);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let stopped = false;
    const read = async () => {
      try {
        const chunk = await ok(
          api.GET("/v1/instances/{instance}/serial", { params: { path: { instance: id }, query: { offset: offset.current } } }),
        );
        offset.current = chunk.next_offset;
        if (chunk.data) setText((t) => (t + chunk.data).slice(-100_000));
        setError(undefined);
      } catch (e) {
        setError(e);
      }
    };
    void read();
    const timer = live ? setInterval(() => !stopped && void read(), 1000) : undefined;
    return () => {
      stopped = true;
      if (timer) clearInterval(timer);
    };
  }, [id, live]);
  return (
    <section aria-labelledby="serial-title">
      <h2 id="serial-title">Serial console</h2>
      <ErrorNote error={error} />
      <pre className="serial" tabIndex={0} aria-label="Serial console output" aria-live="off">
        {text}
      </pre>
    </section>
  );
}

export function InstanceDetail() {
  const { id = "" } = useParams();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const instance = useQuery({
    queryKey: ["instance", id],
    queryFn: () => ok(api.GET("/v1/instances/{instance}", { params: { path: { instance: id } } })),
    refetchInterval: (q) => (q.state.data && SETTLED.has(q.state.data.state) ? 5000 : 1000),
  });
  const act = useMutation({
    mutationFn: async (action: "start" | "stop" | "reboot" | "delete") => {
      const path = { params: { path: { instance: id } } };
      if (action === "delete") return ok(api.DELETE("/v1/instances/{instance}", path));
      if (action === "start") return ok(api.POST("/v1/instances/{instance}/start", path));
      if (action === "stop") return ok(api.POST("/v1/instances/{instance}/stop", path));
      return ok(api.POST("/v1/instances/{instance}/reboot", path));
    },
    onSuccess: async (_, action) => {
      if (action === "delete") {
        // It is going: leave its page rather than ask for it again.
        navigate("/instances");
        queries.removeQueries({ queryKey: ["instance", id] });
      } else {
        await queries.invalidateQueries({ queryKey: ["instance", id] });
      }
      await queries.invalidateQueries({ queryKey: ["instances"] });
    },
  });
  const i = instance.data;
  if (instance.error) return <ErrorNote error={instance.error} />;
  if (!i) return <p>Loading…</p>;
  // The API deletes only instances that do not run.
  const deletable = i.state === "stopped" || i.state === "failed";
  return (
    <section aria-labelledby="instance-title">
      <h1 id="instance-title">{i.name}</h1>
      <p>
        State: <StateBadge state={i.state} />
        {SETTLED.has(i.state) ? null : <span className="progress" role="status"> working…</span>}
      </p>
      <dl>
        <dt>vCPUs</dt>
        <dd>{i.vcpus}</dd>
        <dt>Memory</dt>
        <dd>{i.memory_mib} MiB</dd>
        <dt>Drives</dt>
        <dd>{i.drive_ids.length}</dd>
        <dt>IP addresses</dt>
        <dd>{i.ip_address_ids.length}</dd>
        <dt>HA policy</dt>
        <dd>{i.ha_policy}</dd>
      </dl>
      <div className="actions">
        <button type="button" disabled={i.state !== "stopped" || act.isPending} onClick={() => act.mutate("start")}>
          Start
        </button>
        <button type="button" disabled={i.state !== "running" || act.isPending} onClick={() => act.mutate("stop")}>
          Stop
        </button>
        <button type="button" disabled={i.state !== "running" || act.isPending} onClick={() => act.mutate("reboot")}>
          Reboot
        </button>
        {deletable ? null : (
          <span id="delete-why" className="hint">
            Stop the instance to delete it.
          </span>
        )}
        {confirming ? (
          <span role="group" aria-label="Confirm deletion">
            Delete {i.name} and its boot drive?{" "}
            <button type="button" className="danger" onClick={() => act.mutate("delete")}>
              Yes, delete
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </span>
        ) : (
          <button
            type="button"
            className="danger"
            disabled={!deletable || act.isPending}
            aria-describedby={deletable ? undefined : "delete-why"}
            onClick={() => setConfirming(true)}
          >
            Delete
          </button>
        )}
      </div>
      <ErrorNote error={act.error} />
      <SerialConsole id={i.id} live={i.state !== "stopped"} />
    </section>
  );
}
