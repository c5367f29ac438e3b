from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SerialOutput")


@_attrs_define
class SerialOutput:
    """A chunk of an instance's serial console log.

    Attributes:
        data (str): The console text (invalid UTF-8 replaced). Example: OVERCAST-READY hostname=web-1 address=none
            ssh_keys=0 disks=vda:64M
            .
        next_offset (int): Pass as `?offset=` to read what comes next. Example: 4096.
        size (int): The log's size now, in bytes. Example: 4096.
    """

    data: str
    next_offset: int
    size: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = self.data

        next_offset = self.next_offset

        size = self.size

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data": data,
                "next_offset": next_offset,
                "size": size,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        data = d.pop("data")

        next_offset = d.pop("next_offset")

        size = d.pop("size")

        serial_output = cls(
            data=data,
            next_offset=next_offset,
            size=size,
        )

        serial_output.additional_properties = d
        return serial_output

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
