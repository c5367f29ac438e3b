from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="IpAddressCreate")


@_attrs_define
class IpAddressCreate:
    """Allocate an IP address from a pool.

    Attributes:
        name (str):  Example: web-1-public.
        pool (str): Name or id of the pool. Example: public.
        description (str | Unset):  Example: Public address of web-1.
    """

    name: str
    pool: str
    description: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        pool = self.pool

        description = self.description

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "pool": pool,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        pool = d.pop("pool")

        description = d.pop("description", UNSET)

        ip_address_create = cls(
            name=name,
            pool=pool,
            description=description,
        )

        return ip_address_create
