from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.partner_create_brand import PartnerCreateBrand


T = TypeVar("T", bound="PartnerCreate")


@_attrs_define
class PartnerCreate:
    """Create a partner (white-label reseller).

    Attributes:
        brand (PartnerCreateBrand): How a partner's control panel looks and where its customers get help.
        name (str):  Example: cloudco.
        description (str | Unset):  Example: Reseller for the APAC region.
        host_names (list[str] | Unset): Host names the partner's customers open the console on (at most
            20; lowercase, no port). No two partners share one. Example: ['cloud.cloudco.example'].
    """

    brand: PartnerCreateBrand
    name: str
    description: str | Unset = UNSET
    host_names: list[str] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        brand = self.brand.to_dict()

        name = self.name

        description = self.description

        host_names: list[str] | Unset = UNSET
        if not isinstance(self.host_names, Unset):
            host_names = self.host_names

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "brand": brand,
                "name": name,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if host_names is not UNSET:
            field_dict["host_names"] = host_names

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.partner_create_brand import PartnerCreateBrand  # noqa: PLC0415

        d = dict(src_dict)
        brand = PartnerCreateBrand.from_dict(d.pop("brand"))

        name = d.pop("name")

        description = d.pop("description", UNSET)

        host_names = cast(list[str], d.pop("host_names", UNSET))

        partner_create = cls(
            brand=brand,
            name=name,
            description=description,
            host_names=host_names,
        )

        return partner_create
