//! The cluster's certificate authority, which secures the internal API.
//! It is created once and kept in the database (every server of the control
//! plane signs with the same CA). It signs the server's TLS certificate (a
//! fresh key at every start) and each host's client certificate, for the
//! public key in the host's signing request: a host's key never leaves it.
//! A host is known by the SHA-256 of its certificate, recorded on its row,
//! so a certificate is bound to one host and rotation retires the old one.
//!
//! rcgen (from the rustls project) builds and signs the certificates.

use std::net::IpAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use diesel::prelude::*;
use overcast_db::models::{ClusterCaRow, HostRow};
use overcast_db::schema::{cluster_ca, hosts};
use overcast_db::{DbConn, now_micros};
use overcast_types::{ApiError, ApiResult};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateSigningRequestParams, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType, SerialNumber,
};
use sha2::{Digest, Sha256};

use super::hosts::HostRefusal;

/// The row name of the internal API's CA.
const CA_NAME: &str = "internal";

/// How long the CA is valid: it is not rotated yet (see ARCHITECTURE.md).
const CA_LIFETIME: Duration = Duration::from_secs(20 * 365 * 24 * 3600);

/// How long the server's own certificate is valid (a new one every start).
const SERVER_LIFETIME: Duration = Duration::from_secs(365 * 24 * 3600);

/// The cluster CA: its certificate and signing key, PEM.
#[derive(Clone)]
pub struct Ca {
    pub cert_pem: String,
    key_pem: String,
}

impl Ca {
    /// The bearer the control plane's replicas present to each other:
    /// derived from the CA's private key, which every server reads from the
    /// database and no host ever sees.
    pub fn replica_secret(&self) -> String {
        super::auth::hash_secret(&format!("overcast-replica-relay\n{}", self.key_pem))
    }
}

/// A certificate issued to a host.
pub struct Issued {
    pub pem: String,
    pub fingerprint: String,
    /// Unix seconds.
    pub expires: i64,
}

/// The SHA-256 of a certificate (DER), hex: how a host is known.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn at(unix: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

fn internal(e: rcgen::Error) -> ApiError {
    ApiError::internal(format!("certificate: {e}"))
}

/// A fresh random serial number: rcgen would derive one from the key.
fn serial() -> SerialNumber {
    let mut bytes: [u8; 16] = rand::random();
    bytes[0] &= 0x7f;
    SerialNumber::from_slice(&bytes)
}

/// Validity from a minute ago (clock skew between hosts) to `lifetime`.
fn validity(params: &mut CertificateParams, lifetime: Duration) -> i64 {
    let now = unix_now();
    let expires = now + lifetime.as_secs() as i64;
    params.not_before = at(now - 60);
    params.not_after = at(expires);
    params.serial_number = Some(serial());
    expires
}

/// The cluster CA, created on first use. Of two servers starting at once
/// on one database, the one whose insert conflicts fails its transaction
/// and reads the other's CA when it tries again (`Server::start`).
pub fn cluster_ca(conn: &mut DbConn) -> ApiResult<Ca> {
    let found: Option<ClusterCaRow> = cluster_ca::table
        .find(CA_NAME)
        .select(ClusterCaRow::as_select())
        .first(conn)
        .optional()?;
    let row = match found {
        Some(row) => row,
        None => {
            let key = KeyPair::generate().map_err(internal)?;
            let mut params = CertificateParams::new(Vec::<String>::new()).map_err(internal)?;
            params
                .distinguished_name
                .push(DnType::CommonName, "Overcast cluster CA");
            params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
            params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
            validity(&mut params, CA_LIFETIME);
            let cert = params.self_signed(&key).map_err(internal)?;
            diesel::insert_into(cluster_ca::table)
                .values(ClusterCaRow {
                    name: CA_NAME.into(),
                    cert_pem: cert.pem(),
                    key_pem: key.serialize_pem(),
                    time_created: now_micros(),
                })
                .execute(conn)?;
            cluster_ca::table
                .find(CA_NAME)
                .select(ClusterCaRow::as_select())
                .first(conn)?
        }
    };
    Ok(Ca {
        cert_pem: row.cert_pem,
        key_pem: row.key_pem,
    })
}

