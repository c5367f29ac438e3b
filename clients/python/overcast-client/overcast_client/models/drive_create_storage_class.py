from enum import StrEnum


class DriveCreateStorageClass(StrEnum):
    LOCAL = "local"
    REPLICATED = "replicated"

    def __str__(self) -> str:
        return str(self.value)
