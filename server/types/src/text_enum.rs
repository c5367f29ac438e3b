//! Enums stored as TEXT by their wire name.

/// Give an enum its wire name (`as_str`, `Display`, `FromStr`) and, with
/// the `diesel` feature, its TEXT column conversions. The names must be
/// the ones serde uses; a test in each module checks that they are.
macro_rules! text_enum {
    ($ty:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value, in declaration order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The wire (and stored) name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $ty {
            type Err = crate::text_enum::UnknownName;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($name => Ok($ty::$variant),)+
                    other => Err(crate::text_enum::UnknownName {
                        kind: stringify!($ty),
                        name: other.chars().take(64).collect(),
                    }),
                }
            }
        }

        crate::text_enum::text_sql!($ty);
    };
}
pub(crate) use text_enum;

/// The TEXT column conversions (feature `diesel`) of a type with an
/// `as_str` and a `FromStr`: typed ids and stored enums. Generic over the
/// backend, so the one `MultiConnection` serves SQLite and PostgreSQL.
macro_rules! text_sql {
    ($ty:ident) => {
        #[cfg(feature = "diesel")]
        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $ty
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, DB>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, DB>>::to_sql(
                    self.as_str(),
                    out,
                )
            }
        }

        #[cfg(feature = "diesel")]
        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $ty
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                use diesel::deserialize::FromSql;
                let text: String = FromSql::<diesel::sql_types::Text, DB>::from_sql(bytes)?;
                Ok(text.parse()?)
            }
        }
    };
}
pub(crate) use text_sql;

/// A stored name no variant has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    pub kind: &'static str,
    pub name: String,
}

impl std::fmt::Display for UnknownName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown {} \"{}\"", self.kind, self.name)
    }
}

impl std::error::Error for UnknownName {}

/// Check that `as_str` and serde agree on every value's name.
#[cfg(test)]
pub(crate) fn assert_names_match_serde<T>(all: &[T])
where
    T: serde::Serialize + std::fmt::Display + std::str::FromStr + PartialEq + std::fmt::Debug,
    <T as std::str::FromStr>::Err: std::fmt::Debug,
{
    for value in all {
        let serde_name = serde_json::to_value(value).expect("serializes");
        assert_eq!(serde_name, serde_json::Value::String(value.to_string()));
        assert_eq!(&value.to_string().parse::<T>().expect("parses"), value);
    }
}
