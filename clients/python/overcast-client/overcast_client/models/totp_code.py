from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="TotpCode")


@_attrs_define
class TotpCode:
    """A code that proves the second factor: from the authenticator app, or
    (to turn it off) a recovery code.

        Attributes:
            code (str):  Example: 492039.
    """

    code: str

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "code": code,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        totp_code = cls(
            code=code,
        )

        return totp_code
