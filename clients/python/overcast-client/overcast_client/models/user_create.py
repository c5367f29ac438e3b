from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.user_create_role import UserCreateRole
from ..types import UNSET, Unset

T = TypeVar("T", bound="UserCreate")


@_attrs_define
class UserCreate:
    """Create a user: of an account (the account roles, `?account=` as for
    other account resources), of a partner (`partner_admin`, with
    `partner`), or of the operator (`operator`).

        Example:
            {'description': 'Site reliability', 'email': 'alice@acme.example', 'name': 'alice', 'role': 'account_member'}

        Attributes:
            email (str):  Example: alice@acme.example.
            name (str):  Example: alice.
            description (str | Unset):  Example: Site reliability.
            partner (None | str | Unset): Name or id of the partner, for `partner_admin` (a partner admin's
                own by default). Example: cloudco.
            role (UserCreateRole | Unset): What a user may do once logged in: the same powers as token scopes, so
                one authorization covers both. The account roles belong to an account's
                users; `partner_admin` to a partner's staff, `operator` to the
                operator's. A new user is an `account_member` unless told otherwise. Example: account_member.
    """

    email: str
    name: str
    description: str | Unset = UNSET
    partner: None | str | Unset = UNSET
    role: UserCreateRole | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        name = self.name

        description = self.description

        partner: None | str | Unset
        if isinstance(self.partner, Unset):
            partner = UNSET
        else:
            partner = self.partner

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
        if partner is not UNSET:
            field_dict["partner"] = partner
        if role is not UNSET:
            field_dict["role"] = role

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        email = d.pop("email")

        name = d.pop("name")

        description = d.pop("description", UNSET)

        def _parse_partner(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        partner = _parse_partner(d.pop("partner", UNSET))

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
            partner=partner,
            role=role,
        )

        return user_create
