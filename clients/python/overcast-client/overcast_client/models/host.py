from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.host_state import HostState
from ..types import UNSET, Unset

T = TypeVar("T", bound="Host")


@_attrs_define
class Host:
    """A virtualization host.

    Attributes:
        description (str):  Example: Production web tier.
        id (UUID):  Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
        name (str):  Example: web.
        time_created (datetime.datetime):  Example: 2026-11-24T17:30:00Z.
        time_modified (datetime.datetime):  Example: 2026-11-24T17:30:00Z.
        address (str):  Example: 10.0.0.11.
        cpus (int):  Example: 32.
        iscsi_port (int): The TCP port of the host's iSCSI portal. Example: 3260.
        memory_allocated_mib (int): The memory of the instances placed here, stopped ones included. Example: 65536.
        memory_mib (int):  Example: 131072.
        state (HostState): Lifecycle state of a host. Example: active.
        storage_allocated_bytes (int): The sizes of the local drives placed here (sparse files may use
            less; `storage_free_bytes` says what is really free). Example: 500000000000.
        storage_bytes (int):  Example: 4000000000000.
        storage_free_bytes (int): Free space on the host's storage filesystem, as last reported. Example: 3500000000000.
        time_state_changed (datetime.datetime): When `state` last changed. Example: 2026-11-24T17:30:00Z.
        vcpus_allocated (int): The vCPUs of the instances placed here. Stopped instances count: they
            keep their place. It can pass `cpus` by the CPU allocation ratio. Example: 24.
        time_heartbeat (datetime.datetime | None | Unset): When the host last reported in. Example:
            2026-11-24T17:30:00Z.
    """

    description: str
    id: UUID
    name: str
    time_created: datetime.datetime
    time_modified: datetime.datetime
    address: str
    cpus: int
    iscsi_port: int
    memory_allocated_mib: int
    memory_mib: int
    state: HostState
    storage_allocated_bytes: int
    storage_bytes: int
    storage_free_bytes: int
    time_state_changed: datetime.datetime
    vcpus_allocated: int
    time_heartbeat: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        description = self.description

        id = str(self.id)

        name = self.name

        time_created = self.time_created.isoformat()

        time_modified = self.time_modified.isoformat()

        address = self.address

        cpus = self.cpus

        iscsi_port = self.iscsi_port

        memory_allocated_mib = self.memory_allocated_mib

        memory_mib = self.memory_mib

        state = self.state.value

        storage_allocated_bytes = self.storage_allocated_bytes

        storage_bytes = self.storage_bytes

        storage_free_bytes = self.storage_free_bytes

        time_state_changed = self.time_state_changed.isoformat()

        vcpus_allocated = self.vcpus_allocated

        time_heartbeat: None | str | Unset
        if isinstance(self.time_heartbeat, Unset):
            time_heartbeat = UNSET
        elif isinstance(self.time_heartbeat, datetime.datetime):
            time_heartbeat = self.time_heartbeat.isoformat()
        else:
            time_heartbeat = self.time_heartbeat

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "description": description,
                "id": id,
                "name": name,
                "time_created": time_created,
                "time_modified": time_modified,
                "address": address,
                "cpus": cpus,
                "iscsi_port": iscsi_port,
                "memory_allocated_mib": memory_allocated_mib,
                "memory_mib": memory_mib,
                "state": state,
                "storage_allocated_bytes": storage_allocated_bytes,
                "storage_bytes": storage_bytes,
                "storage_free_bytes": storage_free_bytes,
                "time_state_changed": time_state_changed,
                "vcpus_allocated": vcpus_allocated,
            }
        )
        if time_heartbeat is not UNSET:
            field_dict["time_heartbeat"] = time_heartbeat

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        description = d.pop("description")

        id = UUID(d.pop("id"))

        name = d.pop("name")

        time_created = datetime.datetime.fromisoformat(d.pop("time_created"))

        time_modified = datetime.datetime.fromisoformat(d.pop("time_modified"))

        address = d.pop("address")

        cpus = d.pop("cpus")

        iscsi_port = d.pop("iscsi_port")

        memory_allocated_mib = d.pop("memory_allocated_mib")

        memory_mib = d.pop("memory_mib")

        state = HostState(d.pop("state"))

        storage_allocated_bytes = d.pop("storage_allocated_bytes")

        storage_bytes = d.pop("storage_bytes")

        storage_free_bytes = d.pop("storage_free_bytes")

        time_state_changed = datetime.datetime.fromisoformat(d.pop("time_state_changed"))

        vcpus_allocated = d.pop("vcpus_allocated")

        def _parse_time_heartbeat(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                time_heartbeat_type_0 = datetime.datetime.fromisoformat(data)

                return time_heartbeat_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        time_heartbeat = _parse_time_heartbeat(d.pop("time_heartbeat", UNSET))

        host = cls(
            description=description,
            id=id,
            name=name,
            time_created=time_created,
            time_modified=time_modified,
            address=address,
            cpus=cpus,
            iscsi_port=iscsi_port,
            memory_allocated_mib=memory_allocated_mib,
            memory_mib=memory_mib,
            state=state,
            storage_allocated_bytes=storage_allocated_bytes,
            storage_bytes=storage_bytes,
            storage_free_bytes=storage_free_bytes,
            time_state_changed=time_state_changed,
            vcpus_allocated=vcpus_allocated,
            time_heartbeat=time_heartbeat,
        )

        host.additional_properties = d
        return host

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
