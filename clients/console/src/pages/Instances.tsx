// Instances: the list (states that update), the quick and advanced create
// forms, and a detail page with its drives, addresses, keys, events,
// actions, changes and a live serial console.
import { useEffect, useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "react-router";
import { api, ok, type Schemas } from "../api";
import { NeedsProject, useProject } from "../project";
import { bytes, ConfirmButton, ErrorNote, GIB, PagedTable, SpecForm, StateBadge, type Choice, usePages } from "../ui";
import { lockedBecause, body as bodySpec } from "../spec";
import { DriveCreateForm, useDrives, useImages } from "./Drives";
import { IpCreateForm, useIpAddresses } from "./IpAddresses";
import { useSshKeys } from "./SshKeys";
import { EventTable, useEvents } from "./Events";

type Instance = Schemas["Instance"];
const SETTLED = new Set(["running", "stopped", "failed"]);
const MIB = { label: "MiB", factor: 1 };

export function useInstances(project: string) {
  return usePages<Instance>(
    ["instances", project],
    (page_token) => ok(api.GET("/v1/instances", { params: { query: { project, limit: 100, page_token } } })),
    // States change on their own while work runs: keep them fresh.
    { refetchInterval: (items) => (items.some((i) => !SETTLED.has(i.state)) ? 1000 : 5000) },
  );
}

export function Instances() {
  return (
    <section aria-labelledby="instances-title">
      <div className="title-row">
        <h1 id="instances-title">Instances</h1>
        <span>
          <Link className="button" to="/instances/new">
            Create instance
          </Link>{" "}
          <Link className="button secondary" to="/instances/compose">
            Compose instance
          </Link>
        </span>
      </div>
      <NeedsProject>{(p) => <InstanceTable project={p.id} />}</NeedsProject>
    </section>
  );
}

function InstanceTable({ project }: { project: string }) {
  const pages = useInstances(project);
  return (
    <PagedTable
      pages={pages}
      caption="Instances"
      empty="No instances yet."
      columns={[
        { header: "Name", cell: (i) => <Link to={`/instances/${i.id}`}>{i.name}</Link> },
        { header: "State", cell: (i) => <StateBadge state={i.state} /> },
        { header: "vCPUs", cell: (i) => i.vcpus },
        { header: "Memory", cell: (i) => `${i.memory_mib} MiB` },
      ]}
    />
  );
}

function useCreateInstance(project: string | undefined) {
  const navigate = useNavigate();
  const queries = useQueryClient();
  return useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      ok(api.POST("/v1/instances", { params: { query: { project: project! } }, body: body as Schemas["InstanceCreate"] })),
    onSuccess: async (i: Instance) => {
      await queries.invalidateQueries({ queryKey: ["instances"] });
      await queries.invalidateQueries({ queryKey: ["drives"] });
      await queries.invalidateQueries({ queryKey: ["ip-addresses"] });
      navigate(`/instances/${i.id}`);
    },
  });
}

/** The quick form: a template and a size, and it runs. */
export function NewInstance() {
  const { project } = useProject();
  const images = useImages();
  const create = useCreateInstance(project?.id);
  const first = images.data?.items[0];
  return (
    <section aria-labelledby="new-title">
      <h1 id="new-title">Create an instance</h1>
      <p>
        From a template, with a new boot drive. To build one from drives and addresses you have, <Link to="/instances/compose">compose it</Link>.
      </p>
      {first ? (
        <SpecForm
          schema="InstanceCreate"
          fields={["name", "image", "memory_mib", "vcpus", "boot_drive_size_bytes"]}
          options={{
            image: { label: "Template", choices: images.data!.items.map((i) => ({ value: i.name, label: i.name })), initial: first.name },
            memory_mib: { label: "Memory", unit: MIB, initial: "256" },
            vcpus: { label: "vCPUs", initial: "1" },
            boot_drive_size_bytes: { label: "Disk size", unit: GIB, initial: String(Math.max(1, first.min_size_bytes / GIB.factor)) },
          }}
          submitLabel="Create"
          busy={create.isPending || !project}
          error={create.error}
          onSubmit={(body) => create.mutate(body)}
        />
      ) : (
        <ErrorNote error={images.error} />
      )}
    </section>
  );
}

