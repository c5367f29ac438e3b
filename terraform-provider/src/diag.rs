//! Diagnostics: what the provider tells Terraform went wrong (or deserves
//! a warning), optionally pointing at an attribute of the configuration.

use crate::proto::tfplugin6 as pb;

/// One step of an attribute path.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Attr(String),
    Index(i64),
}

impl From<&str> for Step {
    fn from(s: &str) -> Step {
        Step::Attr(s.to_string())
    }
}

#[derive(Clone, Debug)]
pub struct Diag {
    pub error: bool,
    pub summary: String,
    pub detail: String,
    pub path: Vec<Step>,
}

impl Diag {
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Diag {
        Diag {
            error: true,
            summary: summary.into(),
            detail: detail.into(),
            path: Vec::new(),
        }
    }

    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Diag {
        Diag {
            error: false,
            ..Diag::error(summary, detail)
        }
    }

    pub fn at(mut self, path: &[Step]) -> Diag {
        self.path = path.to_vec();
        self
    }
}

/// The diagnostics of one call.
#[derive(Clone, Debug, Default)]
pub struct Diags(pub Vec<Diag>);

impl Diags {
    pub fn push(&mut self, d: Diag) {
        self.0.push(d);
    }

    pub fn errors(&self) -> usize {
        self.0.iter().filter(|d| d.error).count()
    }

    pub fn extend(&mut self, other: Diags) {
        self.0.extend(other.0);
    }

    pub fn into_proto(self) -> Vec<pb::Diagnostic> {
        self.0.into_iter().map(to_proto).collect()
    }
}

impl From<Diag> for Diags {
    fn from(d: Diag) -> Diags {
        Diags(vec![d])
    }
}

fn to_proto(d: Diag) -> pb::Diagnostic {
    use pb::attribute_path::step::Selector;
    pb::Diagnostic {
        severity: if d.error {
            pb::diagnostic::Severity::Error
        } else {
            pb::diagnostic::Severity::Warning
        } as i32,
        summary: d.summary,
        detail: d.detail,
        attribute: (!d.path.is_empty()).then(|| pb::AttributePath {
            steps: d
                .path
                .into_iter()
                .map(|s| pb::attribute_path::Step {
                    selector: Some(match s {
                        Step::Attr(a) => Selector::AttributeName(a),
                        Step::Index(i) => Selector::ElementKeyInt(i),
                    }),
                })
                .collect(),
        }),
    }
}

/// The API's field paths (`drives[1]`, `brand.logo_url`) as steps.
pub fn parse_path(field: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    for part in field.split('.') {
        let mut rest = part;
        if let Some(open) = rest.find('[') {
            steps.push(Step::Attr(rest[..open].to_string()));
            rest = &rest[open..];
            while let Some(inner) = rest.strip_prefix('[') {
                let Some(close) = inner.find(']') else { break };
                if let Ok(i) = inner[..close].parse() {
                    steps.push(Step::Index(i));
                }
                rest = &inner[close + 1..];
            }
        } else if !rest.is_empty() {
            steps.push(Step::Attr(rest.to_string()));
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_field_paths_become_attribute_paths() {
        assert_eq!(
            parse_path("drives[1]"),
            vec![Step::Attr("drives".into()), Step::Index(1)]
        );
        assert_eq!(
            parse_path("brand.logo_url"),
            vec![Step::Attr("brand".into()), Step::Attr("logo_url".into())]
        );
    }
}
