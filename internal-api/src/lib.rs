//! The internal gRPC API between the Overcast server and hostd: the
//! `.proto` in `proto/` compiled by tonic-prost-build, and the TLS both
//! ends speak. The server serves `HostAgent`; every hostd dials it.

pub mod v1 {
    tonic::include_proto!("overcast.host.v1");

    impl Disk {
        /// The drive this disk is, whatever its source.
        pub fn drive_id(&self) -> &str {
            match &self.source {
                Some(disk::Source::Iscsi(d)) => &d.drive_id,
                Some(disk::Source::Rbd(d)) => &d.drive_id,
                None => "",
            }
        }
    }
}

/// The metadata header that carries a host's credential on `Session`.
pub const AUTHORIZATION: &str = "authorization";

/// The internal API is TLS only. The server presents a certificate from the
/// cluster CA for [`tls::SERVER_NAME`]; a host presents the client
/// certificate the server issued it at enrollment (its key never leaves
/// the host: the host sends a certificate signing request).
pub mod tls {
    use tonic::transport::{Certificate, ClientTlsConfig, Identity};

    /// The name the server's certificate is issued for, whatever address
    /// hosts dial it at.
    pub const SERVER_NAME: &str = "overcast-server";

    /// A new host key and a signing request for it, both PEM.
    pub struct HostKey {
        pub key_pem: String,
        pub csr_pem: String,
    }

    /// Make a key pair and a certificate signing request for the host
    /// `name`. The server decides what the certificate says; the request
    /// only carries the public key, signed by its private key.
    pub fn host_key(name: &str) -> Result<HostKey, rcgen::Error> {
        let key = rcgen::KeyPair::generate()?;
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new())?;
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        let csr = params.serialize_request(&key)?;
        Ok(HostKey {
            key_pem: key.serialize_pem(),
            csr_pem: csr.pem()?,
        })
    }

    /// Make aws-lc-rs the process's TLS crypto provider (once; a provider
    /// already chosen stays). tonic asks rustls for the process default,
    /// which rustls cannot pick by itself in a binary where another crate
    /// also enabled ring.
    pub fn use_aws_lc() {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    }

    /// How a host dials the server: trusting only the cluster CA, and
    /// presenting `identity` (certificate and key, PEM) once it has one.
    pub fn client_config(ca_pem: &str, identity: Option<(&str, &str)>) -> ClientTlsConfig {
        use_aws_lc();
        let config = ClientTlsConfig::new()
            .ca_certificate(Certificate::from_pem(ca_pem))
            .domain_name(SERVER_NAME);
        match identity {
            Some((cert, key)) => config.identity(Identity::from_pem(cert, key)),
            None => config,
        }
    }
}
