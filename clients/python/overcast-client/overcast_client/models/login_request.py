from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="LoginRequest")


@_attrs_define
class LoginRequest:
    """Log in with an e-mail and a password.

    Attributes:
        email (str):  Example: alice@acme.example.
        password (str):  Example: correct horse battery staple.
        recovery_code (None | str | Unset): One of the user's recovery codes, instead of `totp_code`; each works once.
            Example: k7m2p-x9qrt.
        totp_code (None | str | Unset): The code from the user's authenticator app, when the user has a
            second factor (without one, such a login answers 401 `totp_required`). Example: 492039.
    """

    email: str
    password: str
    recovery_code: None | str | Unset = UNSET
    totp_code: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        password = self.password

        recovery_code: None | str | Unset
        if isinstance(self.recovery_code, Unset):
            recovery_code = UNSET
        else:
            recovery_code = self.recovery_code

        totp_code: None | str | Unset
        if isinstance(self.totp_code, Unset):
            totp_code = UNSET
        else:
            totp_code = self.totp_code

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "email": email,
                "password": password,
            }
        )
        if recovery_code is not UNSET:
            field_dict["recovery_code"] = recovery_code
        if totp_code is not UNSET:
            field_dict["totp_code"] = totp_code

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        email = d.pop("email")

        password = d.pop("password")

        def _parse_recovery_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        recovery_code = _parse_recovery_code(d.pop("recovery_code", UNSET))

        def _parse_totp_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        totp_code = _parse_totp_code(d.pop("totp_code", UNSET))

        login_request = cls(
            email=email,
            password=password,
            recovery_code=recovery_code,
            totp_code=totp_code,
        )

        return login_request
