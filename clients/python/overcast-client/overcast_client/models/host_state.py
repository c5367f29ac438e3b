from enum import StrEnum


class HostState(StrEnum):
    ACTIVE = "active"
    DOWN = "down"
    DRAINING = "draining"
    SUSPECT = "suspect"

    def __str__(self) -> str:
        return str(self.value)
