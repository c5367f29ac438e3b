from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.snapshot_state import SnapshotState

T = TypeVar("T", bound="Snapshot")


@_attrs_define
class Snapshot:
    """A point-in-time copy of a replicated drive.

    Attributes:
        description (str):  Example: Production web tier.
        id (UUID):  Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
        name (str):  Example: web.
        time_created (datetime.datetime):  Example: 2026-11-24T17:30:00Z.
        time_modified (datetime.datetime):  Example: 2026-11-24T17:30:00Z.
        drive_id (UUID): The drive it is a snapshot of. Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
        project_id (UUID):  Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
        size_bytes (int): The drive's size when it was taken. Example: 10737418240.
        state (SnapshotState): Lifecycle state of a snapshot. Example: available.
    """

    description: str
    id: UUID
    name: str
    time_created: datetime.datetime
    time_modified: datetime.datetime
    drive_id: UUID
    project_id: UUID
    size_bytes: int
    state: SnapshotState
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        description = self.description

        id = str(self.id)

        name = self.name

        time_created = self.time_created.isoformat()

        time_modified = self.time_modified.isoformat()

        drive_id = str(self.drive_id)

        project_id = str(self.project_id)

        size_bytes = self.size_bytes

        state = self.state.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "description": description,
                "id": id,
                "name": name,
                "time_created": time_created,
                "time_modified": time_modified,
                "drive_id": drive_id,
                "project_id": project_id,
                "size_bytes": size_bytes,
                "state": state,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        description = d.pop("description")

        id = UUID(d.pop("id"))

        name = d.pop("name")

        time_created = datetime.datetime.fromisoformat(d.pop("time_created"))

        time_modified = datetime.datetime.fromisoformat(d.pop("time_modified"))

        drive_id = UUID(d.pop("drive_id"))

        project_id = UUID(d.pop("project_id"))

        size_bytes = d.pop("size_bytes")

        state = SnapshotState(d.pop("state"))

        snapshot = cls(
            description=description,
            id=id,
            name=name,
            time_created=time_created,
            time_modified=time_modified,
            drive_id=drive_id,
            project_id=project_id,
            size_bytes=size_bytes,
            state=state,
        )

        snapshot.additional_properties = d
        return snapshot

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
