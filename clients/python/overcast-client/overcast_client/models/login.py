from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.session import Session
    from ..models.user import User


T = TypeVar("T", bound="Login")


@_attrs_define
class Login:
    """A new login session: the session, its user, and the token to send in
    `X-CSRF-Token` with every change made with its cookie.

        Attributes:
            csrf_token (str):  Example: Y3NyZi10b2tlbi1leGFtcGxlLXZhbHVlLTEyMzQ1Ng.
            session (Session): A login session. Its secret travels only in the `overcast_session`
                cookie; requests that change something with that cookie also send
                `csrf_token` in the `X-CSRF-Token` header.
            user (User): A person with access to an account.
    """

    csrf_token: str
    session: Session
    user: User
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        csrf_token = self.csrf_token

        session = self.session.to_dict()

        user = self.user.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "csrf_token": csrf_token,
                "session": session,
                "user": user,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.session import Session  # noqa: PLC0415
        from ..models.user import User  # noqa: PLC0415

        d = dict(src_dict)
        csrf_token = d.pop("csrf_token")

        session = Session.from_dict(d.pop("session"))

        user = User.from_dict(d.pop("user"))

        login = cls(
            csrf_token=csrf_token,
            session=session,
            user=user,
        )

        login.additional_properties = d
        return login

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
