from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.instance_update_ha_policy_type_0 import InstanceUpdateHaPolicyType0
from ..types import UNSET, Unset

T = TypeVar("T", bound="InstanceUpdate")


@_attrs_define
class InstanceUpdate:
    """Change an instance. Absent fields stay as they are.

    Attributes:
        description (None | str | Unset):  Example: Frontend.
        ha_policy (InstanceUpdateHaPolicyType0 | None | Unset):
        name (None | str | Unset):  Example: web-1.
    """

    description: None | str | Unset = UNSET
    ha_policy: InstanceUpdateHaPolicyType0 | None | Unset = UNSET
    name: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        ha_policy: None | str | Unset
        if isinstance(self.ha_policy, Unset):
            ha_policy = UNSET
        elif isinstance(self.ha_policy, InstanceUpdateHaPolicyType0):
            ha_policy = self.ha_policy.value
        else:
            ha_policy = self.ha_policy

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if description is not UNSET:
            field_dict["description"] = description
        if ha_policy is not UNSET:
            field_dict["ha_policy"] = ha_policy
        if name is not UNSET:
            field_dict["name"] = name

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_ha_policy(data: object) -> InstanceUpdateHaPolicyType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ha_policy_type_0 = InstanceUpdateHaPolicyType0(data)

                return ha_policy_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(InstanceUpdateHaPolicyType0 | None | Unset, data)

        ha_policy = _parse_ha_policy(d.pop("ha_policy", UNSET))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        instance_update = cls(
            description=description,
            ha_policy=ha_policy,
            name=name,
        )

        return instance_update
