from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="HostEnrollmentCreate")


@_attrs_define
class HostEnrollmentCreate:
    """Ask for a one-use token that enrolls a new host (`overcast-hostd run
    --enrollment-token-file`): the host then reports its own capacity.

        Attributes:
            description (str | Unset):  Example: Rack 4, slot 12.
            ttl_seconds (int | Unset): How long the token stays usable, in seconds (default one hour). Example: 3600.
    """

    description: str | Unset = UNSET
    ttl_seconds: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        description = self.description

        ttl_seconds = self.ttl_seconds

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if description is not UNSET:
            field_dict["description"] = description
        if ttl_seconds is not UNSET:
            field_dict["ttl_seconds"] = ttl_seconds

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        description = d.pop("description", UNSET)

        ttl_seconds = d.pop("ttl_seconds", UNSET)

        host_enrollment_create = cls(
            description=description,
            ttl_seconds=ttl_seconds,
        )

        return host_enrollment_create
