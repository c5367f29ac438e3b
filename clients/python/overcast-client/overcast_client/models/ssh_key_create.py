from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SshKeyCreate")


@_attrs_define
class SshKeyCreate:
    """Add an SSH public key to an account.

    Attributes:
        name (str):  Example: laptop.
        public_key (str): An OpenSSH public key line. Example: ssh-ed25519
            AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f alice@laptop.
        description (str | Unset):  Example: Alice's laptop.
    """

    name: str
    public_key: str
    description: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        public_key = self.public_key

        description = self.description

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "public_key": public_key,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        public_key = d.pop("public_key")

        description = d.pop("description", UNSET)

        ssh_key_create = cls(
            name=name,
            public_key=public_key,
            description=description,
        )

        return ssh_key_create
