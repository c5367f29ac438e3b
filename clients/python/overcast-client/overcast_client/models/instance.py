from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.ha_policy import HaPolicy
from ..models.instance_state import InstanceState
from ..types import UNSET, Unset

T = TypeVar("T", bound="Instance")


@_attrs_define
class Instance:
    """A virtual machine.

    Attributes:
        description (str):  Example: Production web tier.
        id (UUID):  Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
        name (str):  Example: web.
        time_created (datetime.datetime):  Example: 2026-11-24T17:30:00Z.
        time_modified (datetime.datetime):  Example: 2026-11-24T17:30:00Z.
        avoid_instances (list[UUID]):  Example: ['0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b'].
        drive_ids (list[UUID]): The boot drive, then extra drives in order. Example:
            ['0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b'].
        ha_policy (HaPolicy): What happens to an instance when its host fails. Example: restart.
        ip_address_ids (list[UUID]):  Example: ['0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b'].
        memory_mib (int):  Example: 2048.
        project_id (UUID):  Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
        ssh_key_ids (list[UUID]):  Example: ['0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b'].
        state (InstanceState): Lifecycle state of an instance. Example: running.
        vcpus (int):  Example: 2.
        host_id (None | Unset | UUID): The host it runs on, once placed. Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
    """

    description: str
    id: UUID
    name: str
    time_created: datetime.datetime
    time_modified: datetime.datetime
    avoid_instances: list[UUID]
    drive_ids: list[UUID]
    ha_policy: HaPolicy
    ip_address_ids: list[UUID]
    memory_mib: int
    project_id: UUID
    ssh_key_ids: list[UUID]
    state: InstanceState
    vcpus: int
    host_id: None | Unset | UUID = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        description = self.description

        id = str(self.id)

        name = self.name

        time_created = self.time_created.isoformat()

        time_modified = self.time_modified.isoformat()

        avoid_instances = []
        for avoid_instances_item_data in self.avoid_instances:
            avoid_instances_item = str(avoid_instances_item_data)
            avoid_instances.append(avoid_instances_item)

        drive_ids = []
        for drive_ids_item_data in self.drive_ids:
            drive_ids_item = str(drive_ids_item_data)
            drive_ids.append(drive_ids_item)

        ha_policy = self.ha_policy.value

        ip_address_ids = []
        for ip_address_ids_item_data in self.ip_address_ids:
            ip_address_ids_item = str(ip_address_ids_item_data)
            ip_address_ids.append(ip_address_ids_item)

        memory_mib = self.memory_mib

        project_id = str(self.project_id)

        ssh_key_ids = []
        for ssh_key_ids_item_data in self.ssh_key_ids:
            ssh_key_ids_item = str(ssh_key_ids_item_data)
            ssh_key_ids.append(ssh_key_ids_item)

        state = self.state.value

        vcpus = self.vcpus

        host_id: None | str | Unset
        if isinstance(self.host_id, Unset):
            host_id = UNSET
        elif isinstance(self.host_id, UUID):
            host_id = str(self.host_id)
        else:
            host_id = self.host_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "description": description,
                "id": id,
                "name": name,
                "time_created": time_created,
                "time_modified": time_modified,
                "avoid_instances": avoid_instances,
                "drive_ids": drive_ids,
                "ha_policy": ha_policy,
                "ip_address_ids": ip_address_ids,
                "memory_mib": memory_mib,
                "project_id": project_id,
                "ssh_key_ids": ssh_key_ids,
                "state": state,
                "vcpus": vcpus,
            }
        )
        if host_id is not UNSET:
            field_dict["host_id"] = host_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        description = d.pop("description")

        id = UUID(d.pop("id"))

        name = d.pop("name")

        time_created = datetime.datetime.fromisoformat(d.pop("time_created"))

        time_modified = datetime.datetime.fromisoformat(d.pop("time_modified"))

        avoid_instances = []
        _avoid_instances = d.pop("avoid_instances")
        for avoid_instances_item_data in _avoid_instances:
            avoid_instances_item = UUID(avoid_instances_item_data)

            avoid_instances.append(avoid_instances_item)

        drive_ids = []
        _drive_ids = d.pop("drive_ids")
        for drive_ids_item_data in _drive_ids:
            drive_ids_item = UUID(drive_ids_item_data)

            drive_ids.append(drive_ids_item)

        ha_policy = HaPolicy(d.pop("ha_policy"))

        ip_address_ids = []
        _ip_address_ids = d.pop("ip_address_ids")
        for ip_address_ids_item_data in _ip_address_ids:
            ip_address_ids_item = UUID(ip_address_ids_item_data)

            ip_address_ids.append(ip_address_ids_item)

        memory_mib = d.pop("memory_mib")

        project_id = UUID(d.pop("project_id"))

        ssh_key_ids = []
        _ssh_key_ids = d.pop("ssh_key_ids")
        for ssh_key_ids_item_data in _ssh_key_ids:
            ssh_key_ids_item = UUID(ssh_key_ids_item_data)

            ssh_key_ids.append(ssh_key_ids_item)

        state = InstanceState(d.pop("state"))

        vcpus = d.pop("vcpus")

        def _parse_host_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                host_id_type_0 = UUID(data)

                return host_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        host_id = _parse_host_id(d.pop("host_id", UNSET))

        instance = cls(
            description=description,
            id=id,
            name=name,
            time_created=time_created,
            time_modified=time_modified,
            avoid_instances=avoid_instances,
            drive_ids=drive_ids,
            ha_policy=ha_policy,
            ip_address_ids=ip_address_ids,
            memory_mib=memory_mib,
            project_id=project_id,
            ssh_key_ids=ssh_key_ids,
            state=state,
            vcpus=vcpus,
            host_id=host_id,
        )

        instance.additional_properties = d
        return instance

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
