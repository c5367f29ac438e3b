from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="InvitationAccept")


@_attrs_define
class InvitationAccept:
    """Set a password with the secret of an invitation or reset link.

    Attributes:
        password (str): At least 10 characters, at most 1,024 bytes. Example: correct horse battery staple.
        secret (str):  Example: oc_inv_Qm9vbXN0aWNrLWV4YW1wbGUtc2VjcmV0LXZhbHVl.
    """

    password: str
    secret: str

    def to_dict(self) -> dict[str, Any]:
        password = self.password

        secret = self.secret

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "password": password,
                "secret": secret,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        password = d.pop("password")

        secret = d.pop("secret")

        invitation_accept = cls(
            password=password,
            secret=secret,
        )

        return invitation_accept
