from enum import StrEnum


class InstanceCreateBootDriveStorageClassType0(StrEnum):
    LOCAL = "local"
    REPLICATED = "replicated"

    def __str__(self) -> str:
        return str(self.value)