/** The advanced form: compose from drives and addresses, made here if need be. */
export function ComposeInstance() {
  return (
    <section aria-labelledby="compose-title">
      <h1 id="compose-title">Compose an instance</h1>
      <NeedsProject>{(p) => <ComposeForm project={p.id} />}</NeedsProject>
    </section>
  );
}

function ComposeForm({ project }: { project: string }) {
  const drives = useDrives(project);
  const ips = useIpAddresses(project);
  const keys = useSshKeys();
  const create = useCreateInstance(project);
  const free: Choice[] = (drives.items ?? [])
    .filter((d) => d.state === "available" && !d.instance_id)
    .map((d) => ({ value: d.name, label: `${d.name} (${bytes(d.size_bytes)})` }));
  const freeIps: Choice[] = (ips.items ?? []).filter((ip) => !ip.instance_id).map((ip) => ({ value: ip.name, label: `${ip.name} (${ip.address})` }));
  const keyChoices: Choice[] = (keys.items ?? []).map((k) => ({ value: k.name, label: k.name }));
  return (
    <>
      <SpecForm
        schema="InstanceCreate"
        fields={["name", "boot_drive", "drives", "ip_addresses", "ssh_keys", "memory_mib", "vcpus", "ha_policy", "user_data", "start"]}
        options={{
          boot_drive: { label: "Boot drive", choices: free },
          drives: { label: "More drives", choices: free },
          ip_addresses: { label: "IP addresses", choices: freeIps },
          ssh_keys: { label: "SSH keys", choices: keyChoices },
          memory_mib: { label: "Memory", unit: MIB, initial: "256" },
          vcpus: { label: "vCPUs", initial: "1" },
          ha_policy: { label: "When its host fails" },
          user_data: { label: "User data (cloud-init)", multiline: true },
          start: { label: "Start it once made", initial: true },
        }}
        submitLabel="Create"
        busy={create.isPending}
        error={drives.error ?? ips.error ?? keys.error ?? create.error}
        onSubmit={(body) => create.mutate(body)}
      />
      <details>
        <summary>Make a new drive</summary>
        <DriveCreateForm project={project} onCreated={() => undefined} />
      </details>
      <details>
        <summary>Allocate a new IP address</summary>
        <IpCreateForm project={project} />
      </details>
    </>
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
      <pre className="serial" role="log" tabIndex={0} aria-label="Serial console output" aria-live="off">
        {text || "No output yet."}
      </pre>
    </section>
  );
}

