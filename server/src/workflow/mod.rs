//! The workflow engine. Every operation that reaches a host (provision,
//! start, stop, reboot, resize, delete of instances; create, grow and
//! delete of drives) is a row in `workflows`: a plan (`app::plans`) and a
//! cursor. The row is written in the same transaction as the API's state
//! change, and the cursor moves after each step, so a server killed at any
//! step resumes on restart: it re-runs the step at the cursor (steps are
//! idempotent), or, when a step fails for good, unwinds by running the
//! undos of the steps done, newest first.
//!
//! With several replicas of the server, a workflow is run by one replica
//! at a time: the one that claimed it (`workflows.owner`). Each claim raises
//! the row's fencing generation, and every write of progress requires the
//! generation its writer claimed, so a replica that lost its claim (its
//! lease ran out and another replica took the workflow over) has its
//! writes refused and stops. Workflows whose owner's lease ran out are
//! taken over by the next replica to look (`take_over_orphans`).
//!
//! Why not steno (Oxide's saga engine): our workflows are short, linear
//! lists; steno's DAG builder, action registry and saga log store would be
//! more code to wire up than this engine.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use overcast_db::models::WorkflowRow;
use overcast_db::schema::workflows;
use overcast_db::{Database, now_micros};
use overcast_types::ApiError;
use overcast_types::ids::WorkflowId;
use overcast_types::states::{WorkflowDirection, WorkflowState};

use crate::app::commands::{self, Command};
use crate::app::placement::PlacementPolicy;
use crate::app::plans::{self, Plan, Step};
use crate::app::replicas;
use crate::hosts::{CallError, Sessions};
use crate::storage::{Storage, StorageError};

/// Transient failures (host unreachable) are retried this long before the
/// workflow unwinds.
pub const RETRY_FOR: Duration = Duration::from_secs(60);

/// Faults the generic workflow tests inject (omicron's saga test helpers
/// do the same): nothing is injected unless a test asks.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Report step `n` (0-based) of workflows of this kind as failed for
    /// good, after running it: a step that half-happened.
    pub fail_step: Option<(String, usize)>,
    /// Run every step and every undo twice in a row.
    pub repeat_steps: bool,
    /// Stop running workflows once this many forward steps of one have
    /// been recorded, as a killed server would: the rows stay `running`.
    pub halt_after: Option<usize>,
}

/// Runs workflows in the background. Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    db: Database,
    sessions: Arc<Sessions>,
    /// The Ceph cluster replicated drives live on, if any.
    storage: Option<Arc<dyn Storage>>,
    /// How `PlaceInstance` steps place.
    policy: PlacementPolicy,
    ends: Arc<tokio::sync::watch::Sender<u64>>,
    faults: Arc<Mutex<Faults>>,
    /// Workflows this engine stopped running on an injected halt.
    halted: Arc<Mutex<std::collections::HashSet<WorkflowId>>>,
    /// This replica's id, which its claims carry.
    replica: String,
    /// Workflows this engine is running now.
    active: Arc<Mutex<std::collections::HashSet<WorkflowId>>>,
    /// Until when this replica's lease is surely its own (renewed by the
    /// replica loop); no step starts past it, since other replicas may
    /// take its workflows over then. `None`: not under a lease (an engine
    /// on its own, as the tests build).
    lease_until: Arc<Mutex<Option<tokio::time::Instant>>>,
    /// Set when the server stops: workflows end here at their next turn,
    /// left running for another replica (or the next start) to take over.
    stopping: Arc<std::sync::atomic::AtomicBool>,
}

enum Failure {
    Transient(String),
    Permanent(String),
}

impl From<CallError> for Failure {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Unreachable(m) => Failure::Transient(m),
            e @ CallError::Refused { .. } => Failure::Permanent(e.to_string()),
            CallError::Storage(m) => Failure::Transient(m),
        }
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure::Transient(format!("database: {}", e.message))
    }
}

/// What one turn of the loop decided.
enum Turn {
    Continue,
    Ended,
    Halted,
}

/// How long a new workflow may stay unclaimed before another replica takes
/// it (its launcher died between recording and claiming it).
const UNCLAIMED_GRACE: Duration = Duration::from_secs(10);

