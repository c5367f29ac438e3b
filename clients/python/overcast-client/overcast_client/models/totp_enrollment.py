from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TotpEnrollment")


@_attrs_define
class TotpEnrollment:
    """A second factor being set up: give the secret (or its URL, as a QR code)
    to an authenticator app, then confirm with a code it shows.

        Attributes:
            otpauth_url (str): The `otpauth://` URL authenticator apps read. Example:
                otpauth://totp/Overcast:alice%40acme.example?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Overcast.
            secret (str): The TOTP secret, base32. Example: JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP.
    """

    otpauth_url: str
    secret: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        otpauth_url = self.otpauth_url

        secret = self.secret

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "otpauth_url": otpauth_url,
                "secret": secret,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        otpauth_url = d.pop("otpauth_url")

        secret = d.pop("secret")

        totp_enrollment = cls(
            otpauth_url=otpauth_url,
            secret=secret,
        )

        totp_enrollment.additional_properties = d
        return totp_enrollment

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
