from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Brand")


@_attrs_define
class Brand:
    """How a partner's control panel looks and where its customers get help.

    Attributes:
        accent_color (str): `#rrggbb`. Example: #fbbc04.
        display_name (str): Shown in the control panel's title bar. Example: CloudCo.
        primary_color (str): `#rrggbb`. Example: #1a73e8.
        logo_url (None | str | Unset):  Example: https://cloudco.example/logo.svg.
        support_email (None | str | Unset):  Example: support@cloudco.example.
        support_url (None | str | Unset):  Example: https://cloudco.example/support.
    """

    accent_color: str
    display_name: str
    primary_color: str
    logo_url: None | str | Unset = UNSET
    support_email: None | str | Unset = UNSET
    support_url: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        accent_color = self.accent_color

        display_name = self.display_name

        primary_color = self.primary_color

        logo_url: None | str | Unset
        if isinstance(self.logo_url, Unset):
            logo_url = UNSET
        else:
            logo_url = self.logo_url

        support_email: None | str | Unset
        if isinstance(self.support_email, Unset):
            support_email = UNSET
        else:
            support_email = self.support_email

        support_url: None | str | Unset
        if isinstance(self.support_url, Unset):
            support_url = UNSET
        else:
            support_url = self.support_url

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "accent_color": accent_color,
                "display_name": display_name,
                "primary_color": primary_color,
            }
        )
        if logo_url is not UNSET:
            field_dict["logo_url"] = logo_url
        if support_email is not UNSET:
            field_dict["support_email"] = support_email
        if support_url is not UNSET:
            field_dict["support_url"] = support_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        accent_color = d.pop("accent_color")

        display_name = d.pop("display_name")

        primary_color = d.pop("primary_color")

        def _parse_logo_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        logo_url = _parse_logo_url(d.pop("logo_url", UNSET))

        def _parse_support_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        support_email = _parse_support_email(d.pop("support_email", UNSET))

        def _parse_support_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        support_url = _parse_support_url(d.pop("support_url", UNSET))

        brand = cls(
            accent_color=accent_color,
            display_name=display_name,
            primary_color=primary_color,
            logo_url=logo_url,
            support_email=support_email,
            support_url=support_url,
        )

        return brand
