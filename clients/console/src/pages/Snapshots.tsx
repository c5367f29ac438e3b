// Snapshots of replicated drives: taken from a drive's page, then rolled
// back to, turned into a new drive or an image, or deleted. A `local` drive
// (a file on one host) has none; its page says so rather than offer a form
// the API would refuse.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "react-router";
import { api, ok, type Schemas } from "../api";
import { bytes, ConfirmButton, ErrorNote, GIB, PagedTable, SpecForm, StateBadge, usePages } from "../ui";

type Drive = Schemas["Drive"];
type Snapshot = Schemas["Snapshot"];
const SETTLED = new Set(["available", "failed"]);

/** The snapshots section of a drive's page. */
export function DriveSnapshots({ drive }: { drive: Drive }) {
  if (drive.storage_class !== "replicated") {
    return (
      <>
        <h2>Snapshots</h2>
        <p>Snapshots need a replicated drive: this one is a file on one host. Make a replicated drive to keep snapshots.</p>
      </>
    );
  }
  return <ReplicatedSnapshots drive={drive} />;
}

function ReplicatedSnapshots({ drive }: { drive: Drive }) {
  const queries = useQueryClient();
  // The API lists a project's snapshots; this drive's are picked out here.
  const pages = usePages<Snapshot>(
    ["snapshots", drive.project_id],
    (page_token) => ok(api.GET("/v1/snapshots", { params: { query: { project: drive.project_id, limit: 1000, page_token } } })),
    { refetchInterval: (items) => (items.some((s) => !SETTLED.has(s.state)) ? 1000 : false) },
  );
  const mine = { ...pages, items: pages.items?.filter((s) => s.drive_id === drive.id) };
  const create = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      ok(
        api.POST("/v1/snapshots", {
          params: { query: { project: drive.project_id } },
          body: { ...body, drive: drive.id } as Schemas["SnapshotCreate"],
        }),
      ),
    onSuccess: () => queries.invalidateQueries({ queryKey: ["snapshots"] }),
  });
  return (
    <>
      <h2>Snapshots</h2>
      <PagedTable
        pages={mine}
        caption={`Snapshots of ${drive.name}`}
        empty="No snapshots of this drive yet."
        columns={[
          { header: "Name", cell: (s) => <Link to={`/snapshots/${s.id}`}>{s.name}</Link> },
          { header: "State", cell: (s) => <StateBadge state={s.state} /> },
          { header: "Size", cell: (s) => bytes(s.size_bytes) },
          { header: "Taken", cell: (s) => new Date(s.time_created).toLocaleString() },
        ]}
      />
      <h3>Take a snapshot</h3>
      <SpecForm
        key={create.data?.id ?? "new"}
        schema="SnapshotCreate"
        fields={["name", "description"]}
        submitLabel="Take snapshot"
        busy={create.isPending}
        error={create.error}
        onSubmit={(body) => create.mutate(body)}
      />
    </>
  );
}

