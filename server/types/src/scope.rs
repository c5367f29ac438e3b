//! Token scopes: what a token may do.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::text_enum::text_enum;

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(example = "account_read_write")]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
pub enum TokenScope {
    /// Runs the cloud: hosts, IP pools, system images, partners, every account.
    Operator,
    /// Administers one partner (reseller) and the accounts it owns.
    PartnerAdmin,
    /// Reads and changes everything in one account.
    AccountReadWrite,
    /// Reads everything in one account and changes nothing.
    AccountReadOnly,
}

text_enum!(TokenScope {
    Operator => "operator",
    PartnerAdmin => "partner_admin",
    AccountReadWrite => "account_read_write",
    AccountReadOnly => "account_read_only",
});

#[cfg(test)]
mod tests {
    #[test]
    fn stored_names_are_the_wire_names() {
        crate::text_enum::assert_names_match_serde(super::TokenScope::ALL);
    }
}
