//! Overcast's host daemon, one per virtualization host. It is being built:
//! this crate holds, so far, the config drive every instance boots with
//! ([`configdrive`]). Running instances through libvirt, exporting drives
//! with tgt, and the gRPC link to the server are the next steps (issue 3).

pub mod configdrive;
