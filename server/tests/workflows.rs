//! Every workflow, proven generically (as omicron's saga tests do), on a
//! simulated host: for each kind of plan in `PlanKind::ALL`,
//! 1. failing each step in turn unwinds to the documented failed state
//!    with nothing on the host that the database does not know;
//! 2. running every step twice ends exactly as running it once;
//! 3. stopping the engine after each step (a killed server) and resuming
//!    with a new one finishes the workflow as if nothing happened.
//!
//! A new kind of plan cannot escape: `scenario` matches on every kind.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use overcast_db::models::WorkflowRow;
use overcast_db::schema::{drives, images, instances, snapshots, workflows};
use overcast_server::app::plans::{Plan, PlanKind};
use overcast_server::workflow::{Engine, Faults};
use overcast_testkit::{Backend, Hosts, Tenant, TestServer};
use overcast_types::states::WorkflowState;
use serde_json::{Value, json};

const Q: &str = "?project=main";

/// How a kind of workflow is set up, started, and how it must end.
struct Scenario {
    /// The resource the workflow is about.
    subject: &'static str,
    /// The state it ends in when the workflow succeeds (`None`: it is gone).
    done: Option<&'static str>,
}

fn scenario(kind: PlanKind) -> Scenario {
    use PlanKind::*;
    let instance = "/v1/instances/vm";
    let drive = "/v1/drives/d";
    match kind {
        InstanceCreate | InstanceStart | InstanceReboot => Scenario {
            subject: instance,
            done: Some("running"),
        },
        InstanceStop | InstanceResize => Scenario {
            subject: instance,
            done: Some("stopped"),
        },
        InstanceDelete => Scenario {
            subject: instance,
            done: None,
        },
        DriveCreate | DriveGrow => Scenario {
            subject: drive,
            done: Some("available"),
        },
        DriveDelete => Scenario {
            subject: drive,
            done: None,
        },
        InstanceFailover => Scenario {
            subject: instance,
            done: Some("running"),
        },
        DriveRollback => Scenario {
            subject: drive,
            done: Some("available"),
        },
        SnapshotCreate => Scenario {
            subject: "/v1/snapshots/s",
            done: Some("available"),
        },
        SnapshotDelete => Scenario {
            subject: "/v1/snapshots/s",
            done: None,
        },
    }
}

/// Whether `kind` works on replicated drives (a simulated storage cluster).
fn needs_storage(kind: PlanKind) -> bool {
    use PlanKind::*;
    matches!(kind, DriveRollback | SnapshotCreate | SnapshotDelete)
}

