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

/// What a user may do once logged in: the same powers as token scopes, so
/// one authorization covers both. The account roles belong to an account's
/// users; `partner_admin` to a partner's staff, `operator` to the
/// operator's. A new user is an `account_member` unless told otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(example = "account_member")]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
pub enum UserRole {
    /// Everything in the account, and its people: users, invitations, tokens.
    AccountAdmin,
    /// Everything in the account but its people.
    AccountMember,
    /// Reads everything in the account and changes nothing.
    AccountReadOnly,
    /// Staff of a partner: its accounts, their people, and its brand.
    PartnerAdmin,
    /// Staff of the operator: the whole cloud.
    Operator,
}

text_enum!(UserRole {
    AccountAdmin => "account_admin",
    AccountMember => "account_member",
    AccountReadOnly => "account_read_only",
    PartnerAdmin => "partner_admin",
    Operator => "operator",
});

impl UserRole {
    /// The token scope whose powers this role has.
    pub fn scope(self) -> TokenScope {
        match self {
            UserRole::AccountAdmin | UserRole::AccountMember => TokenScope::AccountReadWrite,
            UserRole::AccountReadOnly => TokenScope::AccountReadOnly,
            UserRole::PartnerAdmin => TokenScope::PartnerAdmin,
            UserRole::Operator => TokenScope::Operator,
        }
    }

    /// Whether the role belongs to an account's user (not to staff).
    pub fn of_account(self) -> bool {
        matches!(
            self,
            UserRole::AccountAdmin | UserRole::AccountMember | UserRole::AccountReadOnly
        )
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn stored_names_are_the_wire_names() {
        crate::text_enum::assert_names_match_serde(super::TokenScope::ALL);
        crate::text_enum::assert_names_match_serde(super::UserRole::ALL);
    }
}
