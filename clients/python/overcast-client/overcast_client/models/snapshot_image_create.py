from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SnapshotImageCreate")


@_attrs_define
class SnapshotImageCreate:
    """Make an image of the account from a snapshot of a boot drive. It boots
    like the image the drive was made from (same kernel, OS family and
    boot mode) with the snapshot's data; only `replicated` drives can be
    made from it.

        Attributes:
            name (str):  Example: web-golden.
            description (str | Unset):  Example: Web tier, configured.
    """

    name: str
    description: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        description = self.description

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        description = d.pop("description", UNSET)

        snapshot_image_create = cls(
            name=name,
            description=description,
        )

        return snapshot_image_create