/// Set simulated host `name` `active` or `draining`.
async fn set_host_state(t: &TestServer, name: &str, state: &str) {
    let r = t
        .put(
            &format!("/v1/hosts/{name}"),
            &t.api.operator_token,
            json!({ "state": state }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

/// Make what the workflow of `kind` starts from, and let it settle.
async fn prepare(t: &TestServer, a: &Tenant, kind: PlanKind) {
    use PlanKind::*;
    let instance = |start: bool| json!({"name": "vm", "vcpus": 1, "memory_mib": 256, "image": "tiny", "start": start});
    match kind {
        InstanceCreate | DriveCreate => {}
        InstanceStart | InstanceResize | InstanceDelete => {
            t.create(&format!("/v1/instances{Q}"), &a.rw, instance(false))
                .await;
            t.wait_state(&format!("/v1/instances/vm{Q}"), &a.rw, "stopped")
                .await;
        }
        InstanceStop | InstanceReboot => {
            t.create(&format!("/v1/instances{Q}"), &a.rw, instance(true))
                .await;
            t.wait_state(&format!("/v1/instances/vm{Q}"), &a.rw, "running")
                .await;
        }
        InstanceFailover => {
            // The instance on sim-1, its boot drive on sim-2.
            set_host_state(t, "sim-1", "draining").await;
            t.create(
                &format!("/v1/drives{Q}"),
                &a.rw,
                json!({"name": "boot", "size_bytes": 67108864, "image": "tiny"}),
            )
            .await;
            set_host_state(t, "sim-1", "active").await;
            set_host_state(t, "sim-2", "draining").await;
            t.create(
                &format!("/v1/instances{Q}"),
                &a.rw,
                json!({"name": "vm", "vcpus": 1, "memory_mib": 256, "boot_drive": "boot"}),
            )
            .await;
            t.wait_state(&format!("/v1/instances/vm{Q}"), &a.rw, "running")
                .await;
            set_host_state(t, "sim-2", "active").await;
        }
        DriveGrow | DriveDelete => {
            t.create(
                &format!("/v1/drives{Q}"),
                &a.rw,
                json!({"name": "d", "size_bytes": 1048576}),
            )
            .await;
            t.wait_state(&format!("/v1/drives/d{Q}"), &a.rw, "available")
                .await;
        }
        SnapshotCreate | SnapshotDelete | DriveRollback => {
            // A replicated boot drive (from `tiny`), so that an image can
            // be made of its snapshot.
            t.create(
                &format!("/v1/drives{Q}"),
                &a.rw,
                json!({"name": "d", "size_bytes": 67108864, "image": "tiny",
                       "storage_class": "replicated", "replicas": 2}),
            )
            .await;
            t.wait_state(&format!("/v1/drives/d{Q}"), &a.rw, "available")
                .await;
            if kind != SnapshotCreate {
                t.create(
                    &format!("/v1/snapshots{Q}"),
                    &a.rw,
                    json!({"name": "s", "drive": "d"}),
                )
                .await;
                t.wait_state(&format!("/v1/snapshots/s{Q}"), &a.rw, "available")
                    .await;
            }
            if kind == SnapshotDelete {
                // Its deletion first makes the image's own copy.
                t.create(
                    &format!("/v1/snapshots/s/image{Q}"),
                    &a.rw,
                    json!({"name": "golden"}),
                )
                .await;
            }
        }
    }
}

/// The API call (or the host failure) that records the workflow of `kind`.
async fn trigger(t: &mut TestServer, a: &Tenant, kind: PlanKind) {
    use PlanKind::*;
    let r = match kind {
        InstanceFailover => {
            // sim-1 dies; the survivor is `sims[0]` from now on.
            assert_eq!(t.sims[0].config.name, "sim-1");
            drop(t.sims.remove(0));
            return;
        }
        InstanceCreate => {
            t.post(
                &format!("/v1/instances{Q}"),
                &a.rw,
                json!({"name": "vm", "vcpus": 1, "memory_mib": 256, "image": "tiny"}),
            )
            .await
        }
        InstanceStart => {
            t.post(&format!("/v1/instances/vm/start{Q}"), &a.rw, json!({}))
                .await
        }
        InstanceStop => {
            t.post(&format!("/v1/instances/vm/stop{Q}"), &a.rw, json!({}))
                .await
        }
        InstanceReboot => {
            t.post(&format!("/v1/instances/vm/reboot{Q}"), &a.rw, json!({}))
                .await
        }
        InstanceResize => {
            t.post(
                &format!("/v1/instances/vm/resize{Q}"),
                &a.rw,
                json!({"vcpus": 2, "memory_mib": 512}),
            )
            .await
        }
        InstanceDelete => t.delete(&format!("/v1/instances/vm{Q}"), &a.rw).await,
        DriveCreate => {
            t.post(
                &format!("/v1/drives{Q}"),
                &a.rw,
                json!({"name": "d", "size_bytes": 1048576}),
            )
            .await
        }
        DriveGrow => {
            t.put(
                &format!("/v1/drives/d{Q}"),
                &a.rw,
                json!({"size_bytes": 2097152}),
            )
            .await
        }
        DriveDelete => t.delete(&format!("/v1/drives/d{Q}"), &a.rw).await,
        SnapshotCreate => {
            t.post(
                &format!("/v1/snapshots{Q}"),
                &a.rw,
                json!({"name": "s", "drive": "d"}),
            )
            .await
        }
        SnapshotDelete => t.delete(&format!("/v1/snapshots/s{Q}"), &a.rw).await,
        DriveRollback => {
            t.post(
                &format!("/v1/drives/d/rollback{Q}"),
                &a.rw,
                json!({"snapshot": "s"}),
            )
            .await
        }
    };
    assert!(r.status.is_success(), "{kind:?}: {} {}", r.status, r.body);
}

/// The newest workflow of `kind`.
async fn workflow(t: &TestServer, kind: PlanKind) -> Option<WorkflowRow> {
    t.server
        .app
        .db
        .read(move |c| {
            Ok(workflows::table
                .filter(workflows::kind.eq(kind.as_str()))
                .order(workflows::id.desc())
                .select(WorkflowRow::as_select())
                .first(c)
                .optional()?)
        })
        .await
        .unwrap()
}

/// Wait until the newest workflow of `kind` satisfies `done`.
async fn wait_workflow(
    t: &TestServer,
    kind: PlanKind,
    what: &str,
    done: impl Fn(&WorkflowRow) -> bool,
) -> WorkflowRow {
    let started = Instant::now();
    loop {
        if let Some(row) = workflow(t, kind).await
            && done(&row)
        {
            return row;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{kind:?}: the workflow did not {what}: {:?}",
            workflow(t, kind).await
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn steps(row: &WorkflowRow) -> usize {
    serde_json::from_str::<Plan>(&row.steps)
        .expect("a stored plan")
        .steps
        .len()
}

/// What a run leaves: the subject's state and shape, the host's
/// inventory (sizes of its drives, power of its domains), and the storage
/// cluster's (each image's kind and number of snapshots).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    subject: Option<Vec<(String, Value)>>,
    host_drives: Vec<u64>,
    host_domains: Vec<bool>,
    storage: Vec<(String, usize)>,
}

async fn outcome(t: &TestServer, a: &Tenant, kind: PlanKind) -> Outcome {
    let r = t
        .get(&format!("{}{Q}", scenario(kind).subject), &a.rw)
        .await;
    let subject = (r.status == 200).then(|| {
        ["state", "size_bytes", "vcpus", "memory_mib", "host_id"]
            .iter()
            .map(|f| (f.to_string(), r.body[*f].clone()))
            .collect()
    });
    let sim = &t.sims[0];
    let mut host_drives: Vec<u64> = sim.drives().values().map(|d| d.size_bytes).collect();
    host_drives.sort();
    let mut host_domains: Vec<bool> = sim.domains().values().map(|d| d.running).collect();
    host_domains.sort();
    let mut storage: Vec<(String, usize)> = t
        .storage
        .iter()
        .flat_map(|s| s.images())
        .map(|(spec, snaps)| {
            (
                spec.split('-').next().unwrap_or_default().to_string(),
                snaps.len(),
            )
        })
        .collect();
    storage.sort();
    Outcome {
        subject,
        host_drives,
        host_domains,
        storage,
    }
}

/// Nothing on the host that the database does not know.
async fn host_matches_database(t: &TestServer, context: &str) {
    let (known_drives, known_instances, known_snapshots, known_images) = t
        .server
        .app
        .db
        .read(|c| {
            let d: Vec<String> = drives::table.select(drives::id).load(c)?;
            let i: Vec<String> = instances::table.select(instances::id).load(c)?;
            let s: Vec<String> = snapshots::table.select(snapshots::id).load(c)?;
            let m: Vec<String> = images::table.select(images::id).load(c)?;
            Ok((
                d.into_iter().collect::<BTreeSet<_>>(),
                i.into_iter().collect::<BTreeSet<_>>(),
                s.into_iter().collect::<BTreeSet<_>>(),
                m.into_iter().collect::<BTreeSet<_>>(),
            ))
        })
        .await
        .unwrap();
    for (spec, snaps) in t.storage.iter().flat_map(|s| s.images()) {
        let name = spec.split('/').nth(1).unwrap_or_default();
        let known = match name.split_once('-') {
            Some(("drive", id)) => known_drives.contains(id),
            Some(("image", id)) => known_images.contains(id),
            _ => false,
        };
        assert!(known, "{context}: RBD image {spec} left in the storage");
        for snap in snaps {
            let known = snap == "base"
                || snap
                    .strip_prefix("snap-")
                    .is_some_and(|id| known_snapshots.contains(id));
            assert!(
                known,
                "{context}: snapshot {spec}@{snap} left in the storage"
            );
        }
    }
    let sim = &t.sims[0];
    for id in sim.drives().keys() {
        assert!(
            known_drives.contains(id),
            "{context}: drive {id} left on the host"
        );
    }
    for id in sim.domains().keys() {
        assert!(
            known_instances.contains(id),
            "{context}: domain of instance {id} left on the host"
        );
    }
}

async fn fresh(kind: PlanKind) -> (TestServer, Tenant) {
    // A long replica lease: the server's own look for orphaned workflows
    // (once a lease) stays out of the kill tests, which hand a halted
    // workflow to a new engine.
    let long_lease = |c: &mut overcast_server::Config| c.replica_lease_seconds = 60.0;
    let t = if needs_storage(kind) {
        TestServer::start_with_storage_configured(Backend::Sqlite, 1, long_lease)
            .await
            .unwrap()
    } else if kind == PlanKind::InstanceFailover {
        TestServer::start_configured(Backend::Sqlite, Hosts::Simulated(2), |c| {
            c.host_detection_seconds = 1.0;
            long_lease(c);
        })
        .await
        .unwrap()
    } else {
        TestServer::start_configured(Backend::Sqlite, Hosts::Simulated(1), long_lease)
            .await
            .unwrap()
    };
    let a = t.tenant("acme").await;
    prepare(&t, &a, kind).await;
    (t, a)
}

/// A normal run of `kind`: how many steps it has and how it ends.
async fn baseline(kind: PlanKind) -> (usize, Outcome) {
    let (mut t, a) = fresh(kind).await;
    trigger(&mut t, &a, kind).await;
    subject_settles_with_its_workflow(&t, &a, kind).await;
    let row = wait_workflow(&t, kind, "end", |r| r.state != WorkflowState::Running).await;
    assert_eq!(row.state, WorkflowState::Done, "{kind:?}: {row:?}");
    let out = outcome(&t, &a, kind).await;
    match scenario(kind).done {
        Some(state) => assert_eq!(
            out.subject.as_ref().map(|s| s[0].1.clone()),
            Some(json!(state)),
            "{kind:?}"
        ),
        None => assert_eq!(out.subject, None, "{kind:?}: the subject is gone"),
    }
    host_matches_database(&t, &format!("{kind:?} baseline")).await;
    t.stop().await;
    (steps(&row), out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_each_step_unwinds_to_the_failed_state_and_leaks_nothing() {
    for &kind in PlanKind::ALL {
        let (n, _) = baseline(kind).await;
        assert!(n > 0, "{kind:?} has steps");
        for step in 0..n {
            let context = format!("{kind:?} failing step {step} of {n}");
            let (mut t, a) = fresh(kind).await;
            t.server.app.workflows.inject(Faults {
                fail_step: Some((kind.as_str().to_string(), step)),
                ..Faults::default()
            });
            trigger(&mut t, &a, kind).await;
            let row = wait_workflow(&t, kind, "end", |r| r.state != WorkflowState::Running).await;
            assert_eq!(row.state, WorkflowState::Unwound, "{context}: {row:?}");
            let r = t
                .get(&format!("{}{Q}", scenario(kind).subject), &a.rw)
                .await;
            // The subject is marked failed; a subject whose last step
            // removed its record before the injected failure is gone.
            let gone_is_fine = step == n - 1 && scenario(kind).done.is_none();
            if !(gone_is_fine && r.status == 404) {
                assert_eq!(r.body["state"], "failed", "{context}: {}", r.body);
            }
            // The failure is an event about the subject, by the request
            // and token that started it, with the reason.
            let events = t
                .get(&format!("/v1/events?resource_id={}", row.subject_id), &a.rw)
                .await;
            let items = events.body["items"].as_array().unwrap();
            let last = items.last().expect("events about the subject");
            assert!(
                items
                    .iter()
                    .all(|e| e["resource_id"] == row.subject_id.as_str()),
                "{context}: {items:?}"
            );
            assert_eq!(
                last["action"],
                format!("{}.failed", kind.subject_type()),
                "{context}: {last}"
            );
            assert_eq!(
                last["message"],
                format!("{}: injected failure", kind.as_str()),
                "{context}: {last}"
            );
            assert_eq!(last["request_id"], row.request_id.as_str(), "{context}");
            // A failover is Overcast's own doing: no request or token.
            let system = kind == PlanKind::InstanceFailover;
            assert_eq!(row.request_id.is_empty(), system, "{context}");
            assert_eq!(
                last.get("actor_token_id").is_none(),
                system,
                "{context}: {last}"
            );
            // A create that failed leaves nothing of its subject on the host.
            let id = r.id();
            match kind {
                PlanKind::DriveCreate => assert!(
                    !t.sims[0].drives().contains_key(&id),
                    "{context}: the failed drive's file is left on the host"
                ),
                PlanKind::InstanceCreate => assert!(
                    !t.sims[0].domains().contains_key(&id),
                    "{context}: the failed instance's domain is left on the host"
                ),
                PlanKind::SnapshotCreate => {
                    let images = t.storage.as_ref().expect("storage").images();
                    assert!(
                        images.values().flatten().all(|s| !s.contains(&id)),
                        "{context}: the failed snapshot is left in the storage: {images:?}"
                    )
                }
                _ => {}
            }
            host_matches_database(&t, &context).await;
            t.stop().await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_step_run_twice_ends_as_one_run() {
    for &kind in PlanKind::ALL {
        let (_, once) = baseline(kind).await;
        let (mut t, a) = fresh(kind).await;
        t.server.app.workflows.inject(Faults {
            repeat_steps: true,
            ..Faults::default()
        });
        trigger(&mut t, &a, kind).await;
        let row = wait_workflow(&t, kind, "end", |r| r.state != WorkflowState::Running).await;
        assert_eq!(row.state, WorkflowState::Done, "{kind:?}: {row:?}");
        let twice = outcome(&t, &a, kind).await;
        assert_eq!(
            normalize(twice),
            normalize(once),
            "{kind:?}: twice differs from once"
        );
        host_matches_database(&t, &format!("{kind:?} twice")).await;
        t.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_engine_resumes_after_each_step_and_finishes() {
    for &kind in PlanKind::ALL {
        let (n, once) = baseline(kind).await;
        // The last step commits with the workflow's end: there is no
        // point after it where a kill leaves the workflow running.
        for after in 0..n {
            let context = format!("{kind:?} killed after {after} of {n} steps");
            let (mut t, a) = fresh(kind).await;
            t.server.app.workflows.inject(Faults {
                halt_after: Some(after),
                ..Faults::default()
            });
            trigger(&mut t, &a, kind).await;
            let row = wait_workflow(&t, kind, "reach the kill point", |r| {
                r.cursor as usize == after
            })
            .await;
            assert_eq!(row.state, WorkflowState::Running, "{context}");
            // A new engine over the same database and hosts, as a
            // restarted server builds.
            let engine = Engine::new(
                t.server.app.db.clone(),
                t.server.app.sessions.clone(),
                t.server.app.placement.clone(),
                t.server.app.storage.clone(),
            );
            // The engine that ran it is gone, as its replica would be.
            let id = row.id.clone();
            t.server
                .app
                .db
                .write(move |c| {
                    diesel::update(workflows::table.find(&id))
                        .set(workflows::owner.eq("a-killed-replica"))
                        .execute(c)?;
                    Ok(())
                })
                .await
                .unwrap();
            assert_eq!(engine.take_over_orphans().await.unwrap(), 1, "{context}");
            let row =
                wait_workflow(&t, kind, "finish", |r| r.state != WorkflowState::Running).await;
            assert_eq!(row.state, WorkflowState::Done, "{context}: {row:?}");
            let out = outcome(&t, &a, kind).await;
            assert_eq!(normalize(out), normalize(once.clone()), "{context}");
            host_matches_database(&t, &context).await;
            t.stop().await;
        }
    }
}

/// Once the subject shows its final state, its workflow has ended: a
/// client that acts on that state is never told the subject is busy.
async fn subject_settles_with_its_workflow(t: &TestServer, a: &Tenant, kind: PlanKind) {
    let started = Instant::now();
    loop {
        // The workflow is read first: it exists from the moment the
        // subject leaves its old state (the same transaction).
        let started_row = workflow(t, kind).await;
        let subject = outcome(t, a, kind).await.subject;
        let state = subject.as_ref().map(|s| s[0].1.clone());
        if started_row.is_some() && state == scenario(kind).done.map(|s| json!(s)) {
            let row = workflow(t, kind).await.expect("the workflow");
            assert_eq!(
                row.state,
                WorkflowState::Done,
                "{kind:?}: the subject is {state:?} while its workflow is still {:?}",
                row.state
            );
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{kind:?}: the subject never settled: {subject:?}"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// Host ids differ between servers; whether there is one does not.
fn normalize(mut o: Outcome) -> Outcome {
    if let Some(fields) = &mut o.subject {
        for (name, value) in fields.iter_mut() {
            if name == "host_id" {
                *value = json!(!value.is_null());
            }
        }
    }
    o
}
