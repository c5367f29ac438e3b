from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.partner_create_brand_hidden_sections_type_0_item import PartnerCreateBrandHiddenSectionsType0Item
from ..models.partner_create_brand_navigation_type_0 import PartnerCreateBrandNavigationType0
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
        footer_links (list[BrandLink] | None | Unset): Links in the console's footer (at most 10; none when absent).
        hidden_sections (list[PartnerCreateBrandHiddenSectionsType0Item] | None | Unset): Console sections this brand's
            customers do not see (none when absent). Example: ['events'].
        logo_url (None | str | Unset):  Example: https://cloudco.example/logo.svg.
        navigation (None | PartnerCreateBrandNavigationType0 | Unset): Where the console's navigation goes (`side` when
            absent).
        support_email (None | str | Unset):  Example: support@cloudco.example.
        support_phone (None | str | Unset): As people dial it; digits, spaces and `+()-.` only. Example: +61 2 5550
            1234.
        support_url (None | str | Unset):  Example: https://cloudco.example/support.
    """

    accent_color: str
    display_name: str
    primary_color: str
    favicon_url: None | str | Unset = UNSET
    footer_links: list[BrandLink] | None | Unset = UNSET
    hidden_sections: list[PartnerCreateBrandHiddenSectionsType0Item] | None | Unset = UNSET
    logo_url: None | str | Unset = UNSET
    navigation: None | PartnerCreateBrandNavigationType0 | Unset = UNSET
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

        footer_links: list[dict[str, Any]] | None | Unset
        if isinstance(self.footer_links, Unset):
            footer_links = UNSET
        elif isinstance(self.footer_links, list):
            footer_links = []
            for footer_links_type_0_item_data in self.footer_links:
                footer_links_type_0_item = footer_links_type_0_item_data.to_dict()
                footer_links.append(footer_links_type_0_item)

        else:
            footer_links = self.footer_links

        hidden_sections: list[str] | None | Unset
        if isinstance(self.hidden_sections, Unset):
            hidden_sections = UNSET
        elif isinstance(self.hidden_sections, list):
            hidden_sections = []
            for hidden_sections_type_0_item_data in self.hidden_sections:
                hidden_sections_type_0_item = hidden_sections_type_0_item_data.value
                hidden_sections.append(hidden_sections_type_0_item)

        else:
            hidden_sections = self.hidden_sections

        logo_url: None | str | Unset
        if isinstance(self.logo_url, Unset):
            logo_url = UNSET
        else:
            logo_url = self.logo_url

        navigation: None | str | Unset
        if isinstance(self.navigation, Unset):
            navigation = UNSET
        elif isinstance(self.navigation, PartnerCreateBrandNavigationType0):
            navigation = self.navigation.value
        else:
            navigation = self.navigation

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

        def _parse_footer_links(data: object) -> list[BrandLink] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                footer_links_type_0 = []
                _footer_links_type_0 = data
                for footer_links_type_0_item_data in _footer_links_type_0:
                    footer_links_type_0_item = BrandLink.from_dict(footer_links_type_0_item_data)

                    footer_links_type_0.append(footer_links_type_0_item)

                return footer_links_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[BrandLink] | None | Unset, data)

        footer_links = _parse_footer_links(d.pop("footer_links", UNSET))

        def _parse_hidden_sections(data: object) -> list[PartnerCreateBrandHiddenSectionsType0Item] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                hidden_sections_type_0 = []
                _hidden_sections_type_0 = data
                for hidden_sections_type_0_item_data in _hidden_sections_type_0:
                    hidden_sections_type_0_item = PartnerCreateBrandHiddenSectionsType0Item(
                        hidden_sections_type_0_item_data
                    )

                    hidden_sections_type_0.append(hidden_sections_type_0_item)

                return hidden_sections_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[PartnerCreateBrandHiddenSectionsType0Item] | None | Unset, data)

        hidden_sections = _parse_hidden_sections(d.pop("hidden_sections", UNSET))

        def _parse_logo_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        logo_url = _parse_logo_url(d.pop("logo_url", UNSET))

        def _parse_navigation(data: object) -> None | PartnerCreateBrandNavigationType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                navigation_type_0 = PartnerCreateBrandNavigationType0(data)

                return navigation_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PartnerCreateBrandNavigationType0 | Unset, data)

        navigation = _parse_navigation(d.pop("navigation", UNSET))

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