export function InstanceDetail() {
  const { id = "" } = useParams();
  const navigate = useNavigate();
  const queries = useQueryClient();
  // Once it is being deleted, the page stops asking for it (a read after
  // the delete would be a 404).
  const [leaving, setLeaving] = useState(false);
  const instance = useQuery({
    queryKey: ["instance", id],
    enabled: !leaving,
    queryFn: ({ signal }) => ok(api.GET("/v1/instances/{instance}", { params: { path: { instance: id } }, signal })),
    refetchInterval: (q) => (q.state.data && SETTLED.has(q.state.data.state) ? 5000 : 1000),
  });
  const refresh = async () => {
    await queries.invalidateQueries({ queryKey: ["instance", id] });
    await queries.invalidateQueries({ queryKey: ["instances"] });
  };
  const act = useMutation({
    onMutate: async (action) => {
      if (action === "delete") {
        setLeaving(true);
        await queries.cancelQueries({ queryKey: ["instance", id] });
      }
    },
    onError: () => setLeaving(false),
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
        await queries.invalidateQueries({ queryKey: ["instances"] });
      } else {
        await refresh();
      }
    },
  });
  const update = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      ok(api.PUT("/v1/instances/{instance}", { params: { path: { instance: id } }, body: body as Schemas["InstanceUpdate"] })),
    onSuccess: refresh,
  });
  const resize = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      ok(api.POST("/v1/instances/{instance}/resize", { params: { path: { instance: id } }, body: body as Schemas["InstanceResize"] })),
    onSuccess: refresh,
  });
  const i = instance.data;
  if (instance.error) return <ErrorNote error={instance.error} />;
  if (!i) return <p>Loading…</p>;
  // The API deletes only instances that do not run.
  const deletable = i.state === "stopped" || i.state === "failed";
  const running = i.state !== "stopped";
  return (
    <section aria-labelledby="instance-title">
      <h1 id="instance-title">{i.name}</h1>
      <p>
        State: <StateBadge state={i.state} />
        {SETTLED.has(i.state) ? null : (
          <span className="progress" role="status">
            {" "}
            working…
          </span>
        )}
      </p>
      <dl>
        <dt>vCPUs</dt>
        <dd>{i.vcpus}</dd>
        <dt>Memory</dt>
        <dd>{i.memory_mib} MiB</dd>
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
        <ConfirmButton
          label="Delete"
          question={`Delete ${i.name}${i.drive_ids.length ? " (a boot drive made with it goes too)" : ""}?`}
          disabled={!deletable || act.isPending}
          why="Stop the instance to delete it."
          onConfirm={() => act.mutate("delete")}
        />
      </div>
      <ErrorNote error={act.error} />
      <Attachments instance={i} running={running} />
      <h2>Size</h2>
      <SpecForm
        key={`size-${i.time_modified}-${running}`}
        schema="InstanceResize"
        lockedBy="InstanceCreate"
        running={running}
        fields={["memory_mib", "vcpus"]}
        options={{
          memory_mib: { label: "Memory", unit: MIB, initial: String(i.memory_mib) },
          vcpus: { label: "vCPUs", initial: String(i.vcpus) },
        }}
        submitLabel="Resize"
        busy={resize.isPending}
        error={resize.error}
        onSubmit={(body) => resize.mutate(body)}
      />
      <h2>Settings</h2>
      <SpecForm
        key={`settings-${i.time_modified}`}
        schema="InstanceUpdate"
        lockedBy="InstanceCreate"
        running={running}
        fields={["name", "description", "ha_policy"]}
        options={{
          name: { initial: i.name },
          description: { initial: i.description },
          ha_policy: { label: "When its host fails", initial: i.ha_policy },
        }}
        submitLabel="Save"
        busy={update.isPending}
        error={update.error}
        onSubmit={(body) => update.mutate(body)}
      />
      <SerialConsole id={i.id} live={i.state !== "stopped"} />
      <InstanceEvents id={i.id} />
    </section>
  );
}

