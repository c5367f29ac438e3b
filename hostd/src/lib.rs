//! Overcast's host daemon, one per virtualization host. [`agent`] enrolls
//! with the server and keeps a gRPC session to it; [`host`] carries out the
//! server's commands and reports capacity and inventory, using the
//! accelerator chosen by a real probe boot ([`accel`]), drive files
//! ([`drives`]), the config drive ([`configdrive`]), drive exports over
//! iSCSI with tgt ([`tgt`]), domain XML with every disk on iSCSI
//! ([`domain`]), libvirt through the `virt` crate ([`libvirt`]) and private
//! libvirtd/tgtd for all-in-one hosts ([`daemons`]).

pub mod accel;
pub mod agent;
pub mod configdrive;
pub mod daemons;
pub mod domain;
pub mod drives;
pub mod host;
pub mod libvirt;
pub mod tgt;
