from enum import StrEnum


class SnapshotState(StrEnum):
    AVAILABLE = "available"
    CREATING = "creating"
    DELETING = "deleting"
    FAILED = "failed"

    def __str__(self) -> str:
        return str(self.value)