/** One snapshot: roll its drive back, make a drive or an image of it, delete it. */
export function SnapshotDetail() {
  const { id = "" } = useParams();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [leaving, setLeaving] = useState(false);
  const snapshot = useQuery({
    queryKey: ["snapshot", id],
    enabled: !leaving,
    queryFn: ({ signal }) => ok(api.GET("/v1/snapshots/{snapshot}", { params: { path: { snapshot: id } }, signal })),
    refetchInterval: (q) => (q.state.data && SETTLED.has(q.state.data.state) ? false : 1000),
  });
  const s = snapshot.data;
  // Whether the drive was made from an image: only then can a snapshot of
  // it become one (the image must say how it boots).
  const drive = useQuery({
    queryKey: ["drive", s?.drive_id],
    enabled: !!s && !leaving,
    queryFn: ({ signal }) => ok(api.GET("/v1/drives/{drive}", { params: { path: { drive: s!.drive_id } }, signal })),
  });
  const rollback = useMutation({
    mutationFn: () =>
      ok(api.POST("/v1/drives/{drive}/rollback", { params: { path: { drive: s!.drive_id } }, body: { snapshot: id } })),
    // The drive's page shows the rollback's progress until it is available.
    onSuccess: async () => {
      await queries.invalidateQueries({ queryKey: ["drive", s!.drive_id] });
      navigate(`/drives/${s!.drive_id}`);
    },
  });
  const newDrive = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      ok(
        api.POST("/v1/drives", {
          params: { query: { project: s!.project_id } },
          body: { ...body, snapshot: id, storage_class: "replicated" } as Schemas["DriveCreate"],
        }),
      ),
    onSuccess: async (d) => {
      await queries.invalidateQueries({ queryKey: ["drives"] });
      navigate(`/drives/${d.id}`);
    },
  });
  const image = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      ok(
        api.POST("/v1/snapshots/{snapshot}/image", {
          params: { path: { snapshot: id } },
          body: body as Schemas["SnapshotImageCreate"],
        }),
      ),
    onSuccess: () => queries.invalidateQueries({ queryKey: ["images"] }),
  });
  const remove = useMutation({
    onMutate: async () => {
      setLeaving(true);
      await queries.cancelQueries({ queryKey: ["snapshot", id] });
    },
    onError: () => setLeaving(false),
    mutationFn: () => ok(api.DELETE("/v1/snapshots/{snapshot}", { params: { path: { snapshot: id } } })),
    onSuccess: async () => {
      queries.removeQueries({ queryKey: ["snapshot", id] });
      await queries.invalidateQueries({ queryKey: ["snapshots"] });
      navigate(`/drives/${s!.drive_id}`);
    },
  });
  if (snapshot.error) return <ErrorNote error={snapshot.error} />;
  if (!s) return <p>Loading…</p>;
  const usable = s.state === "available";
  return (
    <section aria-labelledby="snapshot-title">
      <h1 id="snapshot-title">{s.name}</h1>
      <p>
        State: <StateBadge state={s.state} />
        {SETTLED.has(s.state) ? null : (
          <span className="progress" role="status">
            {" "}
            working…
          </span>
        )}
      </p>
      <dl>
        <dt>Of drive</dt>
        <dd>
          <Link to={`/drives/${s.drive_id}`}>{drive.data?.name ?? "the drive"}</Link>
        </dd>
        <dt>Size</dt>
        <dd>{bytes(s.size_bytes)}</dd>
        <dt>Taken</dt>
        <dd>{new Date(s.time_created).toLocaleString()}</dd>
      </dl>
      <h2>Roll the drive back</h2>
      <p>The drive must be detached, or its instance stopped. What was written since the snapshot is lost.</p>
      <div className="actions">
        <ConfirmButton
          label="Roll back"
          question={`Roll the drive back to ${s.name}?`}
          disabled={!usable || rollback.isPending}
          why="Only an available snapshot can be rolled back to."
          onConfirm={() => rollback.mutate()}
        />
      </div>
      <ErrorNote error={rollback.error} />
      <h2>New drive from it</h2>
      <SpecForm
        schema="DriveCreate"
        fields={["name", "size_bytes", "replicas", "description"]}
        options={{ size_bytes: { label: "Size (at least the snapshot's)", unit: GIB, initial: String(s.size_bytes / GIB.factor) } }}
        submitLabel="Create drive"
        busy={newDrive.isPending || !usable}
        error={newDrive.error}
        onSubmit={(body) => newDrive.mutate(body)}
      />
      <h2>Make an image</h2>
      {drive.data && !drive.data.image_id ? (
        <p>Only a snapshot of a drive made from an image can become one: the image boots as that one does.</p>
      ) : (
        <>
          <p>The image boots like the one the drive was made from, with this snapshot's data.</p>
          <SpecForm
            key={image.data?.id ?? "new"}
            schema="SnapshotImageCreate"
            fields={["name", "description"]}
            submitLabel="Make image"
            busy={image.isPending || !usable || !drive.data}
            error={image.error ?? drive.error}
            onSubmit={(body) => image.mutate(body)}
          />
          {image.data ? <p role="status">Image {image.data.name} is being made.</p> : null}
        </>
      )}
      <h2>Delete</h2>
      <div className="actions">
        <ConfirmButton label="Delete" question={`Delete the snapshot ${s.name}?`} disabled={remove.isPending} onConfirm={() => remove.mutate()} />
      </div>
      <ErrorNote error={remove.error} />
    </section>
  );
}
