//! Monitor and manager commands to a Ceph cluster over one long-lived
//! librados session: what the `ceph` CLI does, without its cost.
//!
//! The `ceph` CLI is a Python program: each call costs about 0.3 s of CPU
//! and a new monitor session. Overcast's server read storage health with
//! three such calls every few seconds, a fifth of a two-core host's CPU
//! (measured with `perf` while the storage benchmark ran), and its
//! failover path called it twice before restarting anything. The same
//! commands (the JSON the CLI itself sends) cost microseconds over a
//! session kept open.
//!
//! There is no maintained librados crate (`ceph` 3.2.5 dates from 2021, on
//! nix 0.18 and nom 5), so this binds the eight C functions it needs. It
//! loads `librados.so.2` when the first command runs, so a program with no
//! Ceph configured neither links nor needs it. Calls block; async callers
//! run them on a blocking thread.

use std::ffi::{CString, c_char, c_int, c_void};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

/// A command that failed: Ceph's status line and the error number.
#[derive(Debug, Clone)]
pub struct RadosError {
    pub errno: i32,
    pub message: String,
}

impl RadosError {
    fn new(errno: c_int, what: &str) -> Self {
        Self {
            errno,
            message: format!("{what} ({})", std::io::Error::from_raw_os_error(errno)),
        }
    }

    /// Worth trying again: no answer, no connection, busy.
    pub fn is_transient(&self) -> bool {
        lost_session(self.errno) || [libc::EAGAIN, libc::EINTR, libc::EBUSY].contains(&self.errno)
    }

    pub fn is_not_found(&self) -> bool {
        self.errno == libc::ENOENT
    }
}

impl std::fmt::Display for RadosError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RadosError {}

type Handle = *mut c_void;
type CommandFn = unsafe extern "C" fn(
    Handle,
    *const *const c_char,
    usize,
    *const c_char,
    usize,
    *mut *mut c_char,
    *mut usize,
    *mut *mut c_char,
    *mut usize,
) -> c_int;

/// The C functions, resolved once from the loaded library.
struct Api {
    create: unsafe extern "C" fn(*mut Handle, *const c_char) -> c_int,
    conf_read_file: unsafe extern "C" fn(Handle, *const c_char) -> c_int,
    conf_set: unsafe extern "C" fn(Handle, *const c_char, *const c_char) -> c_int,
    connect: unsafe extern "C" fn(Handle) -> c_int,
    mon_command: CommandFn,
    mgr_command: CommandFn,
    buffer_free: unsafe extern "C" fn(*mut c_char),
    shutdown: unsafe extern "C" fn(Handle),
    /// Kept loaded while any function above may be called.
    _library: libloading::Library,
}

impl Api {
    fn load() -> Result<Self, RadosError> {
        let missing = |e: libloading::Error| {
            RadosError::new(
                libc::ENOENT,
                &format!("cannot load librados (Debian package librados2): {e}"),
            )
        };
        // SAFETY: librados's initialisers have no preconditions, and each
        // symbol is read with the signature of librados.h.
        unsafe {
            let library = libloading::Library::new("librados.so.2").map_err(missing)?;
            Ok(Self {
                create: *library.get(b"rados_create\0").map_err(missing)?,
                conf_read_file: *library.get(b"rados_conf_read_file\0").map_err(missing)?,
                conf_set: *library.get(b"rados_conf_set\0").map_err(missing)?,
                connect: *library.get(b"rados_connect\0").map_err(missing)?,
                mon_command: *library.get(b"rados_mon_command\0").map_err(missing)?,
                mgr_command: *library.get(b"rados_mgr_command\0").map_err(missing)?,
                buffer_free: *library.get(b"rados_buffer_free\0").map_err(missing)?,
                shutdown: *library.get(b"rados_shutdown\0").map_err(missing)?,
                _library: library,
            })
        }
    }
}

/// One connected cluster handle.
struct Session {
    api: Arc<Api>,
    handle: Handle,
}

// SAFETY: a librados cluster handle may be used from any thread at once
// (librados.h: "the cluster handle is thread-safe").
unsafe impl Send for Session {}
// SAFETY: as for Send.
unsafe impl Sync for Session {}

impl Drop for Session {
    fn drop(&mut self) {
        // SAFETY: the handle came from rados_create and is shut down once.
        unsafe { (self.api.shutdown)(self.handle) }
    }
}

/// Which daemon a command is for: most go to the monitors; placement
/// group listings are the manager's.
#[derive(Debug, Clone, Copy)]
pub enum Daemon {
    Mon,
    Mgr,
}

/// How long a command waits for an answer before it fails (librados's
/// `rados_mon_op_timeout`, which covers manager commands too).
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// A session to the Ceph cluster, opened on first use and
/// opened again after a call fails for want of a connection.
pub struct Rados {
    conf: PathBuf,
    user: String,
    keyring: Option<PathBuf>,
    api: Mutex<Option<Arc<Api>>>,
    session: Mutex<Option<Arc<Session>>>,
    connecting: std::sync::atomic::AtomicBool,
}

impl Rados {
    pub fn new(conf: PathBuf, user: String, keyring: Option<PathBuf>) -> Self {
        Self {
            conf,
            user,
            keyring,
            api: Mutex::default(),
            session: Mutex::default(),
            connecting: Default::default(),
        }
    }

