//! Overcast's host daemon, one per virtualization host. It is being built:
//! so far it has the pieces a host needs to run an instance: the choice of
//! accelerator by a real probe boot ([`accel`]), drive files ([`drives`]), the config
//! drive ([`configdrive`]), drive exports over iSCSI with tgt ([`tgt`]),
//! domain XML with every disk on iSCSI ([`domain`]), libvirt through the
//! `virt` crate ([`libvirt`]) and private libvirtd/tgtd for all-in-one
//! hosts ([`daemons`]). The gRPC link to the server comes next (issue 3).

pub mod accel;
pub mod configdrive;
pub mod daemons;
pub mod domain;
pub mod drives;
pub mod libvirt;
pub mod tgt;
