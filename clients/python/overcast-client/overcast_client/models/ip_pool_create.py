from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="IpPoolCreate")


@_attrs_define
class IpPoolCreate:
    """Create an IPv4 pool: a range of addresses in one subnet.

    Attributes:
        first_address (str):  Example: 203.0.113.10.
        gateway (str):  Example: 203.0.113.1.
        last_address (str):  Example: 203.0.113.250.
        name (str):  Example: public.
        prefix_len (int):  Example: 24.
        description (str | Unset):  Example: Public addresses.
    """

    first_address: str
    gateway: str
    last_address: str
    name: str
    prefix_len: int
    description: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        first_address = self.first_address

        gateway = self.gateway

        last_address = self.last_address

        name = self.name

        prefix_len = self.prefix_len

        description = self.description

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "first_address": first_address,
                "gateway": gateway,
                "last_address": last_address,
                "name": name,
                "prefix_len": prefix_len,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        first_address = d.pop("first_address")

        gateway = d.pop("gateway")

        last_address = d.pop("last_address")

        name = d.pop("name")

        prefix_len = d.pop("prefix_len")

        description = d.pop("description", UNSET)

        ip_pool_create = cls(
            first_address=first_address,
            gateway=gateway,
            last_address=last_address,
            name=name,
            prefix_len=prefix_len,
            description=description,
        )

        return ip_pool_create
