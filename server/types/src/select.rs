//! Selectors (a resource named by name or by id) and the name rules.

use std::str::FromStr;
use std::sync::LazyLock;

use regex::Regex;

use crate::error::{ApiError, ApiResult};

/// The pattern every name follows: a DNS label. The spec states it on
/// every name field and name-or-id parameter.
pub const NAME_PATTERN: &str = r"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$";

/// The pattern of a name-or-id parameter or field: a name, or a UUID in
/// its hyphenated form.
pub const NAME_OR_ID_PATTERN: &str = "^([a-z]([a-z0-9-]{0,61}[a-z0-9])?|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$";

/// A path or query selector: a UUID, or a DNS-label name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameOrId {
    /// A UUID in canonical form.
    Id(String),
    Name(String),
}

impl NameOrId {
    /// Parse a selector; `field` names it in the error.
    pub fn parse(field: &str, value: &str) -> ApiResult<Self> {
        if let Ok(id) = uuid::Uuid::from_str(value) {
            return Ok(NameOrId::Id(id.to_string()));
        }
        validate_name(field, value)?;
        Ok(NameOrId::Name(value.to_string()))
    }

    /// Select by a typed id.
    pub fn id(id: impl AsRef<str>) -> Self {
        NameOrId::Id(id.as_ref().to_string())
    }
}

impl std::fmt::Display for NameOrId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NameOrId::Id(s) | NameOrId::Name(s) => f.write_str(s),
        }
    }
}

static NAME_RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(NAME_PATTERN).expect("valid regex"));

/// Names are DNS labels: lower case letters, digits and hyphens, starting
/// with a letter, at most 63 characters, not ending with a hyphen.
pub fn validate_name(field: &str, name: &str) -> ApiResult<()> {
    if NAME_RE.is_match(name) {
        Ok(())
    } else {
        Err(ApiError::invalid(
            field,
            format!(
                "\"{}\" is not a valid name: use 1 to 63 lower-case letters, digits and \
                 hyphens, starting with a letter and not ending with a hyphen",
                name.chars().take(80).collect::<String>()
            ),
        ))
    }
}

pub const MAX_DESCRIPTION: usize = 1024;

pub fn validate_description(description: &str) -> ApiResult<()> {
    if description.chars().count() > MAX_DESCRIPTION {
        return Err(ApiError::invalid(
            "description",
            format!("description is longer than {MAX_DESCRIPTION} characters"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors() {
        let id = "0193A1B2-7C4D-7E8F-9A0B-1C2D3E4F5A6B";
        assert_eq!(
            NameOrId::parse("path", id).unwrap(),
            NameOrId::Id(id.to_lowercase())
        );
        assert_eq!(
            NameOrId::parse("path", "web-1").unwrap(),
            NameOrId::Name("web-1".into())
        );
        for bad in ["", "Web", "1web", "web-", &"a".repeat(64)] {
            assert_eq!(NameOrId::parse("path", bad).unwrap_err().status, 400);
        }
    }
}
