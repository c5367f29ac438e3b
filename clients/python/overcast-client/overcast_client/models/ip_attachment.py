from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="IpAttachment")


@_attrs_define
class IpAttachment:
    """Attach or detach an IP address. The instance must be stopped.

    Attributes:
        ip_address (str): Name or id of the IP address (same project). Example: web-1-public.
    """

    ip_address: str

    def to_dict(self) -> dict[str, Any]:
        ip_address = self.ip_address

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "ip_address": ip_address,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        ip_address = d.pop("ip_address")

        ip_attachment = cls(
            ip_address=ip_address,
        )

        return ip_attachment
