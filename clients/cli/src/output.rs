//! How results are printed: a human table by default, JSON for scripts.

use std::cell::RefCell;

use comfy_table::{ContentArrangement, Table, presets::UTF8_BORDERS_ONLY};
use overcast_client::{Error, ResponseValue};
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

/// The CLI's `CliConfig`: collects list items, prints results and errors.
pub struct Output {
    pub format: Format,
    items: RefCell<Vec<Value>>,
}

impl Output {
    pub fn new(format: Format) -> Self {
        Self {
            format,
            items: RefCell::new(Vec::new()),
        }
    }

    /// Print one result.
    pub fn item<T: Serialize>(&self, value: &T) {
        let value = serde_json::to_value(value).unwrap_or(Value::Null);
        match self.format {
            Format::Json => println!("{}", pretty(&value)),
            Format::Table => match &value {
                Value::Object(map) => {
                    let mut table = table();
                    for (key, v) in ordered(map) {
                        table.add_row(vec![key.to_string(), cell(v)]);
                    }
                    println!("{table}");
                }
                other => println!("{}", cell(other)),
            },
        }
    }

    /// Print many results.
    pub fn list(&self, items: &[Value]) {
        match self.format {
            Format::Json => println!("{}", pretty(&Value::Array(items.to_vec()))),
            Format::Table => {
                let Some(Value::Object(first)) = items.first() else {
                    return;
                };
                let columns: Vec<String> = ordered(first)
                    .into_iter()
                    .filter(|(k, v)| !v.is_object() && *k != "description")
                    .map(|(k, _)| k.to_string())
                    .collect();
                let mut table = table();
                table.set_header(columns.iter().map(|c| c.to_uppercase()));
                for item in items {
                    table.add_row(columns.iter().map(|c| cell(&item[c])));
                }
                println!("{table}");
            }
        }
    }
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

fn table() -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_BORDERS_ONLY)
        .set_content_arrangement(ContentArrangement::Dynamic);
    t
}

/// Keys with `name` and `id` first, then the rest in order.
fn ordered(map: &serde_json::Map<String, Value>) -> Vec<(&str, &Value)> {
    let mut keys: Vec<(&str, &Value)> = map.iter().map(|(k, v)| (k.as_str(), v)).collect();
    keys.sort_by_key(|(k, _)| match *k {
        "name" => 0,
        "id" => 1,
        "state" => 2,
        _ => 3,
    });
    keys
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// An API error as one line: message, error code, request id.
pub fn describe_error<T: Serialize + std::fmt::Debug>(error: &Error<T>) -> String {
    match error {
        Error::ErrorResponse(response) => {
            let body = serde_json::to_value(response.as_ref()).unwrap_or(Value::Null);
            let mut line = format!(
                "{} (error {}, status {}, request {})",
                body["message"]
                    .as_str()
                    .unwrap_or("the API answered with an error"),
                body["error_code"].as_str().unwrap_or("unknown"),
                response.status().as_u16(),
                body["request_id"].as_str().unwrap_or("-"),
            );
            if let Some(field) = body["field"].as_str() {
                line.push_str(&format!(" [field {field}]"));
            }
            line
        }
        other => other.to_string(),
    }
}

impl crate::generated::CliConfig for Output {
    fn success_item<T>(&self, value: &ResponseValue<T>)
    where
        T: schemars::JsonSchema + Serialize + std::fmt::Debug,
    {
        self.item(value.as_ref());
    }

    fn success_no_item(&self, _: &ResponseValue<()>) {}

    fn error<T>(&self, error: &Error<T>)
    where
        T: schemars::JsonSchema + Serialize + std::fmt::Debug,
    {
        eprintln!("error: {}", describe_error(error));
    }

    fn list_start<T>(&self)
    where
        T: schemars::JsonSchema + Serialize + std::fmt::Debug,
    {
        self.items.borrow_mut().clear();
    }

    fn list_item<T>(&self, value: &T)
    where
        T: schemars::JsonSchema + Serialize + std::fmt::Debug,
    {
        self.items
            .borrow_mut()
            .push(serde_json::to_value(value).unwrap_or(Value::Null));
    }

    fn list_end_success<T>(&self)
    where
        T: schemars::JsonSchema + Serialize + std::fmt::Debug,
    {
        self.list(&self.items.borrow());
    }

    fn list_end_error<T>(&self, error: &Error<T>)
    where
        T: schemars::JsonSchema + Serialize + std::fmt::Debug,
    {
        eprintln!("error: {}", describe_error(error));
    }
}
