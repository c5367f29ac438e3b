from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="DriveRollback")


@_attrs_define
class DriveRollback:
    """Roll a drive back to one of its snapshots. The drive must be detached,
    or its instance stopped; what was written since the snapshot is lost.

        Attributes:
            snapshot (str): Name or id of one of the drive's snapshots. Example: data-before-upgrade.
    """

    snapshot: str

    def to_dict(self) -> dict[str, Any]:
        snapshot = self.snapshot

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "snapshot": snapshot,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        snapshot = d.pop("snapshot")

        drive_rollback = cls(
            snapshot=snapshot,
        )

        return drive_rollback
