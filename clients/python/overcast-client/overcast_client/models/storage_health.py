from enum import StrEnum


class StorageHealth(StrEnum):
    ERROR = "error"
    NOT_CONFIGURED = "not_configured"
    OK = "ok"
    UNREACHABLE = "unreachable"
    WARN = "warn"

    def __str__(self) -> str:
        return str(self.value)