impl Engine {
    pub fn new(
        db: Database,
        sessions: Arc<Sessions>,
        policy: PlacementPolicy,
        storage: Option<Arc<dyn Storage>>,
    ) -> Self {
        Self {
            replica: sessions.replica().to_string(),
            db,
            sessions,
            storage,
            policy,
            ends: Arc::new(tokio::sync::watch::channel(0).0),
            faults: Arc::default(),
            halted: Arc::default(),
            active: Arc::default(),
            lease_until: Arc::default(),
            stopping: Arc::default(),
        }
    }

    /// Inject faults into the workflows this engine runs from now on.
    pub fn inject(&self, faults: Faults) {
        *self.faults.lock().expect("faults") = faults;
    }

    fn faults(&self) -> Faults {
        self.faults.lock().expect("faults").clone()
    }

    /// Run a recorded workflow in the background, if this replica can
    /// claim it and is not running it already.
    pub fn launch(&self, id: WorkflowId) {
        if !self.active.lock().expect("active").insert(id.clone()) {
            return;
        }
        tokio::spawn(self.clone().run(id));
    }

    /// This replica's lease was renewed: steps may start until `until`.
    pub fn renewed(&self, until: tokio::time::Instant) {
        *self.lease_until.lock().expect("lease") = Some(until);
    }

    /// Stop running workflows here (the server is stopping): each ends at
    /// its next turn, a step under way finishing first; wait up to `max`
    /// for them.
    pub async fn drain(&self, max: Duration) {
        self.stopping
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let deadline = tokio::time::Instant::now() + max;
        while !self.active.lock().expect("active").is_empty()
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Take over every running workflow no live replica runs: at start
    /// (what this server was running when it stopped) and every few
    /// seconds after (what a dead replica was running).
    pub async fn take_over_orphans(&self) -> Result<usize, ApiError> {
        let grace = UNCLAIMED_GRACE.as_micros() as i64;
        let ids = self
            .db
            .read(move |c| replicas::orphaned_workflows(c, grace))
            .await?;
        let mut launched = 0;
        for id in ids {
            if self.active.lock().expect("active").contains(&id) {
                continue;
            }
            tracing::info!(workflow = %id, "taking over a workflow");
            self.launch(id);
            launched += 1;
        }
        Ok(launched)
    }

    /// Wait until the workflow ends or `timeout` passes; true if it ended.
    /// A workflow this engine halted (an injected fault) does not end here.
    pub async fn wait(&self, id: &WorkflowId, timeout: Duration) -> bool {
        let mut changes = self.ends.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if self.halted.lock().expect("halted").contains(id) {
                return false;
            }
            let id2 = id.clone();
            let state = self
                .db
                .read(move |c| {
                    Ok(workflows::table
                        .find(&id2)
                        .select(workflows::state)
                        .first::<WorkflowState>(c)
                        .optional()?)
                })
                .await;
            if !matches!(state, Ok(Some(WorkflowState::Running))) {
                return true;
            }
            if tokio::time::timeout_at(deadline, changes.changed())
                .await
                .is_err()
            {
                return false;
            }
        }
    }

