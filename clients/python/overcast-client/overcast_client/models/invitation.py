from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Invitation")


@_attrs_define
class Invitation:
    """A one-use link that lets a user set a password: an invitation for a
    user without one, a reset for a user with one. Its secret is shown once,
    here; pass the link on to the user.

        Attributes:
            id (UUID):  Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a70.
            kind (str): `invitation` (the user has no password yet) or `reset`. Example: invitation.
            secret (str): The secret to send with `POST /v1/invitations/accept`. Example:
                oc_inv_Qm9vbXN0aWNrLWV4YW1wbGUtc2VjcmV0LXZhbHVl.
            time_expires (datetime.datetime):  Example: 2026-12-10T17:30:00Z.
            url (str): The console's page for this link, on the host name it was asked for on. Example:
                https://cloud.example.com/invitation#oc_inv_Qm9vbXN0aWNrLWV4YW1wbGUtc2VjcmV0LXZhbHVl.
            user_id (UUID):  Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6e.
    """

    id: UUID
    kind: str
    secret: str
    time_expires: datetime.datetime
    url: str
    user_id: UUID
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        kind = self.kind

        secret = self.secret

        time_expires = self.time_expires.isoformat()

        url = self.url

        user_id = str(self.user_id)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "secret": secret,
                "time_expires": time_expires,
                "url": url,
                "user_id": user_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        kind = d.pop("kind")

        secret = d.pop("secret")

        time_expires = datetime.datetime.fromisoformat(d.pop("time_expires"))

        url = d.pop("url")

        user_id = UUID(d.pop("user_id"))

        invitation = cls(
            id=id,
            kind=kind,
            secret=secret,
            time_expires=time_expires,
            url=url,
            user_id=user_id,
        )

        invitation.additional_properties = d
        return invitation

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