/** The instance's drives, addresses and keys; attach and detach while stopped. */
function Attachments({ instance, running }: { instance: Instance; running: boolean }) {
  const queries = useQueryClient();
  const drives = useDrives(instance.project_id);
  const ips = useIpAddresses(instance.project_id);
  const keys = useSshKeys();
  const [drive, setDrive] = useState("");
  const [ip, setIp] = useState("");
  const change = useMutation({
    mutationFn: async ({ what, how, name }: { what: "drive" | "ip"; how: "attach" | "detach"; name: string }) => {
      const path = { params: { path: { instance: instance.id } } };
      if (what === "drive") {
        const url = how === "attach" ? "/v1/instances/{instance}/drives/attach" : "/v1/instances/{instance}/drives/detach";
        return ok(api.POST(url, { ...path, body: { drive: name } }));
      }
      const url = how === "attach" ? "/v1/instances/{instance}/ip-addresses/attach" : "/v1/instances/{instance}/ip-addresses/detach";
      return ok(api.POST(url, { ...path, body: { ip_address: name } }));
    },
    onSuccess: async () => {
      setDrive("");
      setIp("");
      await queries.invalidateQueries({ queryKey: ["instance", instance.id] });
      await queries.invalidateQueries({ queryKey: ["drives"] });
      await queries.invalidateQueries({ queryKey: ["ip-addresses"] });
    },
  });
  const create = bodySpec("InstanceCreate").properties;
  const driveLock = lockedBecause(create.drives?.mutability, running);
  const ipLock = lockedBecause(create.ip_addresses?.mutability, running);
  const mine = (drives.items ?? []).filter((d) => d.instance_id === instance.id);
  const freeDrives = (drives.items ?? []).filter((d) => d.state === "available" && !d.instance_id);
  const myIps = (ips.items ?? []).filter((a) => a.instance_id === instance.id);
  const freeIps = (ips.items ?? []).filter((a) => !a.instance_id);
  const myKeys = (keys.items ?? []).filter((k) => instance.ssh_key_ids.includes(k.id));
  return (
    <>
      <h2>Drives</h2>
      {driveLock ? <p className="hint" id="drive-lock">{driveLock}</p> : null}
      <ul className="attached">
        {mine.map((d) => (
          <li key={d.id}>
            <Link to={`/drives/${d.id}`}>{d.name}</Link> {bytes(d.size_bytes)}, {d.storage_class}
            {d.slot === 0 ? " (boot)" : ""}{" "}
            {d.slot === 0 ? null : (
              <button
                type="button"
                disabled={!!driveLock || change.isPending}
                aria-describedby={driveLock ? "drive-lock" : undefined}
                onClick={() => change.mutate({ what: "drive", how: "detach", name: d.name })}
              >
                Detach {d.name}
              </button>
            )}
          </li>
        ))}
      </ul>
      <AttachPicker
        id="attach-drive"
        label="Attach a drive"
        choices={freeDrives.map((d) => ({ value: d.name, label: `${d.name} (${bytes(d.size_bytes)})` }))}
        value={drive}
        onChange={setDrive}
        lock={driveLock}
        lockId="drive-lock"
        busy={change.isPending}
        onAttach={() => change.mutate({ what: "drive", how: "attach", name: drive })}
      />
      <h2>IP addresses</h2>
      {ipLock ? <p className="hint" id="ip-lock">{ipLock}</p> : null}
      <ul className="attached">
        {myIps.map((a) => (
          <li key={a.id}>
            <code>{a.address}</code> ({a.name}){" "}
            <button
              type="button"
              disabled={!!ipLock || change.isPending}
              aria-describedby={ipLock ? "ip-lock" : undefined}
              onClick={() => change.mutate({ what: "ip", how: "detach", name: a.name })}
            >
              Detach {a.name}
            </button>
          </li>
        ))}
      </ul>
      <AttachPicker
        id="attach-ip"
        label="Attach an address"
        choices={freeIps.map((a) => ({ value: a.name, label: `${a.name} (${a.address})` }))}
        value={ip}
        onChange={setIp}
        lock={ipLock}
        lockId="ip-lock"
        busy={change.isPending}
        onAttach={() => change.mutate({ what: "ip", how: "attach", name: ip })}
      />
      <ErrorNote error={change.error ?? drives.error ?? ips.error} />
      <h2>SSH keys</h2>
      <p>{myKeys.length ? myKeys.map((k) => k.name).join(", ") : "None."}</p>
    </>
  );
}

function AttachPicker(props: {
  id: string;
  label: string;
  choices: Choice[];
  value: string;
  onChange: (v: string) => void;
  lock: string | undefined;
  lockId: string;
  busy: boolean;
  onAttach: () => void;
}) {
  if (props.choices.length === 0) return null;
  return (
    <p className="attach">
      <label htmlFor={props.id}>{props.label}</label>{" "}
      <select id={props.id} value={props.value} disabled={!!props.lock} aria-describedby={props.lock ? props.lockId : undefined} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">Choose…</option>
        {props.choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>{" "}
      <button type="button" disabled={!!props.lock || !props.value || props.busy} onClick={props.onAttach}>
        Attach
      </button>
    </p>
  );
}

function InstanceEvents({ id }: { id: string }) {
  const pages = useEvents({ resource_id: id }, 20);
  return (
    <section aria-labelledby="instance-events">
      <h2 id="instance-events">Events</h2>
      <EventTable pages={pages} caption="Events of this instance" />
    </section>
  );
}
