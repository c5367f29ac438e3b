from enum import StrEnum


class DriveState(StrEnum):
    ATTACHED = "attached"
    ATTACHING = "attaching"
    AVAILABLE = "available"
    CREATING = "creating"
    DELETING = "deleting"
    DETACHING = "detaching"
    FAILED = "failed"
    RESIZING = "resizing"
    RESTORING = "restoring"

    def __str__(self) -> str:
        return str(self.value)
