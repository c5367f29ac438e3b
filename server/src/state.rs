//! The running server's shared state: the database, the token cache, the
//! hosts' sessions and the workflow engine. Built once by `Server::start`;
//! handlers get it as axum state.

use std::sync::Arc;
use std::time::Duration;

use overcast_db::Database;

use crate::app::Launched;
use crate::app::auth::TokenCache;
use crate::app::placement::PlacementPolicy;
use crate::hosts::Sessions;
use crate::workflow::Engine;

#[derive(Clone)]
pub struct App {
    pub db: Database,
    pub tokens: Arc<TokenCache>,
    /// Connected hosts.
    pub sessions: Arc<Sessions>,
    pub workflows: Engine,
    pub placement: PlacementPolicy,
}

impl App {
    pub fn new(db: Database, placement: PlacementPolicy) -> Self {
        let sessions = Arc::new(Sessions::default());
        Self {
            workflows: Engine::new(db.clone(), sessions.clone()),
            db,
            tokens: Arc::default(),
            sessions,
            placement,
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