    async fn run(self, id: WorkflowId) {
        let (id2, me) = (id.clone(), self.replica.clone());
        let claimed = loop {
            let (id2, me) = (id2.clone(), me.clone());
            match self.db.write(move |c| replicas::claim(c, &id2, &me)).await {
                Ok(claimed) => break claimed,
                Err(e) => {
                    tracing::warn!(workflow = %id, error = %e.message, "cannot claim workflow");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        };
        if let Some(claim) = claimed {
            let mut backoff = Duration::from_millis(50);
            let mut failing_since: Option<Instant> = None;
            loop {
                match self
                    .turn(&id, claim.generation, &mut backoff, &mut failing_since)
                    .await
                {
                    Turn::Continue => {}
                    Turn::Ended => break,
                    Turn::Halted => {
                        self.halted.lock().expect("halted").insert(id.clone());
                        break;
                    }
                }
            }
        }
        self.active.lock().expect("active").remove(&id);
        self.ends.send_modify(|n| *n += 1);
    }

    async fn turn(
        &self,
        id: &WorkflowId,
        generation: i64,
        backoff: &mut Duration,
        failing_since: &mut Option<Instant>,
    ) -> Turn {
        let id2 = id.clone();
        let row = match self
            .db
            .read(move |c| {
                Ok(workflows::table
                    .find(&id2)
                    .select(WorkflowRow::as_select())
                    .first(c)?)
            })
            .await
        {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(workflow = %id, error = %e.message, "cannot load workflow");
                tokio::time::sleep(Duration::from_secs(1)).await;
                return Turn::Continue;
            }
        };
        if row.state != WorkflowState::Running {
            return Turn::Ended;
        }
        if row.generation != generation {
            tracing::warn!(workflow = %id, owner = ?row.owner, "workflow taken over by another replica; stopping here");
            return Turn::Ended;
        }
        if self.stopping.load(std::sync::atomic::Ordering::SeqCst) {
            return Turn::Ended;
        }
        let lease_until = *self.lease_until.lock().expect("lease");
        if lease_until.is_some_and(|until| tokio::time::Instant::now() >= until) {
            // This replica's lease is in doubt: start nothing until it is
            // renewed (or the workflow is taken over elsewhere).
            tokio::time::sleep(Duration::from_millis(100)).await;
            return Turn::Continue;
        }
        let plan: Plan = match serde_json::from_str(&row.steps) {
            Ok(p) => p,
            Err(e) => {
                self.record(&row, |r| {
                    r.state = WorkflowState::Failed;
                    r.error = Some(format!("unreadable plan: {e}"));
                })
                .await;
                return Turn::Ended;
            }
        };
        let faults = self.faults();
        let cursor = row.cursor as usize;
        if row.direction == WorkflowDirection::Forward {
            if faults.halt_after.is_some_and(|n| cursor >= n) {
                tracing::info!(workflow = %id, cursor, "halting (injected)");
                return Turn::Halted;
            }
            let Some(entry) = plan.steps.get(cursor) else {
                self.record(&row, |r| r.state = WorkflowState::Done).await;
                return Turn::Ended;
            };
            let last = cursor + 1 == plan.steps.len();
            let advance = move |r: &mut WorkflowRow| {
                r.cursor += 1;
                if last {
                    r.state = WorkflowState::Done;
                }
            };
            let injected = faults.fail_step == Some((row.kind.clone(), cursor));
            let outcome = if injected {
                self.execute(&entry.step, faults.repeat_steps)
                    .await
                    .and(Err(Failure::Permanent("injected failure".into())))
            } else if entry.step.reaches_host() {
                self.execute(&entry.step, faults.repeat_steps).await
            } else {
                // A database effect commits with the progress past it: no
                // one sees the subject in its final state while the
                // workflow still holds it.
                self.apply_and_advance(&row, &entry.step, faults.repeat_steps, advance)
                    .await
            };
            match outcome {
                Ok(()) => {
                    *failing_since = None;
                    *backoff = Duration::from_millis(50);
                    if entry.step.reaches_host() {
                        self.record(&row, advance).await;
                    }
                }
                Err(Failure::Transient(m))
                    if failing_since.get_or_insert_with(Instant::now).elapsed() < RETRY_FOR =>
                {
                    tracing::info!(workflow = %id, step = ?entry.step, error = %m, "step failed; retrying");
                    tokio::time::sleep(*backoff).await;
                    *backoff = (*backoff * 2).min(Duration::from_secs(2));
                }
                Err(Failure::Transient(m) | Failure::Permanent(m)) => {
                    tracing::warn!(workflow = %id, step = ?entry.step, error = %m, "step failed; unwinding");
                    *failing_since = None;
                    // The failed step may have half-happened: undo it too.
                    self.record(&row, |r| {
                        r.cursor += 1;
                        r.direction = WorkflowDirection::Undo;
                        r.error = Some(m);
                    })
                    .await;
                }
            }
            return Turn::Continue;
        }
        if cursor == 0 {
            if let Some(step) = &plan.on_unwind
                && let Err(Failure::Transient(m) | Failure::Permanent(m)) =
                    self.execute(step, faults.repeat_steps).await
            {
                tracing::warn!(workflow = %id, error = %m, "marking the unwound subject failed");
            }
            // Not recorded: the next turn runs the (idempotent) end again.
            return if self.unwound(&row).await {
                Turn::Ended
            } else {
                Turn::Continue
            };
        }
        let entry = &plan.steps[cursor - 1];
        let Some(undo) = &entry.undo else {
            self.record(&row, |r| r.cursor -= 1).await;
            return Turn::Continue;
        };
        match self.execute(undo, faults.repeat_steps).await {
            Ok(()) => self.record(&row, |r| r.cursor -= 1).await,
            Err(Failure::Permanent(m)) => {
                tracing::warn!(workflow = %id, step = ?undo, error = %m, "undo failed; going on");
                self.record(&row, |r| r.cursor -= 1).await;
            }
            Err(Failure::Transient(m)) => {
                tracing::info!(workflow = %id, step = ?undo, error = %m, "undo failed; retrying");
                tokio::time::sleep(*backoff).await;
                *backoff = (*backoff * 2).min(Duration::from_secs(2));
            }
        }
        Turn::Continue
    }

    /// Save a change to the workflow's row (progress, direction, end state).
    async fn record(&self, row: &WorkflowRow, change: impl FnOnce(&mut WorkflowRow)) {
        let mut row = row.clone();
        change(&mut row);
        row.time_modified = now_micros();
        let result = self.db.write(move |c| save(c, &row)).await;
        if let Err(e) = result {
            tracing::warn!(error = %e.message, "cannot record workflow progress");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Apply a database effect and record `advance` in one transaction.
    async fn apply_and_advance(
        &self,
        row: &WorkflowRow,
        step: &Step,
        twice: bool,
        advance: impl FnOnce(&mut WorkflowRow) + Send + 'static,
    ) -> Result<(), Failure> {
        let (mut row, step, policy) = (row.clone(), step.clone(), self.policy.clone());
        advance(&mut row);
        row.time_modified = now_micros();
        self.db
            .write(move |c| {
                commands::apply_effect(c, &step, &policy)?;
                if twice {
                    commands::apply_effect(c, &step, &policy)?;
                }
                save(c, &row)
            })
            .await?;
        Ok(())
    }

    /// End an unwound workflow and record its failure as an event, in one
    /// transaction.
    async fn unwound(&self, row: &WorkflowRow) -> bool {
        let mut row = row.clone();
        row.state = WorkflowState::Unwound;
        row.time_modified = now_micros();
        let result = self
            .db
            .write(move |c| {
                save(c, &row)?;
                plans::record_failure(c, &row)
            })
            .await;
        if let Err(e) = &result {
            tracing::warn!(error = %e.message, "cannot record the end of an unwound workflow");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        result.is_ok()
    }

    async fn execute(&self, step: &Step, twice: bool) -> Result<(), Failure> {
        self.execute_once(step).await?;
        if twice {
            self.execute_once(step).await?;
        }
        Ok(())
    }

    /// Host and storage steps read the command the database describes and
    /// carry it out; the others are database effects.
    async fn execute_once(&self, step: &Step) -> Result<(), Failure> {
        let step = step.clone();
        if step.reaches_host() {
            let command = self.db.read(move |c| commands::command(c, &step)).await?;
            if let Some(Command::Storage(op)) = &command {
                let ceph = self.storage.as_ref().ok_or_else(|| {
                    Failure::Permanent("this server has no Ceph cluster (--ceph-conf)".into())
                })?;
                return ceph.apply(op).await.map_err(|e| match e {
                    StorageError::Transient(m) => Failure::Transient(m),
                    StorageError::Permanent(m) => Failure::Permanent(m),
                });
            }
            if let Some(Command::Host(host, command)) = command {
                let subject = commands::subject_of(&command);
                match self.sessions.call(&host, *command).await {
                    Ok(_) => {}
                    // A host found down will not answer in time: the step
                    // fails for good, saying why (a fence it cannot confirm).
                    Err(CallError::Unreachable(m)) => {
                        let down = self
                            .db
                            .read(move |c| commands::down_host(c, &host, subject.clone()))
                            .await?;
                        return Err(match down {
                            Some(why) => Failure::Permanent(format!("{why} ({m})")),
                            None => Failure::Transient(m),
                        });
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        } else {
            let policy = self.policy.clone();
            self.db
                .write(move |c| commands::apply_effect(c, &step, &policy))
                .await?;
        }
        Ok(())
    }
}

/// Save a workflow's row, if its generation is still the one this replica
/// claimed; if another replica has claimed it since, nothing of the
/// transaction is kept.
fn save(c: &mut overcast_db::DbConn, row: &WorkflowRow) -> Result<(), ApiError> {
    let saved = diesel::update(
        workflows::table
            .find(&row.id)
            .filter(workflows::generation.eq(row.generation)),
    )
    .set(row)
    .execute(c)?;
    if saved == 0 {
        return Err(ApiError::conflict(
            "workflow_taken_over",
            "another replica has claimed this workflow",
        ));
    }
    Ok(())
}
