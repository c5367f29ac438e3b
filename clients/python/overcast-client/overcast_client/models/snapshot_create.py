from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SnapshotCreate")


@_attrs_define
class SnapshotCreate:
    """Take a snapshot of a drive: a point-in-time, crash-consistent copy of a
    `replicated` drive, kept in Ceph beside it (409 for a `local` drive).

        Attributes:
            drive (str): Name or id of the drive (same project). Example: data.
            name (str):  Example: data-before-upgrade.
            description (str | Unset):  Example: Before the 2.4 upgrade.
    """

    drive: str
    name: str
    description: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        drive = self.drive

        name = self.name

        description = self.description

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "drive": drive,
                "name": name,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        drive = d.pop("drive")

        name = d.pop("name")

        description = d.pop("description", UNSET)

        snapshot_create = cls(
            drive=drive,
            name=name,
            description=description,
        )

        return snapshot_create
