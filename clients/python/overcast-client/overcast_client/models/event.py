from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.token_scope import TokenScope
from ..types import UNSET, Unset

T = TypeVar("T", bound="Event")


@_attrs_define
class Event:
    """One mutation in the audit log.

    Attributes:
        action (str): `<resource_type>.<verb>`. Example: drive.create.
        id (UUID):  Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
        request_id (str): The request that made the change. Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a70.
        resource_id (UUID):  Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
        resource_name (str):  Example: data.
        resource_type (str):  Example: drive.
        time (datetime.datetime):  Example: 2026-11-24T17:30:00Z.
        account_id (None | Unset | UUID):  Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
        actor_scope (None | TokenScope | Unset):
        actor_token_id (None | Unset | UUID): The token that made the change; absent on what Overcast did
            itself (a host found down, an instance restarted elsewhere). Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
        actor_user_id (None | Unset | UUID): The logged-in user behind the change, when it was made with a session.
            Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
        message (None | str | Unset): Why a change failed, on `<resource_type>.failed` events: the
            operation and the host's own reason. Absent on other events. Example: drive_create: the disk is full.
    """

    action: str
    id: UUID
    request_id: str
    resource_id: UUID
    resource_name: str
    resource_type: str
    time: datetime.datetime
    account_id: None | Unset | UUID = UNSET
    actor_scope: None | TokenScope | Unset = UNSET
    actor_token_id: None | Unset | UUID = UNSET
    actor_user_id: None | Unset | UUID = UNSET
    message: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        action = self.action

        id = str(self.id)

        request_id = self.request_id

        resource_id = str(self.resource_id)

        resource_name = self.resource_name

        resource_type = self.resource_type

        time = self.time.isoformat()

        account_id: None | str | Unset
        if isinstance(self.account_id, Unset):
            account_id = UNSET
        elif isinstance(self.account_id, UUID):
            account_id = str(self.account_id)
        else:
            account_id = self.account_id

        actor_scope: None | str | Unset
        if isinstance(self.actor_scope, Unset):
            actor_scope = UNSET
        elif isinstance(self.actor_scope, TokenScope):
            actor_scope = self.actor_scope.value
        else:
            actor_scope = self.actor_scope

        actor_token_id: None | str | Unset
        if isinstance(self.actor_token_id, Unset):
            actor_token_id = UNSET
        elif isinstance(self.actor_token_id, UUID):
            actor_token_id = str(self.actor_token_id)
        else:
            actor_token_id = self.actor_token_id

        actor_user_id: None | str | Unset
        if isinstance(self.actor_user_id, Unset):
            actor_user_id = UNSET
        elif isinstance(self.actor_user_id, UUID):
            actor_user_id = str(self.actor_user_id)
        else:
            actor_user_id = self.actor_user_id

        message: None | str | Unset
        if isinstance(self.message, Unset):
            message = UNSET
        else:
            message = self.message

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action": action,
                "id": id,
                "request_id": request_id,
                "resource_id": resource_id,
                "resource_name": resource_name,
                "resource_type": resource_type,
                "time": time,
            }
        )
        if account_id is not UNSET:
            field_dict["account_id"] = account_id
        if actor_scope is not UNSET:
            field_dict["actor_scope"] = actor_scope
        if actor_token_id is not UNSET:
            field_dict["actor_token_id"] = actor_token_id
        if actor_user_id is not UNSET:
            field_dict["actor_user_id"] = actor_user_id
        if message is not UNSET:
            field_dict["message"] = message

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        action = d.pop("action")

        id = UUID(d.pop("id"))

        request_id = d.pop("request_id")

        resource_id = UUID(d.pop("resource_id"))

        resource_name = d.pop("resource_name")

        resource_type = d.pop("resource_type")

        time = datetime.datetime.fromisoformat(d.pop("time"))

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

        def _parse_actor_scope(data: object) -> None | TokenScope | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                actor_scope_type_0 = TokenScope(data)

                return actor_scope_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TokenScope | Unset, data)

        actor_scope = _parse_actor_scope(d.pop("actor_scope", UNSET))

        def _parse_actor_token_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                actor_token_id_type_0 = UUID(data)

                return actor_token_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        actor_token_id = _parse_actor_token_id(d.pop("actor_token_id", UNSET))

        def _parse_actor_user_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                actor_user_id_type_0 = UUID(data)

                return actor_user_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        actor_user_id = _parse_actor_user_id(d.pop("actor_user_id", UNSET))

        def _parse_message(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        message = _parse_message(d.pop("message", UNSET))

        event = cls(
            action=action,
            id=id,
            request_id=request_id,
            resource_id=resource_id,
            resource_name=resource_name,
            resource_type=resource_type,
            time=time,
            account_id=account_id,
            actor_scope=actor_scope,
            actor_token_id=actor_token_id,
            actor_user_id=actor_user_id,
            message=message,
        )

        event.additional_properties = d
        return event

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
