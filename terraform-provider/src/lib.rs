//! Overcast's Terraform provider: a tonic gRPC server speaking Terraform's
//! plugin protocol version 6 behind go-plugin's handshake, whose resources
//! are derived from Overcast's OpenAPI document.
//!
//! - `plugin`: the handshake, AutoMTLS and the controller (how Terraform
//!   starts and stops the provider);
//! - `provider`: the `tfplugin6.Provider` service;
//! - `schema`: resources derived from the spec;
//! - `resource`: the lifecycle every resource shares (plan, apply, read,
//!   import, waiting);
//! - `value`: Terraform's values and their msgpack form;
//! - `special`: the hand-written exceptions (an instance's boot drive);
//! - `api`: the HTTP client of the Overcast API;
//! - `diag`: diagnostics;
//! - `docs`: the reference documentation in `docs/`, generated.

pub mod api;
pub mod diag;
pub mod docs;
pub mod plugin;
pub mod provider;
pub mod resource;
pub mod schema;
pub mod special;
pub mod value;

/// The generated protocol code.
pub mod proto {
    pub mod tfplugin6 {
        tonic::include_proto!("tfplugin6");
    }
    pub mod go_plugin {
        tonic::include_proto!("plugin");
    }
    /// The descriptors of both protocols, for the field-number check.
    pub const DESCRIPTORS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/descriptors.bin"));
}

use std::sync::Arc;

/// Run as a Terraform plugin until Terraform shuts it down.
pub async fn run() -> anyhow::Result<()> {
    let shutdown = Arc::new(tokio::sync::Notify::new());
    let (health, health_service) = tonic_health::server::health_reporter();
    // go-plugin pings the service named "plugin".
    health
        .set_service_status("plugin", tonic_health::ServingStatus::Serving)
        .await;
    let provider = provider::OvercastProvider::new(schema::Catalog::builtin());
    let router = tonic::transport::Server::builder()
        .add_service(health_service)
        .add_service(
            proto::go_plugin::grpc_controller_server::GrpcControllerServer::new(
                plugin::Controller(shutdown.clone()),
            ),
        )
        .add_service(
            proto::tfplugin6::provider_server::ProviderServer::new(provider)
                .max_decoding_message_size(256 * 1024 * 1024)
                .max_encoding_message_size(256 * 1024 * 1024),
        );
    plugin::serve(router, shutdown).await
}
