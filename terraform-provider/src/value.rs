//! Terraform's values (its `cty` type system) as the provider handles them,
//! and their two wire forms: msgpack (every `DynamicValue` Terraform sends)
//! and JSON (stored state handed to `UpgradeResourceState`, API bodies).
//!
//! msgpack itself is read and written by `rmpv`; this module only adds what
//! Terraform layers on top: values are encoded against a type (an object is
//! a map holding every attribute of its type, nulls included), and an
//! unknown value is a msgpack extension (code 0; code 12 carries
//! refinements, which the provider reads as plain unknown).

use std::collections::BTreeMap;

/// A Terraform type, as the provider's schemas use them.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    String,
    Number,
    Bool,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
}

impl Type {
    /// The JSON form of a type that schemas carry (`"string"`,
    /// `["list","string"]`, `["object",{...}]`).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Type::String => json!("string"),
            Type::Number => json!("number"),
            Type::Bool => json!("bool"),
            Type::List(t) => json!(["list", t.to_json()]),
            Type::Set(t) => json!(["set", t.to_json()]),
            Type::Map(t) => json!(["map", t.to_json()]),
            Type::Object(attrs) => {
                let attrs: serde_json::Map<_, _> = attrs
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_json()))
                    .collect();
                json!(["object", attrs])
            }
        }
    }
}

/// A value: null and unknown are values of every type.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Unknown,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    /// Lists and sets.
    List(Vec<Value>),
    /// Objects and maps.
    Object(BTreeMap<String, Value>),
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("msgpack: {0}")]
    Decode(String),
    #[error("{path}: expected {expected}")]
    Mismatch { path: String, expected: String },
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Known all the way down.
    pub fn is_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(items) => items.iter().all(Value::is_known),
            Value::Object(attrs) => attrs.values().all(Value::is_known),
            _ => true,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// An attribute of an object (null when absent or not an object).
    pub fn get(&self, name: &str) -> &Value {
        static NULL: Value = Value::Null;
        match self {
            Value::Object(attrs) => attrs.get(name).unwrap_or(&NULL),
            _ => &NULL,
        }
    }

    pub fn set(&mut self, name: &str, value: Value) {
        if let Value::Object(attrs) = self {
            attrs.insert(name.to_string(), value);
        }
    }

    /// Read msgpack as Terraform writes it for a value of type `ty`.
    pub fn from_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, Error> {
        let raw =
            rmpv::decode::read_value(&mut &bytes[..]).map_err(|e| Error::Decode(e.to_string()))?;
        from_rmpv(raw, ty, "")
    }

    /// Write msgpack as Terraform reads it for a value of type `ty`.
    pub fn to_msgpack(&self, ty: &Type) -> Vec<u8> {
        let mut out = Vec::new();
        rmpv::encode::write_value(&mut out, &to_rmpv(self, ty))
            .expect("writing to a Vec cannot fail");
        out
    }

    /// A JSON value (an API body, stored state) read as type `ty`.
    pub fn from_json(json: &serde_json::Value, ty: &Type) -> Result<Value, Error> {
        from_json(json, ty, "")
    }

    /// The JSON form of a known value (unknowns become null).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null | Value::Unknown => serde_json::Value::Null,
            Value::Bool(b) => (*b).into(),
            Value::Number(n) => serde_json::Value::Number(n.clone()),
            Value::String(s) => s.clone().into(),
            Value::List(items) => items.iter().map(Value::to_json).collect(),
            Value::Object(attrs) => attrs
                .iter()
                .map(|(k, v)| (k.clone(), v.to_json()))
                .collect::<serde_json::Map<_, _>>()
                .into(),
        }
    }
}

fn mismatch(path: &str, ty: &Type) -> Error {
    Error::Mismatch {
        path: if path.is_empty() {
            "value".into()
        } else {
            path.into()
        },
        expected: ty.to_json().to_string(),
    }
}

