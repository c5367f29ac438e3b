from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.architecture import Architecture
from ..models.boot_mode import BootMode
from ..types import UNSET, Unset

T = TypeVar("T", bound="Image")


@_attrs_define
class Image:
    """An OS template.

    Attributes:
        description (str):  Example: Production web tier.
        id (UUID):  Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
        name (str):  Example: web.
        time_created (datetime.datetime):  Example: 2026-11-24T17:30:00Z.
        time_modified (datetime.datetime):  Example: 2026-11-24T17:30:00Z.
        architecture (Architecture): CPU architecture of an image. Example: x86_64.
        boot_mode (BootMode): How an image boots. Example: firmware.
        min_size_bytes (int):  Example: 2147483648.
        os_family (str):  Example: debian.
        source_url (str):  Example: https://images.example/debian-12.raw.
        account_id (None | Unset | UUID): The owning account; absent for system-wide images. Example:
            0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
    """

    description: str
    id: UUID
    name: str
    time_created: datetime.datetime
    time_modified: datetime.datetime
    architecture: Architecture
    boot_mode: BootMode
    min_size_bytes: int
    os_family: str
    source_url: str
    account_id: None | Unset | UUID = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        description = self.description

        id = str(self.id)

        name = self.name

        time_created = self.time_created.isoformat()

        time_modified = self.time_modified.isoformat()

        architecture = self.architecture.value

        boot_mode = self.boot_mode.value

        min_size_bytes = self.min_size_bytes

        os_family = self.os_family

        source_url = self.source_url

        account_id: None | str | Unset
        if isinstance(self.account_id, Unset):
            account_id = UNSET
        elif isinstance(self.account_id, UUID):
            account_id = str(self.account_id)
        else:
            account_id = self.account_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "description": description,
                "id": id,
                "name": name,
                "time_created": time_created,
                "time_modified": time_modified,
                "architecture": architecture,
                "boot_mode": boot_mode,
                "min_size_bytes": min_size_bytes,
                "os_family": os_family,
                "source_url": source_url,
            }
        )
        if account_id is not UNSET:
            field_dict["account_id"] = account_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        description = d.pop("description")

        id = UUID(d.pop("id"))

        name = d.pop("name")

        time_created = datetime.datetime.fromisoformat(d.pop("time_created"))

        time_modified = datetime.datetime.fromisoformat(d.pop("time_modified"))

        architecture = Architecture(d.pop("architecture"))

        boot_mode = BootMode(d.pop("boot_mode"))

        min_size_bytes = d.pop("min_size_bytes")

        os_family = d.pop("os_family")

        source_url = d.pop("source_url")

        def _parse_account_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                account_id_type_0 = UUID(data)

                return account_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        account_id = _parse_account_id(d.pop("account_id", UNSET))

        image = cls(
            description=description,
            id=id,
            name=name,
            time_created=time_created,
            time_modified=time_modified,
            architecture=architecture,
            boot_mode=boot_mode,
            min_size_bytes=min_size_bytes,
            os_family=os_family,
            source_url=source_url,
            account_id=account_id,
        )

        image.additional_properties = d
        return image

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