impl Ca {
    fn issuer(&self) -> ApiResult<Issuer<'static, KeyPair>> {
        let key = KeyPair::from_pem(&self.key_pem).map_err(internal)?;
        Issuer::from_ca_cert_pem(&self.cert_pem, key).map_err(internal)
    }

    /// The server's certificate and key (PEM) for the internal API: for
    /// [`SERVER_NAME`](overcast_internal_api::tls::SERVER_NAME) and the
    /// address it listens on.
    pub fn server_identity(&self, address: IpAddr) -> ApiResult<(String, String)> {
        let key = KeyPair::generate().map_err(internal)?;
        let mut params =
            CertificateParams::new(vec![overcast_internal_api::tls::SERVER_NAME.to_string()])
                .map_err(internal)?;
        if !address.is_unspecified() {
            params.subject_alt_names.push(SanType::IpAddress(address));
        }
        params
            .distinguished_name
            .push(DnType::CommonName, overcast_internal_api::tls::SERVER_NAME);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        validity(&mut params, SERVER_LIFETIME);
        let cert = params.signed_by(&key, &self.issuer()?).map_err(internal)?;
        Ok((cert.pem(), key.serialize_pem()))
    }

    /// A client certificate for `host`, for the key in `csr_pem`. What the
    /// request asks for beyond its key is ignored: the certificate names
    /// the host by its id.
    pub fn issue_host(
        &self,
        host: &HostRow,
        csr_pem: &str,
        lifetime: Duration,
    ) -> Result<Issued, HostRefusal> {
        let csr = CertificateSigningRequestParams::from_pem(csr_pem).map_err(|e| {
            HostRefusal::Invalid(format!("csr_pem is not a valid signing request: {e}"))
        })?;
        let mut params = CertificateParams::new(Vec::<String>::new())
            .map_err(|e| HostRefusal::Internal(e.to_string()))?;
        params
            .distinguished_name
            .push(DnType::CommonName, host.id.as_str());
        params
            .distinguished_name
            .push(DnType::OrganizationalUnitName, "overcast hosts");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let expires = validity(&mut params, lifetime);
        let issuer = self
            .issuer()
            .map_err(|e| HostRefusal::Internal(e.message))?;
        let cert = params
            .signed_by(&csr.public_key, &issuer)
            .map_err(|e| HostRefusal::Internal(e.to_string()))?;
        Ok(Issued {
            pem: cert.pem(),
            fingerprint: fingerprint(cert.der()),
            expires,
        })
    }
}

/// The host that both a client certificate (SHA-256) and a credential
/// belong to. A certificate issued by a rotation becomes the current one
/// when first used so; from then on the one before it is refused.
pub fn authenticate(
    conn: &mut DbConn,
    fingerprint: &str,
    secret: &str,
) -> Result<HostRow, HostRefusal> {
    let row: Option<HostRow> = hosts::table
        .filter(
            hosts::cert_fingerprint
                .eq(fingerprint)
                .or(hosts::next_cert_fingerprint.eq(fingerprint)),
        )
        .select(HostRow::as_select())
        .first(conn)
        .optional()?;
    let Some(mut row) = row else {
        return Err(HostRefusal::Unknown(
            "this client certificate is not any host's current certificate".into(),
        ));
    };
    let by_secret = super::hosts::authenticate_host(conn, secret)?;
    if by_secret.id != row.id {
        return Err(HostRefusal::Denied(
            "the host credential and the client certificate name different hosts".into(),
        ));
    }
    if row.next_cert_fingerprint.as_deref() == Some(fingerprint) {
        diesel::update(hosts::table.find(&row.id))
            .set((
                hosts::cert_fingerprint.eq(fingerprint),
                hosts::next_cert_fingerprint.eq(None::<String>),
            ))
            .execute(conn)?;
        row.cert_fingerprint = Some(fingerprint.to_string());
        row.next_cert_fingerprint = None;
    }
    Ok(row)
}

/// Issue `host` a new certificate for the key in `csr_pem`; it replaces
/// the current one when first used.
pub fn renew(
    conn: &mut DbConn,
    ca: &Ca,
    host: &HostRow,
    csr_pem: &str,
    lifetime: Duration,
) -> Result<Issued, HostRefusal> {
    let issued = ca.issue_host(host, csr_pem, lifetime)?;
    diesel::update(hosts::table.find(&host.id))
        .set(hosts::next_cert_fingerprint.eq(&issued.fingerprint))
        .execute(conn)?;
    Ok(issued)
}
