from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Session")


@_attrs_define
class Session:
    """A login session. Its secret travels only in the `overcast_session`
    cookie; requests that change something with that cookie also send
    `csrf_token` in the `X-CSRF-Token` header.

        Attributes:
            client (str): The address the session logged in from. Example: 203.0.113.7.
            current (bool): Whether this is the session the request was made with. Example: True.
            id (UUID):  Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a71.
            time_created (datetime.datetime):  Example: 2026-12-07T17:30:00Z.
            time_expires (datetime.datetime): When the session ends whatever its use (the idle expiry comes sooner
                when it is not used). Example: 2026-12-08T05:30:00Z.
            time_last_used (datetime.datetime):  Example: 2026-12-07T17:42:00Z.
            user_agent (str):  Example: Mozilla/5.0 (X11; Linux x86_64).
            user_id (UUID):  Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6e.
    """

    client: str
    current: bool
    id: UUID
    time_created: datetime.datetime
    time_expires: datetime.datetime
    time_last_used: datetime.datetime
    user_agent: str
    user_id: UUID
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        client = self.client

        current = self.current

        id = str(self.id)

        time_created = self.time_created.isoformat()

        time_expires = self.time_expires.isoformat()

        time_last_used = self.time_last_used.isoformat()

        user_agent = self.user_agent

        user_id = str(self.user_id)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "client": client,
                "current": current,
                "id": id,
                "time_created": time_created,
                "time_expires": time_expires,
                "time_last_used": time_last_used,
                "user_agent": user_agent,
                "user_id": user_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        client = d.pop("client")

        current = d.pop("current")

        id = UUID(d.pop("id"))

        time_created = datetime.datetime.fromisoformat(d.pop("time_created"))

        time_expires = datetime.datetime.fromisoformat(d.pop("time_expires"))

        time_last_used = datetime.datetime.fromisoformat(d.pop("time_last_used"))

        user_agent = d.pop("user_agent")

        user_id = UUID(d.pop("user_id"))

        session = cls(
            client=client,
            current=current,
            id=id,
            time_created=time_created,
            time_expires=time_expires,
            time_last_used=time_last_used,
            user_agent=user_agent,
            user_id=user_id,
        )

        session.additional_properties = d
        return session

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
