//! go-plugin's side of the handshake, which Terraform uses to start and
//! talk to providers: the magic cookie, protocol negotiation, the
//! handshake line on stdout, AutoMTLS, the controller's `Shutdown`, and
//! the health service go-plugin pings.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use anyhow::{Context as _, bail};
use base64::Engine as _;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::Notify;
use tonic::transport::server::Connected;

use crate::proto::go_plugin::{Empty, grpc_controller_server};

/// The cookie Terraform sets for its providers; without it this binary was
/// started by hand.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// go-plugin's own protocol version.
pub const CORE_PROTOCOL_VERSION: u32 = 1;
/// Terraform's plugin protocol major version this provider speaks.
pub const PROTOCOL_VERSION: u32 = 6;

/// Why the plugin cannot start as asked.
pub fn check_environment() -> anyhow::Result<()> {
    if std::env::var(MAGIC_COOKIE_KEY).ok().as_deref() != Some(MAGIC_COOKIE_VALUE) {
        bail!(
            "This binary is a plugin: Terraform starts it, it is not run by hand.\n\
             Put it where Terraform finds providers (a filesystem mirror or dev_overrides) \
             and run `terraform init` and `terraform plan`.\n\
             ({MAGIC_COOKIE_KEY} is not set to Terraform's value.)"
        );
    }
    if let Ok(versions) = std::env::var("PLUGIN_PROTOCOL_VERSIONS") {
        let offered: Vec<&str> = versions.split(',').map(str::trim).collect();
        if !offered.contains(&PROTOCOL_VERSION.to_string().as_str()) {
            bail!(
                "Terraform offers plugin protocol versions {versions}; this provider speaks \
                 version {PROTOCOL_VERSION} only (Terraform 1.0 or newer)"
            );
        }
    }
    Ok(())
}

/// A connection, over TLS when Terraform asked for AutoMTLS.
pub enum Conn {
    Plain(UnixStream),
    Tls(Box<tokio_rustls::server::TlsStream<UnixStream>>),
}

impl Connected for Conn {
    type ConnectInfo = ();
    fn connect_info(&self) {}
}

impl AsyncRead for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Conn::Tls(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Conn::Tls(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_flush(cx),
            Conn::Tls(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Tls(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

/// Accepts exactly the client certificate Terraform announced in
/// `PLUGIN_CLIENT_CERT`. go-plugin's certificates are self-signed CA
/// certificates (ECDSA P-521), which WebPKI path validation rejects as
/// end-entity certificates, so the check is by pinning; the handshake
/// signatures are still verified with the certificate's key.
#[derive(Debug)]
struct PinnedClient {
    cert: CertificateDer<'static>,
    algorithms: rustls::crypto::WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for PinnedClient {
    fn root_hint_subjects(&self) -> &[rustls::DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.cert.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "the client certificate is not the one Terraform announced".into(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// A TLS server configuration for AutoMTLS, and our certificate (DER) for
/// the handshake line.
pub fn auto_mtls(client_cert_pem: &str) -> anyhow::Result<(rustls::ServerConfig, Vec<u8>)> {
    let client = CertificateDer::from_pem_slice(client_cert_pem.as_bytes())
        .context("PLUGIN_CLIENT_CERT is not a PEM certificate")?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()])?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "Overcast");
    // As go-plugin makes its own: a self-signed CA valid for localhost,
    // for both ends of a connection.
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyEncipherment,
        rcgen::KeyUsagePurpose::KeyAgreement,
        rcgen::KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let cert = params.self_signed(&key)?;
    let verifier = Arc::new(PinnedClient {
        cert: client.into_owned(),
        algorithms: provider.signature_verification_algorithms,
    });
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![cert.der().clone()],
            PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok((config, cert.der().to_vec()))
}

/// go-plugin's controller: `Shutdown` asks the plugin to exit.
pub struct Controller(pub Arc<Notify>);

#[tonic::async_trait]
impl grpc_controller_server::GrpcController for Controller {
    async fn shutdown(
        &self,
        _: tonic::Request<Empty>,
    ) -> Result<tonic::Response<Empty>, tonic::Status> {
        tracing::debug!("Terraform asked the provider to shut down");
        self.0.notify_one();
        Ok(tonic::Response::new(Empty {}))
    }
}

/// Serve `router` as a Terraform plugin until Terraform shuts it down.
pub async fn serve(
    router: tonic::transport::server::Router,
    shutdown: Arc<Notify>,
) -> anyhow::Result<()> {
    let dir = std::env::var("PLUGIN_UNIX_SOCKET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir());
    let socket = dir.join(format!(
        "overcast-plugin-{}.sock",
        uuid::Uuid::new_v4().simple()
    ));
    let listener =
        UnixListener::bind(&socket).with_context(|| format!("binding {}", socket.display()))?;
    let tls = match std::env::var("PLUGIN_CLIENT_CERT") {
        Ok(pem) if !pem.is_empty() => Some(auto_mtls(&pem)?),
        _ => None,
    };
    let cert = tls
        .as_ref()
        .map(|(_, der)| base64::engine::general_purpose::STANDARD_NO_PAD.encode(der))
        .unwrap_or_default();
    let acceptor = tls.map(|(config, _)| tokio_rustls::TlsAcceptor::from(Arc::new(config)));

    // The handshake line is the only thing ever written to stdout.
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|unix|{}|grpc|{cert}",
            socket.display()
        )?;
        out.flush()?;
    }

    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<Conn>>(16);
    tokio::spawn(async move {
        loop {
            let stream = match listener.accept().await {
                Ok((s, _)) => s,
                Err(e) => {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
            };
            let tx = tx.clone();
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let conn = match acceptor {
                    None => Ok(Conn::Plain(stream)),
                    Some(a) => a.accept(stream).await.map(|s| Conn::Tls(Box::new(s))),
                };
                match conn {
                    Ok(c) => {
                        let _ = tx.send(Ok(c)).await;
                    }
                    Err(e) => tracing::warn!("a connection failed its TLS handshake: {e}"),
                }
            });
        }
    });
    // Ctrl-C reaches the whole process group; Terraform handles it (with
    // StopProvider, then Shutdown), so the plugin must not die of it.
    tokio::spawn(async {
        while tokio::signal::ctrl_c().await.is_ok() {
            tracing::debug!("interrupt ignored: Terraform stops the provider itself");
        }
    });
    let incoming = tokio_stream::wrappers::ReceiverStream::new(rx);
    let result = router
        .serve_with_incoming_shutdown(incoming, async move {
            shutdown.notified().await;
        })
        .await;
    let _ = std::fs::remove_file(&socket);
    result.context("serving the plugin")
}
