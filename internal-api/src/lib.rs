//! The internal gRPC API between the Overcast server and hostd: the
//! `.proto` in `proto/` compiled by tonic-prost-build. The server serves
//! `HostAgent`; every hostd dials it.

pub mod v1 {
    tonic::include_proto!("overcast.host.v1");
}

/// The metadata header that carries a host's credential on `Session`.
pub const AUTHORIZATION: &str = "authorization";