    /// Send `command` (the JSON the `ceph` CLI sends, `prefix` first) to
    /// the monitors or the manager; its output and status line. Blocks
    /// for at most [`COMMAND_TIMEOUT`] once connected.
    pub fn command(
        &self,
        daemon: Daemon,
        command: &Value,
    ) -> Result<(Vec<u8>, String), RadosError> {
        let prefix = command["prefix"].as_str().unwrap_or_default().to_string();
        let result = self.command_once(daemon, command, &prefix);
        if let Err(e) = &result
            && lost_session(e.errno)
        {
            // Open a new session next time: this one may be the trouble.
            *self.session.lock().expect("rados session lock") = None;
        }
        result
    }

    fn command_once(
        &self,
        daemon: Daemon,
        command: &Value,
        prefix: &str,
    ) -> Result<(Vec<u8>, String), RadosError> {
        let session = self.session()?;
        let api = &session.api;
        let text = CString::new(command.to_string())
            .map_err(|e| RadosError::new(libc::EINVAL, &format!("ceph {prefix}: {e}")))?;
        let commands = [text.as_ptr()];
        let call = match daemon {
            Daemon::Mon => api.mon_command,
            Daemon::Mgr => api.mgr_command,
        };
        let (mut out, mut out_len) = (std::ptr::null_mut::<c_char>(), 0usize);
        let (mut status, mut status_len) = (std::ptr::null_mut::<c_char>(), 0usize);
        // SAFETY: every pointer is valid for the call; librados allocates
        // the two output buffers, freed below with rados_buffer_free.
        let rc = unsafe {
            call(
                session.handle,
                commands.as_ptr(),
                1,
                std::ptr::null(),
                0,
                &mut out,
                &mut out_len,
                &mut status,
                &mut status_len,
            )
        };
        let take = |buffer: *mut c_char, len: usize| -> Vec<u8> {
            if buffer.is_null() {
                return Vec::new();
            }
            // SAFETY: librados wrote `len` bytes at `buffer`.
            let bytes = unsafe { std::slice::from_raw_parts(buffer as *const u8, len) }.to_vec();
            // SAFETY: the buffer is librados's, freed once.
            unsafe { (api.buffer_free)(buffer) };
            bytes
        };
        let out = take(out, out_len);
        let status = String::from_utf8_lossy(&take(status, status_len))
            .trim()
            .to_string();
        if rc >= 0 {
            return Ok((out, status));
        }
        Err(RadosError::new(-rc, &format!("ceph {prefix}: {status}")))
    }

    /// The open session, or a new one. One thread connects at a time,
    /// outside the lock; the others fail at once rather than queue behind a
    /// connection that may take `client_mount_timeout`.
    fn session(&self) -> Result<Arc<Session>, RadosError> {
        use std::sync::atomic::Ordering;
        if let Some(session) = &*self.session.lock().expect("rados session lock") {
            return Ok(session.clone());
        }
        if self.connecting.swap(true, Ordering::SeqCst) {
            return Err(RadosError::new(
                libc::EAGAIN,
                "ceph: still connecting to the monitors",
            ));
        }
        let connected = self.load().and_then(|api| self.connect(api));
        self.connecting.store(false, Ordering::SeqCst);
        let session = Arc::new(connected?);
        *self.session.lock().expect("rados session lock") = Some(session.clone());
        Ok(session)
    }

    fn load(&self) -> Result<Arc<Api>, RadosError> {
        let mut api = self.api.lock().expect("rados library lock");
        Ok(match &*api {
            Some(loaded) => loaded.clone(),
            None => api.insert(Arc::new(Api::load()?)).clone(),
        })
    }

    fn connect(&self, api: Arc<Api>) -> Result<Session, RadosError> {
        let c =
            |s: &str| CString::new(s).map_err(|e| RadosError::new(libc::EINVAL, &e.to_string()));
        let path = |p: &Path| c(&p.to_string_lossy());
        let user = c(&self.user)?;
        let mut handle: Handle = std::ptr::null_mut();
        // SAFETY: `handle` receives a new cluster handle.
        let rc = unsafe { (api.create)(&mut handle, user.as_ptr()) };
        check(rc, "rados_create")?;
        let session = Session { api, handle };
        let api = &session.api;
        let conf = path(&self.conf)?;
        // SAFETY: a created, unconnected handle and NUL-terminated strings.
        let rc = unsafe { (api.conf_read_file)(handle, conf.as_ptr()) };
        check(rc, &format!("reading {}", self.conf.display()))?;
        let timeout = COMMAND_TIMEOUT.as_secs().to_string();
        let mut settings = vec![
            // The CLI's admin socket path would clash with other clients'.
            ("admin_socket", String::new()),
            ("client_mount_timeout", "15".to_string()),
            ("rados_mon_op_timeout", timeout.clone()),
            ("rados_osd_op_timeout", timeout),
        ];
        if let Some(keyring) = &self.keyring {
            settings.push(("keyring", keyring.to_string_lossy().into_owned()));
        }
        for (option, value) in settings {
            let (o, v) = (c(option)?, c(&value)?);
            // SAFETY: as above.
            let rc = unsafe { (api.conf_set)(handle, o.as_ptr(), v.as_ptr()) };
            check(rc, &format!("setting {option}"))?;
        }
        // SAFETY: as above; on failure the handle is shut down by Drop.
        let rc = unsafe { (api.connect)(handle) };
        check(rc, "connecting to the monitors")?;
        Ok(session)
    }
}

fn check(rc: c_int, what: &str) -> Result<(), RadosError> {
    if rc >= 0 {
        return Ok(());
    }
    Err(RadosError::new(-rc, &format!("ceph: {what}")))
}

/// Errors after which the session is not trusted again.
fn lost_session(errno: c_int) -> bool {
    [
        libc::ETIMEDOUT,
        libc::ENOTCONN,
        libc::ESHUTDOWN,
        libc::ECONNREFUSED,
        libc::ECANCELED,
    ]
    .contains(&errno)
}
