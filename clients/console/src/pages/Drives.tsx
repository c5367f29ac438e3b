// Drives: blank or from an image, grown, renamed, snapshotted and deleted. Attaching and
// detaching happen on the instance's page, while it is stopped.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "react-router";
import { api, ok, type Schemas } from "../api";
import { NeedsProject } from "../project";
import { bytes, ConfirmButton, ErrorNote, GIB, PagedTable, SpecForm, StateBadge, usePages } from "../ui";
import { DriveSnapshots } from "./Snapshots";

type Drive = Schemas["Drive"];
const SETTLED = new Set(["available", "attached", "failed"]);

export function useImages() {
  return useQuery({
    queryKey: ["images"],
    queryFn: () => ok(api.GET("/v1/images", { params: { query: { limit: 1000 } } })),
  });
}

export function useDrives(project: string) {
  return usePages<Drive>(
    ["drives", project],
    (page_token) => ok(api.GET("/v1/drives", { params: { query: { project, limit: 100, page_token } } })),
    { refetchInterval: (items) => (items.some((d) => !SETTLED.has(d.state)) ? 1000 : false) },
  );
}

export function Drives() {
  return (
    <section aria-labelledby="drives-title">
      <div className="title-row">
        <h1 id="drives-title">Drives</h1>
        <Link className="button" to="/drives/new">
          Create drive
        </Link>
      </div>
      <NeedsProject>{(p) => <DriveTable project={p.id} />}</NeedsProject>
    </section>
  );
}

function DriveTable({ project }: { project: string }) {
  const pages = useDrives(project);
  return (
    <PagedTable
      pages={pages}
      caption="Drives"
      empty="No drives yet."
      columns={[
        { header: "Name", cell: (d) => <Link to={`/drives/${d.id}`}>{d.name}</Link> },
        { header: "State", cell: (d) => <StateBadge state={d.state} /> },
        { header: "Size", cell: (d) => bytes(d.size_bytes) },
        { header: "Storage", cell: (d) => d.storage_class },
        { header: "Attached", cell: (d) => (d.instance_id ? <Link to={`/instances/${d.instance_id}`}>yes</Link> : "no") },
      ]}
    />
  );
}

/** The fields of a new drive; the advanced instance form uses it inline. */
export function DriveCreateForm({ project, onCreated }: { project: string; onCreated: (d: Drive) => void }) {
  const queries = useQueryClient();
  const images = useImages();
  const create = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      ok(api.POST("/v1/drives", { params: { query: { project } }, body: body as Schemas["DriveCreate"] })),
    onSuccess: async (d) => {
      await queries.invalidateQueries({ queryKey: ["drives"] });
      onCreated(d);
    },
  });
  return (
    <SpecForm
      schema="DriveCreate"
      fields={["name", "size_bytes", "image", "storage_class", "description"]}
      options={{
        size_bytes: { label: "Size", unit: GIB, initial: "1" },
        image: {
          label: "Copy of image",
          choices: (images.data?.items ?? []).map((i) => ({ value: i.name, label: i.name })),
        },
        storage_class: { label: "Storage class" },
      }}
      submitLabel="Create drive"
      busy={create.isPending}
      error={images.error ?? create.error}
      onSubmit={(body) => create.mutate(body)}
    />
  );
}

export function NewDrive() {
  const navigate = useNavigate();
  return (
    <section aria-labelledby="new-drive-title">
      <h1 id="new-drive-title">Create a drive</h1>
      <NeedsProject>{(p) => <DriveCreateForm project={p.id} onCreated={(d) => navigate(`/drives/${d.id}`)} />}</NeedsProject>
    </section>
  );
}

export function DriveDetail() {
  const { id = "" } = useParams();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [leaving, setLeaving] = useState(false);
  const drive = useQuery({
    queryKey: ["drive", id],
    enabled: !leaving,
    queryFn: ({ signal }) => ok(api.GET("/v1/drives/{drive}", { params: { path: { drive: id } }, signal })),
    refetchInterval: (q) => (q.state.data && SETTLED.has(q.state.data.state) ? false : 1000),
  });
  const update = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      ok(api.PUT("/v1/drives/{drive}", { params: { path: { drive: id } }, body: body as Schemas["DriveUpdate"] })),
    onSuccess: () => queries.invalidateQueries({ queryKey: ["drive", id] }),
  });
  const remove = useMutation({
    onMutate: async () => {
      setLeaving(true);
      await queries.cancelQueries({ queryKey: ["drive", id] });
    },
    onError: () => setLeaving(false),
    mutationFn: () => ok(api.DELETE("/v1/drives/{drive}", { params: { path: { drive: id } } })),
    onSuccess: async () => {
      queries.removeQueries({ queryKey: ["drive", id] });
      await queries.invalidateQueries({ queryKey: ["drives"] });
      navigate("/drives");
    },
  });
  const d = drive.data;
  if (drive.error) return <ErrorNote error={drive.error} />;
  if (!d) return <p>Loading…</p>;
  return (
    <section aria-labelledby="drive-title">
      <h1 id="drive-title">{d.name}</h1>
      <p>
        State: <StateBadge state={d.state} />
        {SETTLED.has(d.state) ? null : (
          <span className="progress" role="status">
            {" "}
            working…
          </span>
        )}
      </p>
      <dl>
        <dt>Size</dt>
        <dd>{bytes(d.size_bytes)}</dd>
        <dt>Storage class</dt>
        <dd>
          {d.storage_class}
          {d.storage_class === "replicated" ? `, ${d.replicas} copies` : ""}
        </dd>
        {d.replication ? (
          <>
            <dt>Replication</dt>
            <dd>
              <StateBadge state={d.replication.state} />
              {d.replication.state === "degraded" ? ` ${Math.round(d.replication.degraded_ratio * 100)}% of copies missing` : null}
              {d.replication.state === "recovering" ? ` ${Math.round(d.replication.recovery_progress * 100)}% recovered` : null}
            </dd>
          </>
        ) : null}
        <dt>Attached to</dt>
        <dd>{d.instance_id ? <Link to={`/instances/${d.instance_id}`}>an instance</Link> : "nothing"}</dd>
      </dl>
      <h2>Change</h2>
      <SpecForm
        key={d.time_modified}
        schema="DriveUpdate"
        lockedBy="DriveCreate"
        fields={["name", "size_bytes", "description"]}
        options={{
          name: { initial: d.name },
          size_bytes: { label: "Size (grow only)", unit: GIB, initial: String(d.size_bytes / GIB.factor) },
          description: { initial: d.description },
        }}
        submitLabel="Save"
        busy={update.isPending}
        error={update.error}
        onSubmit={(body) => update.mutate(body)}
      />
      <DriveSnapshots drive={d} />
      <h2>Delete</h2>
      <div className="actions">
        <ConfirmButton
          label="Delete"
          question={`Delete ${d.name} and its data?`}
          disabled={!!d.instance_id || remove.isPending}
          why="Detach the drive to delete it."
          onConfirm={() => remove.mutate()}
        />
      </div>
      <ErrorNote error={remove.error} />
    </section>
  );
}