fn from_rmpv(raw: rmpv::Value, ty: &Type, path: &str) -> Result<Value, Error> {
    use rmpv::Value as R;
    Ok(match (raw, ty) {
        (R::Nil, _) => Value::Null,
        (R::Ext(_, _), _) => Value::Unknown,
        (R::Boolean(b), Type::Bool) => Value::Bool(b),
        (R::Integer(i), Type::Number) => Value::Number(if let Some(v) = i.as_i64() {
            v.into()
        } else {
            i.as_u64().ok_or_else(|| mismatch(path, ty))?.into()
        }),
        (R::F32(f), Type::Number) => number(f64::from(f), path, ty)?,
        (R::F64(f), Type::Number) => number(f, path, ty)?,
        // Numbers too large for the machine types travel as strings.
        (R::String(s), Type::Number) => {
            let s = s.into_str().ok_or_else(|| mismatch(path, ty))?;
            Value::Number(s.parse().map_err(|_| mismatch(path, ty))?)
        }
        (R::String(s), Type::String) => {
            Value::String(s.into_str().ok_or_else(|| mismatch(path, ty))?)
        }
        (R::Array(items), Type::List(t) | Type::Set(t)) => Value::List(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| from_rmpv(v, t, &format!("{path}[{i}]")))
                .collect::<Result<_, _>>()?,
        ),
        (R::Map(entries), Type::Map(t)) => {
            let mut out = BTreeMap::new();
            for (k, v) in entries {
                let k = k.as_str().ok_or_else(|| mismatch(path, ty))?.to_string();
                let v = from_rmpv(v, t, &format!("{path}.{k}"))?;
                out.insert(k, v);
            }
            Value::Object(out)
        }
        (R::Map(entries), Type::Object(attrs)) => {
            let mut out: BTreeMap<String, Value> =
                attrs.keys().map(|k| (k.clone(), Value::Null)).collect();
            for (k, v) in entries {
                let k = k.as_str().ok_or_else(|| mismatch(path, ty))?.to_string();
                let Some(t) = attrs.get(&k) else {
                    return Err(mismatch(&format!("{path}.{k}"), ty));
                };
                let v = from_rmpv(v, t, &format!("{path}.{k}"))?;
                out.insert(k, v);
            }
            Value::Object(out)
        }
        _ => return Err(mismatch(path, ty)),
    })
}

fn number(f: f64, path: &str, ty: &Type) -> Result<Value, Error> {
    // Whole numbers stay integers, so 10 read as 10.0 compares equal to 10.
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        return Ok(Value::Number((f as i64).into()));
    }
    serde_json::Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| mismatch(path, ty))
}

fn to_rmpv(value: &Value, ty: &Type) -> rmpv::Value {
    use rmpv::Value as R;
    match (value, ty) {
        (Value::Null, _) => R::Nil,
        (Value::Unknown, _) => R::Ext(0, vec![0]),
        (Value::Bool(b), _) => R::Boolean(*b),
        (Value::Number(n), _) => {
            if let Some(i) = n.as_i64() {
                R::from(i)
            } else if let Some(u) = n.as_u64() {
                R::from(u)
            } else {
                R::F64(n.as_f64().unwrap_or_default())
            }
        }
        (Value::String(s), _) => R::from(s.as_str()),
        (Value::List(items), Type::List(t) | Type::Set(t)) => {
            R::Array(items.iter().map(|v| to_rmpv(v, t)).collect())
        }
        (Value::Object(attrs), Type::Map(t)) => R::Map(
            attrs
                .iter()
                .map(|(k, v)| (R::from(k.as_str()), to_rmpv(v, t)))
                .collect(),
        ),
        (Value::Object(attrs), Type::Object(types)) => R::Map(
            types
                .iter()
                .map(|(k, t)| {
                    let v = attrs.get(k).unwrap_or(&Value::Null);
                    (R::from(k.as_str()), to_rmpv(v, t))
                })
                .collect(),
        ),
        // A value that does not fit its type is a provider bug; null is the
        // least harmful thing to send, and Terraform reports the mismatch.
        _ => R::Nil,
    }
}

