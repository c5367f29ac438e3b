from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.storage_health import StorageHealth
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.storage_pool import StoragePool


T = TypeVar("T", bound="StorageStatus")


@_attrs_define
class StorageStatus:
    """The replicated storage cluster (Ceph), as the server last read it.

    Attributes:
        available_bytes (int):  Example: 24856748032.
        checks (list[str]): Ceph's health checks, as `CODE: message`. Example: ['OSD_DOWN: 1 osds down'].
        degraded_drive_count (int): Replicated drives that are not `healthy`: some of their objects
            fall in a placement group short of copies. Example: 1.
        degraded_drives (list[UUID]): The first 100 of them, by id. Example: ['0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b'].
        health (StorageHealth): The storage cluster's overall verdict: Ceph's `HEALTH_OK`, `HEALTH_WARN`
            or `HEALTH_ERR`; `unreachable` when it could not be read (lost quorum,
            network); `not_configured` on a server without Ceph. Example: warn.
        osds (int): Storage daemons (one or more per host): all, up, and in the data
            placement. Example: 3.
        osds_in (int):  Example: 3.
        osds_up (int):  Example: 2.
        pools (list[StoragePool]): Overcast's pools: one per number of copies.
        total_bytes (int):  Example: 25769803776.
        used_bytes (int):  Example: 913055744.
        time_observed (datetime.datetime | None | Unset): When the cluster was last read (absent if never). Example:
            2026-11-24T17:30:00Z.
    """

    available_bytes: int
    checks: list[str]
    degraded_drive_count: int
    degraded_drives: list[UUID]
    health: StorageHealth
    osds: int
    osds_in: int
    osds_up: int
    pools: list[StoragePool]
    total_bytes: int
    used_bytes: int
    time_observed: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        available_bytes = self.available_bytes

        checks = self.checks

        degraded_drive_count = self.degraded_drive_count

        degraded_drives = []
        for degraded_drives_item_data in self.degraded_drives:
            degraded_drives_item = str(degraded_drives_item_data)
            degraded_drives.append(degraded_drives_item)

        health = self.health.value

        osds = self.osds

        osds_in = self.osds_in

        osds_up = self.osds_up

        pools = []
        for pools_item_data in self.pools:
            pools_item = pools_item_data.to_dict()
            pools.append(pools_item)

        total_bytes = self.total_bytes

        used_bytes = self.used_bytes

        time_observed: None | str | Unset
        if isinstance(self.time_observed, Unset):
            time_observed = UNSET
        elif isinstance(self.time_observed, datetime.datetime):
            time_observed = self.time_observed.isoformat()
        else:
            time_observed = self.time_observed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "available_bytes": available_bytes,
                "checks": checks,
                "degraded_drive_count": degraded_drive_count,
                "degraded_drives": degraded_drives,
                "health": health,
                "osds": osds,
                "osds_in": osds_in,
                "osds_up": osds_up,
                "pools": pools,
                "total_bytes": total_bytes,
                "used_bytes": used_bytes,
            }
        )
        if time_observed is not UNSET:
            field_dict["time_observed"] = time_observed

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.storage_pool import StoragePool  # noqa: PLC0415

        d = dict(src_dict)
        available_bytes = d.pop("available_bytes")

        checks = cast(list[str], d.pop("checks"))

        degraded_drive_count = d.pop("degraded_drive_count")

        degraded_drives = []
        _degraded_drives = d.pop("degraded_drives")
        for degraded_drives_item_data in _degraded_drives:
            degraded_drives_item = UUID(degraded_drives_item_data)

            degraded_drives.append(degraded_drives_item)

        health = StorageHealth(d.pop("health"))

        osds = d.pop("osds")

        osds_in = d.pop("osds_in")

        osds_up = d.pop("osds_up")

        pools = []
        _pools = d.pop("pools")
        for pools_item_data in _pools:
            pools_item = StoragePool.from_dict(pools_item_data)

            pools.append(pools_item)

        total_bytes = d.pop("total_bytes")

        used_bytes = d.pop("used_bytes")

        def _parse_time_observed(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                time_observed_type_0 = datetime.datetime.fromisoformat(data)

                return time_observed_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        time_observed = _parse_time_observed(d.pop("time_observed", UNSET))

        storage_status = cls(
            available_bytes=available_bytes,
            checks=checks,
            degraded_drive_count=degraded_drive_count,
            degraded_drives=degraded_drives,
            health=health,
            osds=osds,
            osds_in=osds_in,
            osds_up=osds_up,
            pools=pools,
            total_bytes=total_bytes,
            used_bytes=used_bytes,
            time_observed=time_observed,
        )

        storage_status.additional_properties = d
        return storage_status

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
