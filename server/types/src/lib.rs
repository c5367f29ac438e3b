//! Overcast's shared vocabulary, with no database, runtime or web framework
//! in it: the public API's wire types ([`params`], [`views`]), typed ids
//! ([`ids`]), the stored lifecycle states ([`states`]), token scopes,
//! name-or-id selectors, keyset pages, and [`ApiError`], the one public
//! error type.
//!
//! Two optional features attach the outside world: `http` gives
//! [`ApiError`] its HTTP response (axum) and the per-request id, and
//! `diesel` lets ids and states be stored as TEXT columns.

pub mod error;
pub mod ids;
pub mod page;
pub mod params;
pub mod scope;
pub mod select;
pub mod states;
mod text_enum;
pub mod views;

pub use error::{ApiError, ApiResult, ErrorBody};
pub use page::{Page, PageRequest};
pub use scope::{TokenScope, UserRole};
pub use select::{NameOrId, validate_description, validate_name};
