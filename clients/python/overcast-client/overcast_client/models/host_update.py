from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.host_update_state_type_0 import HostUpdateStateType0
from ..types import UNSET, Unset

T = TypeVar("T", bound="HostUpdate")


@_attrs_define
class HostUpdate:
    """Change a host. Absent fields stay as they are.

    Attributes:
        description (None | str | Unset):  Example: Rack 4, slot 12.
        state (HostUpdateStateType0 | None | Unset):
    """

    description: None | str | Unset = UNSET
    state: HostUpdateStateType0 | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        state: None | str | Unset
        if isinstance(self.state, Unset):
            state = UNSET
        elif isinstance(self.state, HostUpdateStateType0):
            state = self.state.value
        else:
            state = self.state

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if description is not UNSET:
            field_dict["description"] = description
        if state is not UNSET:
            field_dict["state"] = state

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

        def _parse_state(data: object) -> HostUpdateStateType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                state_type_0 = HostUpdateStateType0(data)

                return state_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(HostUpdateStateType0 | None | Unset, data)

        state = _parse_state(d.pop("state", UNSET))

        host_update = cls(
            description=description,
            state=state,
        )

        return host_update
