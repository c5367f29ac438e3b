from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="HostEnrollment")


@_attrs_define
class HostEnrollment:
    """A one-use token that enrolls a new host. The token is shown here once.

    Attributes:
        description (str):  Example: Rack 4, slot 12.
        id (UUID):  Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6d.
        time_created (datetime.datetime):  Example: 2026-11-24T17:30:00Z.
        time_expires (datetime.datetime):  Example: 2026-11-24T18:30:00Z.
        token (str): Give it to `overcast-hostd run --enrollment-token-file`. Example: oc_3q2+7w==example.
    """

    description: str
    id: UUID
    time_created: datetime.datetime
    time_expires: datetime.datetime
    token: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        description = self.description

        id = str(self.id)

        time_created = self.time_created.isoformat()

        time_expires = self.time_expires.isoformat()

        token = self.token

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "description": description,
                "id": id,
                "time_created": time_created,
                "time_expires": time_expires,
                "token": token,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        description = d.pop("description")

        id = UUID(d.pop("id"))

        time_created = datetime.datetime.fromisoformat(d.pop("time_created"))

        time_expires = datetime.datetime.fromisoformat(d.pop("time_expires"))

        token = d.pop("token")

        host_enrollment = cls(
            description=description,
            id=id,
            time_created=time_created,
            time_expires=time_expires,
            token=token,
        )

        host_enrollment.additional_properties = d
        return host_enrollment

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
