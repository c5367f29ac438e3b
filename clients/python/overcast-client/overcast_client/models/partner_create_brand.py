from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.partner_create_brand_hidden_sections_item import PartnerCreateBrandHiddenSectionsItem
from ..models.partner_create_brand_navigation import PartnerCreateBrandNavigation
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.brand_link import BrandLink


T = TypeVar("T", bound="PartnerCreateBrand")


@_attrs_define
class PartnerCreateBrand:
    """How a partner's control panel looks and where its customers get help.

    Attributes:
        accent_color (str): `#rrggbb`. Example: #fbbc04.
        display_name (str): Shown in the control panel's title bar. Example: CloudCo.
        primary_color (str): `#rrggbb`. Example: #1a73e8.
        favicon_url (None | str | Unset): The browser tab's icon. Example: https://cloudco.example/favicon.png.
        footer_links (list[BrandLink] | Unset): Links in the console's footer (at most 10).
        hidden_sections (list[PartnerCreateBrandHiddenSectionsItem] | Unset): Console sections this brand's customers do
            not see. Example: ['events'].
        logo_url (None | str | Unset):  Example: https://cloudco.example/logo.svg.
        navigation (PartnerCreateBrandNavigation | Unset): Where the console puts its navigation. Example: side.
        support_email (None | str | Unset):  Example: support@cloudco.example.
        support_phone (None | str | Unset): As people dial it; digits, spaces and `+()-.` only. Example: +61 2 5550
            1234.
        support_url (None | str | Unset):  Example: https://cloudco.example/support.
    """

    accent_color: str
    display_name: str
    primary_color: str
    favicon_url: None | str | Unset = UNSET
    footer_links: list[BrandLink] | Unset = UNSET
    hidden_sections: list[PartnerCreateBrandHiddenSectionsItem] | Unset = UNSET
    logo_url: None | str | Unset = UNSET
    navigation: PartnerCreateBrandNavigation | Unset = UNSET
    support_email: None | str | Unset = UNSET
    support_phone: None | str | Unset = UNSET
    support_url: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        accent_color = self.accent_color

        display_name = self.display_name

        primary_color = self.primary_color

        favicon_url: None | str | Unset
        if isinstance(self.favicon_url, Unset):
            favicon_url = UNSET
        else:
            favicon_url = self.favicon_url

        footer_links: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.footer_links, Unset):
            footer_links = []
            for footer_links_item_data in self.footer_links:
                footer_links_item = footer_links_item_data.to_dict()
                footer_links.append(footer_links_item)

        hidden_sections: list[str] | Unset = UNSET
        if not isinstance(self.hidden_sections, Unset):
            hidden_sections = []
            for hidden_sections_item_data in self.hidden_sections:
                hidden_sections_item = hidden_sections_item_data.value
                hidden_sections.append(hidden_sections_item)

        logo_url: None | str | Unset
        if isinstance(self.logo_url, Unset):
            logo_url = UNSET
        else:
            logo_url = self.logo_url

        navigation: str | Unset = UNSET
        if not isinstance(self.navigation, Unset):
            navigation = self.navigation.value

        support_email: None | str | Unset
        if isinstance(self.support_email, Unset):
            support_email = UNSET
        else:
            support_email = self.support_email

        support_phone: None | str | Unset
        if isinstance(self.support_phone, Unset):
            support_phone = UNSET
        else:
            support_phone = self.support_phone

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
        if favicon_url is not UNSET:
            field_dict["favicon_url"] = favicon_url
        if footer_links is not UNSET:
            field_dict["footer_links"] = footer_links
        if hidden_sections is not UNSET:
            field_dict["hidden_sections"] = hidden_sections
        if logo_url is not UNSET:
            field_dict["logo_url"] = logo_url
        if navigation is not UNSET:
            field_dict["navigation"] = navigation
        if support_email is not UNSET:
            field_dict["support_email"] = support_email
        if support_phone is not UNSET:
            field_dict["support_phone"] = support_phone
        if support_url is not UNSET:
            field_dict["support_url"] = support_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.brand_link import BrandLink  # noqa: PLC0415

        d = dict(src_dict)
        accent_color = d.pop("accent_color")

        display_name = d.pop("display_name")

        primary_color = d.pop("primary_color")

        def _parse_favicon_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        favicon_url = _parse_favicon_url(d.pop("favicon_url", UNSET))

        _footer_links = d.pop("footer_links", UNSET)
        footer_links: list[BrandLink] | Unset = UNSET
        if _footer_links is not UNSET:
            footer_links = []
            for footer_links_item_data in _footer_links:
                footer_links_item = BrandLink.from_dict(footer_links_item_data)

                footer_links.append(footer_links_item)

        _hidden_sections = d.pop("hidden_sections", UNSET)
        hidden_sections: list[PartnerCreateBrandHiddenSectionsItem] | Unset = UNSET
        if _hidden_sections is not UNSET:
            hidden_sections = []
            for hidden_sections_item_data in _hidden_sections:
                hidden_sections_item = PartnerCreateBrandHiddenSectionsItem(hidden_sections_item_data)

                hidden_sections.append(hidden_sections_item)

        def _parse_logo_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        logo_url = _parse_logo_url(d.pop("logo_url", UNSET))

        _navigation = d.pop("navigation", UNSET)
        navigation: PartnerCreateBrandNavigation | Unset
        if isinstance(_navigation, Unset):
            navigation = UNSET
        else:
            navigation = PartnerCreateBrandNavigation(_navigation)

        def _parse_support_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        support_email = _parse_support_email(d.pop("support_email", UNSET))

        def _parse_support_phone(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        support_phone = _parse_support_phone(d.pop("support_phone", UNSET))

        def _parse_support_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        support_url = _parse_support_url(d.pop("support_url", UNSET))

        partner_create_brand = cls(
            accent_color=accent_color,
            display_name=display_name,
            primary_color=primary_color,
            favicon_url=favicon_url,
            footer_links=footer_links,
            hidden_sections=hidden_sections,
            logo_url=logo_url,
            navigation=navigation,
            support_email=support_email,
            support_phone=support_phone,
            support_url=support_url,
        )

        return partner_create_brand
