from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="IpAddress")


@_attrs_define
class IpAddress:
    """An IP address allocated to a project.

    Attributes:
        description (str):  Example: Production web tier.
        id (UUID):  Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
        name (str):  Example: web.
        time_created (datetime.datetime):  Example: 2026-11-24T17:30:00Z.
        time_modified (datetime.datetime):  Example: 2026-11-24T17:30:00Z.
        address (str):  Example: 203.0.113.10.
        pool_id (UUID):  Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
        project_id (UUID):  Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
        instance_id (None | Unset | UUID): The instance it is attached to, if any. Example:
            0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
    """

    description: str
    id: UUID
    name: str
    time_created: datetime.datetime
    time_modified: datetime.datetime
    address: str
    pool_id: UUID
    project_id: UUID
    instance_id: None | Unset | UUID = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        description = self.description

        id = str(self.id)

        name = self.name

        time_created = self.time_created.isoformat()

        time_modified = self.time_modified.isoformat()

        address = self.address

        pool_id = str(self.pool_id)

        project_id = str(self.project_id)

        instance_id: None | str | Unset
        if isinstance(self.instance_id, Unset):
            instance_id = UNSET
        elif isinstance(self.instance_id, UUID):
            instance_id = str(self.instance_id)
        else:
            instance_id = self.instance_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "description": description,
                "id": id,
                "name": name,
                "time_created": time_created,
                "time_modified": time_modified,
                "address": address,
                "pool_id": pool_id,
                "project_id": project_id,
            }
        )
        if instance_id is not UNSET:
            field_dict["instance_id"] = instance_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        description = d.pop("description")

        id = UUID(d.pop("id"))

        name = d.pop("name")

        time_created = datetime.datetime.fromisoformat(d.pop("time_created"))

        time_modified = datetime.datetime.fromisoformat(d.pop("time_modified"))

        address = d.pop("address")

        pool_id = UUID(d.pop("pool_id"))

        project_id = UUID(d.pop("project_id"))

        def _parse_instance_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                instance_id_type_0 = UUID(data)

                return instance_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        instance_id = _parse_instance_id(d.pop("instance_id", UNSET))

        ip_address = cls(
            description=description,
            id=id,
            name=name,
            time_created=time_created,
            time_modified=time_modified,
            address=address,
            pool_id=pool_id,
            project_id=project_id,
            instance_id=instance_id,
        )

        ip_address.additional_properties = d
        return ip_address

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
