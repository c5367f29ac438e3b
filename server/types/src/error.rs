//! The one public error type of the API and its body (RFC 9457 problem
//! fields plus `error_code` and `request_id`). With the `http` feature it
//! is also an axum response, served as `application/json` so that every SDK
//! generator types it.

pub use http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An error as returned to API clients.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "type": "https://overcast.dev/errors/not_found",
    "title": "Not Found",
    "status": 404,
    "error_code": "not_found",
    "message": "drive \"data\" not found",
    "request_id": "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b"
}))]
pub struct ErrorBody {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub type_: String,
    /// The HTTP reason phrase of `status`.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// A stable, machine-readable code. Clients branch on this, never on `message`.
    pub error_code: String,
    /// A human-readable explanation.
    pub message: String,
    /// The id of the request, also sent in the `x-request-id` header.
    pub request_id: String,
    /// The path of the offending input field, where there is one (`drives[1]`, `size_bytes`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub field: Option<String>,
}

/// An API failure. Internal causes are logged with the request id and never
/// shown to the client.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    internal: Option<String>,
    /// The database connection the work ran on was found dead.
    connection_lost: bool,
    /// Seconds to wait before trying again (`Retry-After`), for 429s.
    pub retry_after: Option<u64>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            field: None,
            internal: None,
            connection_lost: false,
            retry_after: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", message).with_field(field)
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// A 401 with its own code, for a client that answers it (a login that
    /// needs its second factor).
    pub fn unauthorized_as(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// A 403 for everything a suspended account's credentials ask.
    pub fn account_suspended() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "account_suspended",
            "the account is suspended; its partner or the operator can resume it",
        )
    }

    pub fn not_found(kind: &str, key: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{kind} \"{key}\" not found"),
        )
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    pub fn precondition_failed(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            "precondition_failed",
            message,
        )
    }

    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    /// 507: nothing has room for what was asked (`what` says what ran out).
    pub fn insufficient(code: &'static str, what: impl Into<String>) -> Self {
        Self::new(StatusCode::INSUFFICIENT_STORAGE, code, what)
    }

    /// 429: too many attempts; try again after `retry_after_secs`.
    pub fn too_many_requests(
        code: &'static str,
        message: impl Into<String>,
        retry_after_secs: u64,
    ) -> Self {
        let mut e = Self::new(StatusCode::TOO_MANY_REQUESTS, code, message);
        e.retry_after = Some(retry_after_secs.max(1));
        e
    }

    /// 503: a dependency (a host) cannot be reached now; retrying may help.
    pub fn unavailable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, code, message)
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal_error",
            message: "internal error; quote the request id when reporting it".into(),
            field: None,
            internal: Some(cause.to_string()),
            connection_lost: false,
            retry_after: None,
        }
    }

    /// Whether this failed because the database connection was dead (the
    /// database restarted or failed over). A read that failed so can be
    /// run again on another connection.
    pub fn is_connection_lost(&self) -> bool {
        self.connection_lost
    }

    /// Internal detail for the log, never shown to clients.
    pub fn internal_cause(&self) -> Option<&str> {
        self.internal.as_deref()
    }

    /// The body a client sees for the request `request_id`.
    pub fn body_for(&self, request_id: String) -> ErrorBody {
        ErrorBody {
            type_: format!("https://overcast.dev/errors/{}", self.code),
            title: self
                .status
                .canonical_reason()
                .unwrap_or("Error")
                .to_string(),
            status: self.status.as_u16(),
            error_code: self.code.to_string(),
            message: self.message.clone(),
            request_id,
            field: self.field.clone(),
        }
    }
}

#[cfg(feature = "http")]
mod http_response {
    use axum::http::{HeaderValue, StatusCode, header};
    use axum::response::{IntoResponse, Response};

    use super::{ApiError, ErrorBody};

    tokio::task_local! {
        /// The request id of the request being served, set by the request-id
        /// middleware so that every error body can carry it.
        pub static REQUEST_ID: String;
    }

    /// The current request id, or an empty string outside a request.
    pub fn current_request_id() -> String {
        REQUEST_ID.try_with(Clone::clone).unwrap_or_default()
    }

    impl ApiError {
        /// The body a client sees for the current request.
        pub fn body(&self) -> ErrorBody {
            self.body_for(current_request_id())
        }
    }

    impl IntoResponse for ApiError {
        fn into_response(self) -> Response {
            if let Some(cause) = self.internal_cause() {
                tracing::error!(request_id = %current_request_id(), error = %cause, "internal error");
            } else if self.status.is_server_error() {
                tracing::error!(request_id = %current_request_id(), error = %self, "server error");
            }
            let body = serde_json::to_vec(&self.body()).expect("error body serializes");
            let mut response = (self.status, body).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            if let Some(secs) = self.retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            if self.status == StatusCode::PAYLOAD_TOO_LARGE {
                // The rest of the body is not read, so the connection cannot
                // carry another request; say so rather than let a client reuse it.
                response
                    .headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            response
        }
    }
}

#[cfg(feature = "http")]
pub use http_response::{REQUEST_ID, current_request_id};

#[cfg(feature = "diesel")]
impl From<diesel::result::Error> for ApiError {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match &err {
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                Self::conflict("already_exists", "a resource with that name already exists")
            }
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                Self::conflict("in_use", "the resource is referenced by another resource")
            }
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => Self::conflict(
                "concurrent_modification",
                "the resource was modified concurrently; retry",
            ),
            Error::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _,
            ) => Self {
                connection_lost: true,
                ..Self::internal(err)
            },
            _ => Self::internal(err),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
