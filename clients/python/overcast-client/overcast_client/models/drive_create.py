from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.drive_create_storage_class import DriveCreateStorageClass
from ..types import UNSET, Unset

T = TypeVar("T", bound="DriveCreate")


@_attrs_define
class DriveCreate:
    """Create a drive: blank, or a copy of an image.

    Attributes:
        name (str):  Example: data.
        size_bytes (int): Size in bytes: a multiple of 1 MiB, at most 64 TiB. Drives grow live and never shrink.
            Example: 10737418240.
        avoid_drives (list[str] | Unset): Drives (name or id, same project) whose hosts this drive should avoid.
            Example: ['data-replica'].
        avoid_instances (list[str] | Unset): Instances (name or id, same project) whose hosts this drive should avoid.
            Example: ['web-2'].
        description (str | Unset):  Example: Database volume.
        image (None | str | Unset): Name or id of an image to copy onto the drive. Example: debian-12.
        replicas (int | None | Unset): Copies kept on distinct hosts: 1 for a `local` drive (the default),
            2 or 3 for a `replicated` one (default 3). With 3 copies writes go on
            through the loss of one host; with 2 they pause until its copy is
            back. Neither ever acknowledges a write held by fewer than 2 hosts. Example: 3.
        snapshot (None | str | Unset): Name or id of a snapshot (same project) whose data the drive starts
            with, instead of an image: `replicated` drives only, at least the
            snapshot's size. Example: data-before-upgrade.
        storage_class (DriveCreateStorageClass | Unset): Where a drive's data lives: `local` (the default: one copy, a
            sparse
            file on one host, exported over iSCSI) or `replicated` (a Ceph RBD image
            kept on `replicas` different hosts; needs a server with Ceph, else 422). Example: replicated.
    """

    name: str
    size_bytes: int
    avoid_drives: list[str] | Unset = UNSET
    avoid_instances: list[str] | Unset = UNSET
    description: str | Unset = UNSET
    image: None | str | Unset = UNSET
    replicas: int | None | Unset = UNSET
    snapshot: None | str | Unset = UNSET
    storage_class: DriveCreateStorageClass | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        size_bytes = self.size_bytes

        avoid_drives: list[str] | Unset = UNSET
        if not isinstance(self.avoid_drives, Unset):
            avoid_drives = self.avoid_drives

        avoid_instances: list[str] | Unset = UNSET
        if not isinstance(self.avoid_instances, Unset):
            avoid_instances = self.avoid_instances

        description = self.description

        image: None | str | Unset
        if isinstance(self.image, Unset):
            image = UNSET
        else:
            image = self.image

        replicas: int | None | Unset
        if isinstance(self.replicas, Unset):
            replicas = UNSET
        else:
            replicas = self.replicas

        snapshot: None | str | Unset
        if isinstance(self.snapshot, Unset):
            snapshot = UNSET
        else:
            snapshot = self.snapshot

        storage_class: str | Unset = UNSET
        if not isinstance(self.storage_class, Unset):
            storage_class = self.storage_class.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "size_bytes": size_bytes,
            }
        )
        if avoid_drives is not UNSET:
            field_dict["avoid_drives"] = avoid_drives
        if avoid_instances is not UNSET:
            field_dict["avoid_instances"] = avoid_instances
        if description is not UNSET:
            field_dict["description"] = description
        if image is not UNSET:
            field_dict["image"] = image
        if replicas is not UNSET:
            field_dict["replicas"] = replicas
        if snapshot is not UNSET:
            field_dict["snapshot"] = snapshot
        if storage_class is not UNSET:
            field_dict["storage_class"] = storage_class

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        size_bytes = d.pop("size_bytes")

        avoid_drives = cast(list[str], d.pop("avoid_drives", UNSET))

        avoid_instances = cast(list[str], d.pop("avoid_instances", UNSET))

        description = d.pop("description", UNSET)

        def _parse_image(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        image = _parse_image(d.pop("image", UNSET))

        def _parse_replicas(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        replicas = _parse_replicas(d.pop("replicas", UNSET))

        def _parse_snapshot(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        snapshot = _parse_snapshot(d.pop("snapshot", UNSET))

        _storage_class = d.pop("storage_class", UNSET)
        storage_class: DriveCreateStorageClass | Unset
        if isinstance(_storage_class, Unset):
            storage_class = UNSET
        else:
            storage_class = DriveCreateStorageClass(_storage_class)

        drive_create = cls(
            name=name,
            size_bytes=size_bytes,
            avoid_drives=avoid_drives,
            avoid_instances=avoid_instances,
            description=description,
            image=image,
            replicas=replicas,
            snapshot=snapshot,
            storage_class=storage_class,
        )

        return drive_create
