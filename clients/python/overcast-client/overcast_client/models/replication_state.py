from enum import StrEnum


class ReplicationState(StrEnum):
    DEGRADED = "degraded"
    HEALTHY = "healthy"
    RECOVERING = "recovering"

    def __str__(self) -> str:
        return str(self.value)
