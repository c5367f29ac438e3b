from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.user_create_role import UserCreateRole
from ..types import UNSET, Unset

T = TypeVar("T", bound="UserCreate")


@_attrs_define
class UserCreate:
    """Create a user of an account.

    Attributes:
        email (str):  Example: alice@acme.example.
        name (str):  Example: alice.
        description (str | Unset):  Example: Site reliability.
        role (UserCreateRole | Unset): What a user of an account may do once logged in: the same powers as
            token scopes, so one authorization covers both. A new user is an
            `account_member` unless told otherwise. Example: account_member.
    """

    email: str
    name: str
    description: str | Unset = UNSET
    role: UserCreateRole | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        name = self.name

        description = self.description

        role: str | Unset = UNSET
        if not isinstance(self.role, Unset):
            role = self.role.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "email": email,
                "name": name,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if role is not UNSET:
            field_dict["role"] = role

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        email = d.pop("email")

        name = d.pop("name")

        description = d.pop("description", UNSET)

        _role = d.pop("role", UNSET)
        role: UserCreateRole | Unset
        if isinstance(_role, Unset):
            role = UNSET
        else:
            role = UserCreateRole(_role)

        user_create = cls(
            email=email,
            name=name,
            description=description,
            role=role,
        )

        return user_create
