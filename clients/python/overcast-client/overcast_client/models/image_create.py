from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.image_create_architecture import ImageCreateArchitecture
from ..models.image_create_boot_mode import ImageCreateBootMode
from ..types import UNSET, Unset

T = TypeVar("T", bound="ImageCreate")


@_attrs_define
class ImageCreate:
    """Register an OS template.

    Attributes:
        architecture (ImageCreateArchitecture): CPU architecture of an image. Example: x86_64.
        boot_mode (ImageCreateBootMode): How an image boots. Example: firmware.
        min_size_bytes (int): The smallest drive, in bytes, the image fits on. Example: 2147483648.
        name (str):  Example: debian-12.
        os_family (str):  Example: debian.
        source_url (str): Where a host fetches the image (`http(s)://` or `file://`). Example:
            https://images.example/debian-12.raw.
        description (str | Unset):  Example: Debian 12 with cloud-init.
        system (bool | Unset): Make a system-wide image (operators only). Otherwise the image belongs to the account.
            Example: True.
    """

    architecture: ImageCreateArchitecture
    boot_mode: ImageCreateBootMode
    min_size_bytes: int
    name: str
    os_family: str
    source_url: str
    description: str | Unset = UNSET
    system: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        architecture = self.architecture.value

        boot_mode = self.boot_mode.value

        min_size_bytes = self.min_size_bytes

        name = self.name

        os_family = self.os_family

        source_url = self.source_url

        description = self.description

        system = self.system

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "architecture": architecture,
                "boot_mode": boot_mode,
                "min_size_bytes": min_size_bytes,
                "name": name,
                "os_family": os_family,
                "source_url": source_url,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if system is not UNSET:
            field_dict["system"] = system

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        architecture = ImageCreateArchitecture(d.pop("architecture"))

        boot_mode = ImageCreateBootMode(d.pop("boot_mode"))

        min_size_bytes = d.pop("min_size_bytes")

        name = d.pop("name")

        os_family = d.pop("os_family")

        source_url = d.pop("source_url")

        description = d.pop("description", UNSET)

        system = d.pop("system", UNSET)

        image_create = cls(
            architecture=architecture,
            boot_mode=boot_mode,
            min_size_bytes=min_size_bytes,
            name=name,
            os_family=os_family,
            source_url=source_url,
            description=description,
            system=system,
        )

        return image_create
