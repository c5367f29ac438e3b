from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.brand import Brand


T = TypeVar("T", bound="BrandInfo")


@_attrs_define
class BrandInfo:
    """The brand a console shows on the host it was opened on: a partner's,
    or the operator's own.

        Attributes:
            brand (Brand): How a partner's control panel looks and where its customers get help.
            warnings (list[str]):  Example: [].
            partner_id (None | Unset | UUID): The partner whose brand this is; absent for the operator's. Example:
                0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6c.
    """

    brand: Brand
    warnings: list[str]
    partner_id: None | Unset | UUID = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        brand = self.brand.to_dict()

        warnings = self.warnings

        partner_id: None | str | Unset
        if isinstance(self.partner_id, Unset):
            partner_id = UNSET
        elif isinstance(self.partner_id, UUID):
            partner_id = str(self.partner_id)
        else:
            partner_id = self.partner_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "brand": brand,
                "warnings": warnings,
            }
        )
        if partner_id is not UNSET:
            field_dict["partner_id"] = partner_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.brand import Brand  # noqa: PLC0415

        d = dict(src_dict)
        brand = Brand.from_dict(d.pop("brand"))

        warnings = cast(list[str], d.pop("warnings"))

        def _parse_partner_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                partner_id_type_0 = UUID(data)

                return partner_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        partner_id = _parse_partner_id(d.pop("partner_id", UNSET))

        brand_info = cls(
            brand=brand,
            warnings=warnings,
            partner_id=partner_id,
        )

        brand_info.additional_properties = d
        return brand_info

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
