from enum import StrEnum


class StorageClass(StrEnum):
    LOCAL = "local"
    REPLICATED = "replicated"

    def __str__(self) -> str:
        return str(self.value)
