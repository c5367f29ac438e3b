from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="DriveAttachment")


@_attrs_define
class DriveAttachment:
    """Attach or detach a drive. The instance must be stopped.

    Attributes:
        drive (str): Name or id of the drive (same project). Example: data.
    """

    drive: str

    def to_dict(self) -> dict[str, Any]:
        drive = self.drive

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "drive": drive,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        drive = d.pop("drive")

        drive_attachment = cls(
            drive=drive,
        )

        return drive_attachment
