from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.brand import Brand


T = TypeVar("T", bound="Partner")


@_attrs_define
class Partner:
    """A white-label reseller.

    Attributes:
        description (str):  Example: Production web tier.
        id (UUID):  Example: 0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b.
        name (str):  Example: web.
        time_created (datetime.datetime):  Example: 2026-11-24T17:30:00Z.
        time_modified (datetime.datetime):  Example: 2026-11-24T17:30:00Z.
        brand (Brand): How a partner's control panel looks and where its customers get help.
        brand_warnings (list[str]): What in the brand falls short of WCAG AA contrast (empty when nothing). Example:
            ['primary_color #a0c4ff has a contrast of 1.9:1 with white text; WCAG AA needs 4.5:1'].
        host_names (list[str]):  Example: ['cloud.cloudco.example'].
    """

    description: str
    id: UUID
    name: str
    time_created: datetime.datetime
    time_modified: datetime.datetime
    brand: Brand
    brand_warnings: list[str]
    host_names: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        description = self.description

        id = str(self.id)

        name = self.name

        time_created = self.time_created.isoformat()

        time_modified = self.time_modified.isoformat()

        brand = self.brand.to_dict()

        brand_warnings = self.brand_warnings

        host_names = self.host_names

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "description": description,
                "id": id,
                "name": name,
                "time_created": time_created,
                "time_modified": time_modified,
                "brand": brand,
                "brand_warnings": brand_warnings,
                "host_names": host_names,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.brand import Brand  # noqa: PLC0415

        d = dict(src_dict)
        description = d.pop("description")

        id = UUID(d.pop("id"))

        name = d.pop("name")

        time_created = datetime.datetime.fromisoformat(d.pop("time_created"))

        time_modified = datetime.datetime.fromisoformat(d.pop("time_modified"))

        brand = Brand.from_dict(d.pop("brand"))

        brand_warnings = cast(list[str], d.pop("brand_warnings"))

        host_names = cast(list[str], d.pop("host_names"))

        partner = cls(
            description=description,
            id=id,
            name=name,
            time_created=time_created,
            time_modified=time_modified,
            brand=brand,
            brand_warnings=brand_warnings,
            host_names=host_names,
        )

        partner.additional_properties = d
        return partner

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
