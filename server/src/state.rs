//! The running server's shared state: the database, the token cache, the
//! hosts' sessions, the Ceph cluster and the workflow engine. Built once by `Server::start`;
//! handlers get it as axum state.

use std::sync::Arc;
use std::time::Duration;

use overcast_db::Database;

use crate::app::Launched;
use crate::app::auth::TokenCache;
use crate::app::placement::PlacementPolicy;
use crate::hosts::Sessions;
use crate::storage::Ceph;
use crate::workflow::Engine;

/// How often blocklist entries are renewed (they last
/// `storage::BLOCKLIST_SECONDS`).
const FENCE_RENEWAL: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub struct App {
    pub db: Database,
    pub tokens: Arc<TokenCache>,
    /// Connected hosts.
    pub sessions: Arc<Sessions>,
    pub workflows: Engine,
    pub placement: PlacementPolicy,
    /// The Ceph cluster replicated drives live on, if the server has one.
    pub storage: Option<Arc<Ceph>>,
}

impl App {
    pub fn new(db: Database, placement: PlacementPolicy, storage: Option<Arc<Ceph>>) -> Self {
        let sessions = Arc::new(Sessions::new(storage.clone()));
        Self {
            workflows: Engine::new(db.clone(), sessions.clone(), placement, storage.clone()),
            db,
            tokens: Arc::default(),
            sessions,
            placement,
            storage,
        }
    }

    /// Watch the hosts' heartbeats four times a second: silent hosts become
    /// `suspect`, then `down` after `detection`, and the failovers that
    /// starts are launched.
    pub async fn watch_hosts(self, detection: Duration) {
        let since = overcast_db::now_micros();
        let detection = detection.as_micros() as i64;
        let mut renewed = tokio::time::Instant::now();
        loop {
            tokio::time::sleep(Duration::from_millis(250)).await;
            if renewed.elapsed() >= FENCE_RENEWAL {
                renewed = tokio::time::Instant::now();
                tokio::spawn(self.clone().renew_storage_fences());
            }
            match self
                .db
                .write(move |c| crate::app::failover::detect(c, detection, since))
                .await
            {
                Ok(started) => {
                    for id in started {
                        tracing::warn!(workflow = %id, "host down: failing an instance over");
                        self.workflows.launch(id);
                    }
                }
                Err(e) => tracing::warn!(error = %e.message, "cannot check heartbeats"),
            }
        }
    }

    /// Renew the blocklist entry of every host fenced from the replicated
    /// storage, so it does not expire while the host is away.
    async fn renew_storage_fences(self) {
        let Some(ceph) = &self.storage else {
            return;
        };
        let fenced = self.db.read(crate::app::failover::storage_fenced).await;
        for address in fenced.unwrap_or_default() {
            if let Err(e) = ceph.blocklist(&address).await {
                tracing::warn!(%address, error = %e, "cannot renew a Ceph blocklist entry");
            }
        }
    }

    /// Start the operation's workflow, if it recorded one, in the background.
    pub fn launch<T>(&self, launched: Launched<T>) -> T {
        if let Some(id) = launched.workflow {
            self.workflows.launch(id);
        }
        launched.value
    }

    /// Start the workflow and give it up to `timeout` to end, so quick
    /// operations answer with their final state.
    pub async fn launch_and_wait<T>(&self, launched: Launched<T>, timeout: Duration) -> T {
        if let Some(id) = &launched.workflow {
            self.workflows.launch(id.clone());
            self.workflows.wait(id, timeout).await;
        }
        launched.value
    }
}
