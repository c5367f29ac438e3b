from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.drive_state import DriveState
from ..models.storage_class import StorageClass
from ..types import UNSET, Unset

T = TypeVar("T", bound="Drive")


@_attrs_define
class Drive:
    """A virtual drive.

    Attributes:
        description (str):  Example: Production web tier.
        id (UUID):  Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
        name (str):  Example: web.
        time_created (datetime.datetime):  Example: 2026-11-24T17:30:00Z.
        time_modified (datetime.datetime):  Example: 2026-11-24T17:30:00Z.
        avoid_drives (list[UUID]):  Example: ['0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b'].
        avoid_instances (list[UUID]):  Example: ['0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b'].
        delete_with_instance (bool): Deleted together with the instance it is attached to: set on the
            boot drive the quick form of instance creation makes, unless that
            create said `boot_drive_delete_with_instance: false`. Example: False.
        project_id (UUID):  Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
        replicas (int): Copies kept on distinct hosts. Example: 3.
        size_bytes (int):  Example: 10737418240.
        state (DriveState): Lifecycle state of a drive. Example: available.
        storage_class (StorageClass): Where a drive's data lives: `local` (the default: one copy, a sparse
            file on one host, exported over iSCSI) or `replicated` (a Ceph RBD image
            kept on `replicas` different hosts; needs a server with Ceph, else 422). Example: replicated.
        host_id (None | Unset | UUID): The host whose storage holds a `local` drive; none for a
            `replicated` one, which Ceph spreads over several. Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
        image_id (None | Unset | UUID):  Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
        instance_id (None | Unset | UUID): The instance it is attached to, if any. Example:
            0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
        slot (int | None | Unset): Its position on that instance: 0 is the boot drive. Example: 0.
    """

    description: str
    id: UUID
    name: str
    time_created: datetime.datetime
    time_modified: datetime.datetime
    avoid_drives: list[UUID]
    avoid_instances: list[UUID]
    delete_with_instance: bool
    project_id: UUID
    replicas: int
    size_bytes: int
    state: DriveState
    storage_class: StorageClass
    host_id: None | Unset | UUID = UNSET
    image_id: None | Unset | UUID = UNSET
    instance_id: None | Unset | UUID = UNSET
    slot: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        description = self.description

        id = str(self.id)

        name = self.name

        time_created = self.time_created.isoformat()

        time_modified = self.time_modified.isoformat()

        avoid_drives = []
        for avoid_drives_item_data in self.avoid_drives:
            avoid_drives_item = str(avoid_drives_item_data)
            avoid_drives.append(avoid_drives_item)

        avoid_instances = []
        for avoid_instances_item_data in self.avoid_instances:
            avoid_instances_item = str(avoid_instances_item_data)
            avoid_instances.append(avoid_instances_item)

        delete_with_instance = self.delete_with_instance

        project_id = str(self.project_id)

        replicas = self.replicas

        size_bytes = self.size_bytes

        state = self.state.value

        storage_class = self.storage_class.value

        host_id: None | str | Unset
        if isinstance(self.host_id, Unset):
            host_id = UNSET
        elif isinstance(self.host_id, UUID):
            host_id = str(self.host_id)
        else:
            host_id = self.host_id

        image_id: None | str | Unset
        if isinstance(self.image_id, Unset):
            image_id = UNSET
        elif isinstance(self.image_id, UUID):
            image_id = str(self.image_id)
        else:
            image_id = self.image_id

        instance_id: None | str | Unset
        if isinstance(self.instance_id, Unset):
            instance_id = UNSET
        elif isinstance(self.instance_id, UUID):
            instance_id = str(self.instance_id)
        else:
            instance_id = self.instance_id

        slot: int | None | Unset
        if isinstance(self.slot, Unset):
            slot = UNSET
        else:
            slot = self.slot

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "description": description,
                "id": id,
                "name": name,
                "time_created": time_created,
                "time_modified": time_modified,
                "avoid_drives": avoid_drives,
                "avoid_instances": avoid_instances,
                "delete_with_instance": delete_with_instance,
                "project_id": project_id,
                "replicas": replicas,
                "size_bytes": size_bytes,
                "state": state,
                "storage_class": storage_class,
            }
        )
        if host_id is not UNSET:
            field_dict["host_id"] = host_id
        if image_id is not UNSET:
            field_dict["image_id"] = image_id
        if instance_id is not UNSET:
            field_dict["instance_id"] = instance_id
        if slot is not UNSET:
            field_dict["slot"] = slot

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        description = d.pop("description")

        id = UUID(d.pop("id"))

        name = d.pop("name")

        time_created = datetime.datetime.fromisoformat(d.pop("time_created"))

        time_modified = datetime.datetime.fromisoformat(d.pop("time_modified"))

        avoid_drives = []
        _avoid_drives = d.pop("avoid_drives")
        for avoid_drives_item_data in _avoid_drives:
            avoid_drives_item = UUID(avoid_drives_item_data)

            avoid_drives.append(avoid_drives_item)

        avoid_instances = []
        _avoid_instances = d.pop("avoid_instances")
        for avoid_instances_item_data in _avoid_instances:
            avoid_instances_item = UUID(avoid_instances_item_data)

            avoid_instances.append(avoid_instances_item)

        delete_with_instance = d.pop("delete_with_instance")

        project_id = UUID(d.pop("project_id"))

        replicas = d.pop("replicas")

        size_bytes = d.pop("size_bytes")

        state = DriveState(d.pop("state"))

        storage_class = StorageClass(d.pop("storage_class"))

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

        def _parse_image_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                image_id_type_0 = UUID(data)

                return image_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        image_id = _parse_image_id(d.pop("image_id", UNSET))

        def _parse_instance_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                instance_id_type_0 = UUID(data)

                return instance_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        instance_id = _parse_instance_id(d.pop("instance_id", UNSET))

        def _parse_slot(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        slot = _parse_slot(d.pop("slot", UNSET))

        drive = cls(
            description=description,
            id=id,
            name=name,
            time_created=time_created,
            time_modified=time_modified,
            avoid_drives=avoid_drives,
            avoid_instances=avoid_instances,
            delete_with_instance=delete_with_instance,
            project_id=project_id,
            replicas=replicas,
            size_bytes=size_bytes,
            state=state,
            storage_class=storage_class,
            host_id=host_id,
            image_id=image_id,
            instance_id=instance_id,
            slot=slot,
        )

        drive.additional_properties = d
        return drive

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
