from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.replication_state import ReplicationState

T = TypeVar("T", bound="Replication")


@_attrs_define
class Replication:
    """How a replicated drive's copies stand, from the placement groups its
    objects fall in (each object the drive can have, written or not). While
    its pool is not clean and the cluster's image list cannot be read, the
    figures are the pool's.

        Attributes:
            degraded_ratio (float): The share of the drive's object copies missing (0 when `healthy`):
                each object counts with its placement group's share. Example: 0.3333.
            recovery_progress (float): The share of the drive's objects whose placement group holds every
                copy (1 when `healthy`). Example: 0.75.
            state (ReplicationState): `healthy`: every copy is in place. `degraded`: a host holding copies is
                gone and nothing is being copied back yet; writes go on as long as two
                copies are kept. `recovering`: missing copies are being made again. Example: healthy.
            time_observed (datetime.datetime): When the storage cluster was last read. Example: 2026-11-24T17:30:00Z.
    """

    degraded_ratio: float
    recovery_progress: float
    state: ReplicationState
    time_observed: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        degraded_ratio = self.degraded_ratio

        recovery_progress = self.recovery_progress

        state = self.state.value

        time_observed = self.time_observed.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "degraded_ratio": degraded_ratio,
                "recovery_progress": recovery_progress,
                "state": state,
                "time_observed": time_observed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        degraded_ratio = d.pop("degraded_ratio")

        recovery_progress = d.pop("recovery_progress")

        state = ReplicationState(d.pop("state"))

        time_observed = datetime.datetime.fromisoformat(d.pop("time_observed"))

        replication = cls(
            degraded_ratio=degraded_ratio,
            recovery_progress=recovery_progress,
            state=state,
            time_observed=time_observed,
        )

        replication.additional_properties = d
        return replication

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
