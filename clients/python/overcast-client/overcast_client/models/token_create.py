from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.token_create_scope import TokenCreateScope
from ..types import UNSET, Unset

T = TypeVar("T", bound="TokenCreate")


@_attrs_define
class TokenCreate:
    """Create an API token. Its secret is shown once, in the response.

    Attributes:
        scope (TokenCreateScope): What a token may do. Example: account_read_write.
        account (None | str | Unset): Name or id of the account, for account scopes (account tokens default to their
            own). Example: acme.
        description (str | Unset):  Example: CI pipeline.
        expires_in_seconds (int | None | Unset): Lifetime in seconds; absent means the token does not expire. Example:
            86400.
        partner (None | str | Unset): Name or id of the partner, for the partner-admin scope. Example: cloudco.
    """

    scope: TokenCreateScope
    account: None | str | Unset = UNSET
    description: str | Unset = UNSET
    expires_in_seconds: int | None | Unset = UNSET
    partner: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        scope = self.scope.value

        account: None | str | Unset
        if isinstance(self.account, Unset):
            account = UNSET
        else:
            account = self.account

        description = self.description

        expires_in_seconds: int | None | Unset
        if isinstance(self.expires_in_seconds, Unset):
            expires_in_seconds = UNSET
        else:
            expires_in_seconds = self.expires_in_seconds

        partner: None | str | Unset
        if isinstance(self.partner, Unset):
            partner = UNSET
        else:
            partner = self.partner

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "scope": scope,
            }
        )
        if account is not UNSET:
            field_dict["account"] = account
        if description is not UNSET:
            field_dict["description"] = description
        if expires_in_seconds is not UNSET:
            field_dict["expires_in_seconds"] = expires_in_seconds
        if partner is not UNSET:
            field_dict["partner"] = partner

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        scope = TokenCreateScope(d.pop("scope"))

        def _parse_account(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        account = _parse_account(d.pop("account", UNSET))

        description = d.pop("description", UNSET)

        def _parse_expires_in_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        expires_in_seconds = _parse_expires_in_seconds(d.pop("expires_in_seconds", UNSET))

        def _parse_partner(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        partner = _parse_partner(d.pop("partner", UNSET))

        token_create = cls(
            scope=scope,
            account=account,
            description=description,
            expires_in_seconds=expires_in_seconds,
            partner=partner,
        )

        return token_create
