from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.drive_state import DriveState
from ..models.storage_class import StorageClass
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.replication import Replication


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
        snapshots_size_bytes (int): What its snapshots count for: the sum of the drive's size when
            each was taken. Example: 21474836480.
        state (DriveState): Lifecycle state of a drive. Example: available.
        storage_class (StorageClass): Where a drive's data lives: `local` (the default: one copy, a sparse
            file on one host, exported over iSCSI) or `replicated` (a Ceph RBD image
            kept on `replicas` different hosts; needs a server with Ceph, else 422). Example: replicated.
        total_size_bytes (int): `size_bytes` plus `snapshots_size_bytes`: what the drive is metered
            for. Example: 32212254720.
        host_id (None | Unset | UUID): The host whose storage holds a `local` drive; none for a
            `replicated` one, which Ceph spreads over several. Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
        image_id (None | Unset | UUID):  Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
        instance_id (None | Unset | UUID): The instance it is attached to, if any. Example:
            0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
        replication (None | Replication | Unset):
        slot (int | None | Unset): Its position on that instance: 0 is the boot drive. Example: 0.
        snapshot_id (None | Unset | UUID): The snapshot the drive's data was copied from, if any. Example:
            0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
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
    snapshots_size_bytes: int
    state: DriveState
    storage_class: StorageClass
    total_size_bytes: int
    host_id: None | Unset | UUID = UNSET
    image_id: None | Unset | UUID = UNSET
    instance_id: None | Unset | UUID = UNSET
    replication: None | Replication | Unset = UNSET
    slot: int | None | Unset = UNSET
    snapshot_id: None | Unset | UUID = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.replication import Replication  # noqa: PLC0415

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

        snapshots_size_bytes = self.snapshots_size_bytes

        state = self.state.value

        storage_class = self.storage_class.value

        total_size_bytes = self.total_size_bytes

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

        replication: dict[str, Any] | None | Unset
        if isinstance(self.replication, Unset):
            replication = UNSET
        elif isinstance(self.replication, Replication):
            replication = self.replication.to_dict()
        else:
            replication = self.replication

        slot: int | None | Unset
        if isinstance(self.slot, Unset):
            slot = UNSET
        else:
            slot = self.slot

        snapshot_id: None | str | Unset
        if isinstance(self.snapshot_id, Unset):
            snapshot_id = UNSET
        elif isinstance(self.snapshot_id, UUID):
            snapshot_id = str(self.snapshot_id)
        else:
            snapshot_id = self.snapshot_id

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
                "snapshots_size_bytes": snapshots_size_bytes,
                "state": state,
                "storage_class": storage_class,
                "total_size_bytes": total_size_bytes,
            }
        )
        if host_id is not UNSET:
            field_dict["host_id"] = host_id
        if image_id is not UNSET:
            field_dict["image_id"] = image_id
        if instance_id is not UNSET:
            field_dict["instance_id"] = instance_id
        if replication is not UNSET:
            field_dict["replication"] = replication
        if slot is not UNSET:
            field_dict["slot"] = slot
        if snapshot_id is not UNSET:
            field_dict["snapshot_id"] = snapshot_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.replication import Replication  # noqa: PLC0415

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

        snapshots_size_bytes = d.pop("snapshots_size_bytes")

        state = DriveState(d.pop("state"))

        storage_class = StorageClass(d.pop("storage_class"))

        total_size_bytes = d.pop("total_size_bytes")

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

        def _parse_replication(data: object) -> None | Replication | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                replication_type_0 = Replication.from_dict(data)

                return replication_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Replication | Unset, data)

        replication = _parse_replication(d.pop("replication", UNSET))

        def _parse_slot(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        slot = _parse_slot(d.pop("slot", UNSET))

        def _parse_snapshot_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                snapshot_id_type_0 = UUID(data)

                return snapshot_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        snapshot_id = _parse_snapshot_id(d.pop("snapshot_id", UNSET))

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
            snapshots_size_bytes=snapshots_size_bytes,
            state=state,
            storage_class=storage_class,
            total_size_bytes=total_size_bytes,
            host_id=host_id,
            image_id=image_id,
            instance_id=instance_id,
            replication=replication,
            slot=slot,
            snapshot_id=snapshot_id,
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
