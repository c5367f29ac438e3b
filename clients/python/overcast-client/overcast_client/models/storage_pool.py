from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.replication_state import ReplicationState

T = TypeVar("T", bound="StoragePool")


@_attrs_define
class StoragePool:
    """One of Overcast's Ceph pools.

    Attributes:
        degraded_ratio (float):  Example: 0.3333.
        drives (int): Replicated drives kept in it. Example: 12.
        id (UUID): Stable for the pool's name: the `resource_id` of its events. Example:
            6f1c2b8e-3a4d-5e6f-8a9b-0c1d2e3f4a5b.
        name (str):  Example: overcast-r3.
        objects (int):  Example: 2048.
        recovery_progress (float):  Example: 0.75.
        replicas (int):  Example: 3.
        state (ReplicationState): `healthy`: every copy is in place. `degraded`: a host holding copies is
            gone and nothing is being copied back yet; writes go on as long as two
            copies are kept. `recovering`: missing copies are being made again. Example: healthy.
        stored_bytes (int):  Example: 8589934592.
    """

    degraded_ratio: float
    drives: int
    id: UUID
    name: str
    objects: int
    recovery_progress: float
    replicas: int
    state: ReplicationState
    stored_bytes: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        degraded_ratio = self.degraded_ratio

        drives = self.drives

        id = str(self.id)

        name = self.name

        objects = self.objects

        recovery_progress = self.recovery_progress

        replicas = self.replicas

        state = self.state.value

        stored_bytes = self.stored_bytes

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "degraded_ratio": degraded_ratio,
                "drives": drives,
                "id": id,
                "name": name,
                "objects": objects,
                "recovery_progress": recovery_progress,
                "replicas": replicas,
                "state": state,
                "stored_bytes": stored_bytes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        degraded_ratio = d.pop("degraded_ratio")

        drives = d.pop("drives")

        id = UUID(d.pop("id"))

        name = d.pop("name")

        objects = d.pop("objects")

        recovery_progress = d.pop("recovery_progress")

        replicas = d.pop("replicas")

        state = ReplicationState(d.pop("state"))

        stored_bytes = d.pop("stored_bytes")

        storage_pool = cls(
            degraded_ratio=degraded_ratio,
            drives=drives,
            id=id,
            name=name,
            objects=objects,
            recovery_progress=recovery_progress,
            replicas=replicas,
            state=state,
            stored_bytes=stored_bytes,
        )

        storage_pool.additional_properties = d
        return storage_pool

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
