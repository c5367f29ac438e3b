from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.brand import Brand


T = TypeVar("T", bound="PartnerUpdate")


@_attrs_define
class PartnerUpdate:
    """Change a partner. Absent fields stay as they are.

    Attributes:
        brand (Brand | None | Unset):
        description (None | str | Unset):  Example: Reseller for the APAC region.
        host_names (list[str] | None | Unset): Replaces the host names when present. Example: ['cloud.cloudco.example'].
        name (None | str | Unset):  Example: cloudco.
    """

    brand: Brand | None | Unset = UNSET
    description: None | str | Unset = UNSET
    host_names: list[str] | None | Unset = UNSET
    name: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.brand import Brand  # noqa: PLC0415

        brand: dict[str, Any] | None | Unset
        if isinstance(self.brand, Unset):
            brand = UNSET
        elif isinstance(self.brand, Brand):
            brand = self.brand.to_dict()
        else:
            brand = self.brand

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        host_names: list[str] | None | Unset
        if isinstance(self.host_names, Unset):
            host_names = UNSET
        elif isinstance(self.host_names, list):
            host_names = self.host_names

        else:
            host_names = self.host_names

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if brand is not UNSET:
            field_dict["brand"] = brand
        if description is not UNSET:
            field_dict["description"] = description
        if host_names is not UNSET:
            field_dict["host_names"] = host_names
        if name is not UNSET:
            field_dict["name"] = name

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.brand import Brand  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_brand(data: object) -> Brand | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                brand_type_0 = Brand.from_dict(data)

                return brand_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Brand | None | Unset, data)

        brand = _parse_brand(d.pop("brand", UNSET))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_host_names(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                host_names_type_0 = cast(list[str], data)

                return host_names_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        host_names = _parse_host_names(d.pop("host_names", UNSET))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        partner_update = cls(
            brand=brand,
            description=description,
            host_names=host_names,
            name=name,
        )

        return partner_update
