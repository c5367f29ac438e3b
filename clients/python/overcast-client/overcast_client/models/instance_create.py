from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.instance_create_boot_drive_storage_class_type_0 import InstanceCreateBootDriveStorageClassType0
from ..models.instance_create_ha_policy import InstanceCreateHaPolicy
from ..types import UNSET, Unset

T = TypeVar("T", bound="InstanceCreate")


@_attrs_define
class InstanceCreate:
    """Create an instance: composed from drives and IPs allocated beforehand,
    or in the quick form from an image, which makes the boot drive too.

        Attributes:
            memory_mib (int):  Example: 2048.
            name (str):  Example: web-1.
            vcpus (int):  Example: 2.
            avoid_instances (list[str] | Unset): Instances (name or id, same project) this one should not share a host with.
                Example: ['web-2'].
            boot_drive (None | str | Unset): Name or id of an available drive to boot from. Give this or `image`. Example:
                web-1-boot.
            boot_drive_delete_with_instance (bool | None | Unset): Quick form: delete the new boot drive when the instance
                is deleted
                (default true). Drives composed into an instance are always kept. Example: True.
            boot_drive_size_bytes (int | None | Unset): Quick form: the size in bytes of the new boot drive (default: the
                image's minimum). Example: 10737418240.
            boot_drive_storage_class (InstanceCreateBootDriveStorageClassType0 | None | Unset): Quick form: the new boot
                drive's storage class (default `local`, a
                copy of the image). A `replicated` boot drive is a copy-on-write
                clone of the image, made in the same time whatever its size, with
                3 copies.
            description (str | Unset):  Example: Frontend.
            drives (list[str] | Unset): Extra drives, in order (name or id, same project, available). Example: ['data'].
            ha_policy (InstanceCreateHaPolicy | Unset): What happens to an instance when its host fails. Example: restart.
            image (None | str | Unset): Quick form: the image the new boot drive is copied from. Example: debian-12.
            ip_addresses (list[str] | Unset): IP addresses (name or id, same project, unattached). Example:
                ['web-1-public'].
            ssh_keys (list[str] | Unset): SSH keys (name or id, same account) installed at first boot. Example: ['laptop'].
            start (bool | Unset): Start the instance once created (default true). Example: True.
            user_data (str | Unset): cloud-init user-data, at most 64 KiB. Example: #cloud-config
                packages: [nginx]
                .
    """

    memory_mib: int
    name: str
    vcpus: int
    avoid_instances: list[str] | Unset = UNSET
    boot_drive: None | str | Unset = UNSET
    boot_drive_delete_with_instance: bool | None | Unset = UNSET
    boot_drive_size_bytes: int | None | Unset = UNSET
    boot_drive_storage_class: InstanceCreateBootDriveStorageClassType0 | None | Unset = UNSET
    description: str | Unset = UNSET
    drives: list[str] | Unset = UNSET
    ha_policy: InstanceCreateHaPolicy | Unset = UNSET
    image: None | str | Unset = UNSET
    ip_addresses: list[str] | Unset = UNSET
    ssh_keys: list[str] | Unset = UNSET
    start: bool | Unset = UNSET
    user_data: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        memory_mib = self.memory_mib

        name = self.name

        vcpus = self.vcpus

        avoid_instances: list[str] | Unset = UNSET
        if not isinstance(self.avoid_instances, Unset):
            avoid_instances = self.avoid_instances

        boot_drive: None | str | Unset
        if isinstance(self.boot_drive, Unset):
            boot_drive = UNSET
        else:
            boot_drive = self.boot_drive

        boot_drive_delete_with_instance: bool | None | Unset
        if isinstance(self.boot_drive_delete_with_instance, Unset):
            boot_drive_delete_with_instance = UNSET
        else:
            boot_drive_delete_with_instance = self.boot_drive_delete_with_instance

        boot_drive_size_bytes: int | None | Unset
        if isinstance(self.boot_drive_size_bytes, Unset):
            boot_drive_size_bytes = UNSET
        else:
            boot_drive_size_bytes = self.boot_drive_size_bytes

        boot_drive_storage_class: None | str | Unset
        if isinstance(self.boot_drive_storage_class, Unset):
            boot_drive_storage_class = UNSET
        elif isinstance(self.boot_drive_storage_class, InstanceCreateBootDriveStorageClassType0):
            boot_drive_storage_class = self.boot_drive_storage_class.value
        else:
            boot_drive_storage_class = self.boot_drive_storage_class

        description = self.description

        drives: list[str] | Unset = UNSET
        if not isinstance(self.drives, Unset):
            drives = self.drives

        ha_policy: str | Unset = UNSET
        if not isinstance(self.ha_policy, Unset):
            ha_policy = self.ha_policy.value

        image: None | str | Unset
        if isinstance(self.image, Unset):
            image = UNSET
        else:
            image = self.image

        ip_addresses: list[str] | Unset = UNSET
        if not isinstance(self.ip_addresses, Unset):
            ip_addresses = self.ip_addresses

        ssh_keys: list[str] | Unset = UNSET
        if not isinstance(self.ssh_keys, Unset):
            ssh_keys = self.ssh_keys

        start = self.start

        user_data = self.user_data

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "memory_mib": memory_mib,
                "name": name,
                "vcpus": vcpus,
            }
        )
        if avoid_instances is not UNSET:
            field_dict["avoid_instances"] = avoid_instances
        if boot_drive is not UNSET:
            field_dict["boot_drive"] = boot_drive
        if boot_drive_delete_with_instance is not UNSET:
            field_dict["boot_drive_delete_with_instance"] = boot_drive_delete_with_instance
        if boot_drive_size_bytes is not UNSET:
            field_dict["boot_drive_size_bytes"] = boot_drive_size_bytes
        if boot_drive_storage_class is not UNSET:
            field_dict["boot_drive_storage_class"] = boot_drive_storage_class
        if description is not UNSET:
            field_dict["description"] = description
        if drives is not UNSET:
            field_dict["drives"] = drives
        if ha_policy is not UNSET:
            field_dict["ha_policy"] = ha_policy
        if image is not UNSET:
            field_dict["image"] = image
        if ip_addresses is not UNSET:
            field_dict["ip_addresses"] = ip_addresses
        if ssh_keys is not UNSET:
            field_dict["ssh_keys"] = ssh_keys
        if start is not UNSET:
            field_dict["start"] = start
        if user_data is not UNSET:
            field_dict["user_data"] = user_data

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        memory_mib = d.pop("memory_mib")

        name = d.pop("name")

        vcpus = d.pop("vcpus")

        avoid_instances = cast(list[str], d.pop("avoid_instances", UNSET))

        def _parse_boot_drive(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        boot_drive = _parse_boot_drive(d.pop("boot_drive", UNSET))

        def _parse_boot_drive_delete_with_instance(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        boot_drive_delete_with_instance = _parse_boot_drive_delete_with_instance(
            d.pop("boot_drive_delete_with_instance", UNSET)
        )

        def _parse_boot_drive_size_bytes(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        boot_drive_size_bytes = _parse_boot_drive_size_bytes(d.pop("boot_drive_size_bytes", UNSET))

        def _parse_boot_drive_storage_class(data: object) -> InstanceCreateBootDriveStorageClassType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                boot_drive_storage_class_type_0 = InstanceCreateBootDriveStorageClassType0(data)

                return boot_drive_storage_class_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(InstanceCreateBootDriveStorageClassType0 | None | Unset, data)

        boot_drive_storage_class = _parse_boot_drive_storage_class(d.pop("boot_drive_storage_class", UNSET))

        description = d.pop("description", UNSET)

        drives = cast(list[str], d.pop("drives", UNSET))

        _ha_policy = d.pop("ha_policy", UNSET)
        ha_policy: InstanceCreateHaPolicy | Unset
        if isinstance(_ha_policy, Unset):
            ha_policy = UNSET
        else:
            ha_policy = InstanceCreateHaPolicy(_ha_policy)

        def _parse_image(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        image = _parse_image(d.pop("image", UNSET))

        ip_addresses = cast(list[str], d.pop("ip_addresses", UNSET))

        ssh_keys = cast(list[str], d.pop("ssh_keys", UNSET))

        start = d.pop("start", UNSET)

        user_data = d.pop("user_data", UNSET)

        instance_create = cls(
            memory_mib=memory_mib,
            name=name,
            vcpus=vcpus,
            avoid_instances=avoid_instances,
            boot_drive=boot_drive,
            boot_drive_delete_with_instance=boot_drive_delete_with_instance,
            boot_drive_size_bytes=boot_drive_size_bytes,
            boot_drive_storage_class=boot_drive_storage_class,
            description=description,
            drives=drives,
            ha_policy=ha_policy,
            image=image,
            ip_addresses=ip_addresses,
            ssh_keys=ssh_keys,
            start=start,
            user_data=user_data,
        )

        return instance_create