fn from_json(json: &serde_json::Value, ty: &Type, path: &str) -> Result<Value, Error> {
    use serde_json::Value as J;
    Ok(match (json, ty) {
        (J::Null, _) => Value::Null,
        (J::Bool(b), Type::Bool) => Value::Bool(*b),
        (J::Number(n), Type::Number) => Value::Number(n.clone()),
        (J::String(s), Type::Number) => Value::Number(s.parse().map_err(|_| mismatch(path, ty))?),
        (J::String(s), Type::String) => Value::String(s.clone()),
        // The API's numbers and booleans read into string attributes as text.
        (J::Number(n), Type::String) => Value::String(n.to_string()),
        (J::Bool(b), Type::String) => Value::String(b.to_string()),
        (J::Array(items), Type::List(t) | Type::Set(t)) => Value::List(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| from_json(v, t, &format!("{path}[{i}]")))
                .collect::<Result<_, _>>()?,
        ),
        (J::Object(map), Type::Map(t)) => Value::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), from_json(v, t, &format!("{path}.{k}"))?)))
                .collect::<Result<_, Error>>()?,
        ),
        // Fields the type does not know (a newer server) are skipped.
        (J::Object(map), Type::Object(attrs)) => Value::Object(
            attrs
                .iter()
                .map(|(k, t)| {
                    let v = map.get(k).unwrap_or(&J::Null);
                    Ok((k.clone(), from_json(v, t, &format!("{path}.{k}"))?))
                })
                .collect::<Result<_, Error>>()?,
        ),
        _ => return Err(mismatch(path, ty)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object_type() -> Type {
        Type::Object(BTreeMap::from([
            ("name".into(), Type::String),
            ("size".into(), Type::Number),
            ("tags".into(), Type::List(Box::new(Type::String))),
            ("on".into(), Type::Bool),
        ]))
    }

    #[test]
    fn unknowns_and_nulls_round_trip() {
        let ty = object_type();
        let v = Value::Object(BTreeMap::from([
            ("name".into(), Value::Unknown),
            ("size".into(), Value::Number(10_737_418_240i64.into())),
            (
                "tags".into(),
                Value::List(vec![Value::String("a".into()), Value::Unknown, Value::Null]),
            ),
            ("on".into(), Value::Null),
        ]));
        let back = Value::from_msgpack(&v.to_msgpack(&ty), &ty).unwrap();
        assert_eq!(back, v);
        assert!(!back.is_known());
    }

    #[test]
    fn an_absent_attribute_reads_as_null_and_is_written_back() {
        let ty = object_type();
        // Terraform's encoding of {name = "x"} with only that attribute set.
        let mut bytes = Vec::new();
        rmpv::encode::write_value(
            &mut bytes,
            &rmpv::Value::Map(vec![("name".into(), "x".into())]),
        )
        .unwrap();
        let v = Value::from_msgpack(&bytes, &ty).unwrap();
        assert_eq!(v.get("size"), &Value::Null);
        let written = rmpv::decode::read_value(&mut &v.to_msgpack(&ty)[..]).unwrap();
        assert_eq!(
            written.as_map().unwrap().len(),
            4,
            "every attribute is sent"
        );
    }

    #[test]
    fn refined_unknowns_and_float_encodings_are_read() {
        let ty = Type::Number;
        let refined = rmpv::Value::Ext(12, vec![0x80]);
        let mut bytes = Vec::new();
        rmpv::encode::write_value(&mut bytes, &refined).unwrap();
        assert_eq!(Value::from_msgpack(&bytes, &ty).unwrap(), Value::Unknown);
        let mut bytes = Vec::new();
        rmpv::encode::write_value(&mut bytes, &rmpv::Value::F64(2048.0)).unwrap();
        assert_eq!(
            Value::from_msgpack(&bytes, &ty).unwrap(),
            Value::Number(2048.into())
        );
    }

    #[test]
    fn a_value_of_the_wrong_type_is_an_error_naming_where() {
        let mut bytes = Vec::new();
        rmpv::encode::write_value(
            &mut bytes,
            &rmpv::Value::Map(vec![("size".into(), "big".into())]),
        )
        .unwrap();
        let err = Value::from_msgpack(&bytes, &object_type()).unwrap_err();
        assert!(err.to_string().contains(".size"), "{err}");
    }
}
