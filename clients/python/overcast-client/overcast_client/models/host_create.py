from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="HostCreate")


@_attrs_define
class HostCreate:
    """Record a host. Hosts enroll themselves once hostd exists; this records one by hand.

    Attributes:
        address (str): Address the server and other hosts reach it on. Example: 10.0.0.11.
        cpus (int):  Example: 32.
        memory_mib (int):  Example: 131072.
        name (str):  Example: host-01.
        storage_bytes (int):  Example: 4000000000000.
        description (str | Unset):  Example: Rack 4, slot 12.
    """

    address: str
    cpus: int
    memory_mib: int
    name: str
    storage_bytes: int
    description: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        address = self.address

        cpus = self.cpus

        memory_mib = self.memory_mib

        name = self.name

        storage_bytes = self.storage_bytes

        description = self.description

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "address": address,
                "cpus": cpus,
                "memory_mib": memory_mib,
                "name": name,
                "storage_bytes": storage_bytes,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        address = d.pop("address")

        cpus = d.pop("cpus")

        memory_mib = d.pop("memory_mib")

        name = d.pop("name")

        storage_bytes = d.pop("storage_bytes")

        description = d.pop("description", UNSET)

        host_create = cls(
            address=address,
            cpus=cpus,
            memory_mib=memory_mib,
            name=name,
            storage_bytes=storage_bytes,
            description=description,
        )

        return host_create
