from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.token_scope import TokenScope
from ..types import UNSET, Unset

T = TypeVar("T", bound="Token")


@_attrs_define
class Token:
    """An API token, without its secret.

    Attributes:
        description (str):  Example: CI pipeline.
        id (UUID):  Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6d.
        scope (TokenScope): What a token may do. Example: account_read_write.
        time_created (datetime.datetime):  Example: 2026-11-24T17:30:00Z.
        account_id (None | Unset | UUID):  Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
        partner_id (None | Unset | UUID):  Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
        time_expires (datetime.datetime | None | Unset):  Example: 2026-11-24T17:30:00Z.
    """

    description: str
    id: UUID
    scope: TokenScope
    time_created: datetime.datetime
    account_id: None | Unset | UUID = UNSET
    partner_id: None | Unset | UUID = UNSET
    time_expires: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        description = self.description

        id = str(self.id)

        scope = self.scope.value

        time_created = self.time_created.isoformat()

        account_id: None | str | Unset
        if isinstance(self.account_id, Unset):
            account_id = UNSET
        elif isinstance(self.account_id, UUID):
            account_id = str(self.account_id)
        else:
            account_id = self.account_id

        partner_id: None | str | Unset
        if isinstance(self.partner_id, Unset):
            partner_id = UNSET
        elif isinstance(self.partner_id, UUID):
            partner_id = str(self.partner_id)
        else:
            partner_id = self.partner_id

        time_expires: None | str | Unset
        if isinstance(self.time_expires, Unset):
            time_expires = UNSET
        elif isinstance(self.time_expires, datetime.datetime):
            time_expires = self.time_expires.isoformat()
        else:
            time_expires = self.time_expires

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "description": description,
                "id": id,
                "scope": scope,
                "time_created": time_created,
            }
        )
        if account_id is not UNSET:
            field_dict["account_id"] = account_id
        if partner_id is not UNSET:
            field_dict["partner_id"] = partner_id
        if time_expires is not UNSET:
            field_dict["time_expires"] = time_expires

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        description = d.pop("description")

        id = UUID(d.pop("id"))

        scope = TokenScope(d.pop("scope"))

        time_created = datetime.datetime.fromisoformat(d.pop("time_created"))

        def _parse_account_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                account_id_type_0 = UUID(data)

                return account_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        account_id = _parse_account_id(d.pop("account_id", UNSET))

        def _parse_partner_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                partner_id_type_0 = UUID(data)

                return partner_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        partner_id = _parse_partner_id(d.pop("partner_id", UNSET))

        def _parse_time_expires(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                time_expires_type_0 = datetime.datetime.fromisoformat(data)

                return time_expires_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        time_expires = _parse_time_expires(d.pop("time_expires", UNSET))

        token = cls(
            description=description,
            id=id,
            scope=scope,
            time_created=time_created,
            account_id=account_id,
            partner_id=partner_id,
            time_expires=time_expires,
        )

        token.additional_properties = d
        return token

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
