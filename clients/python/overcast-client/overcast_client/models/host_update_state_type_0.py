from enum import StrEnum


class HostUpdateStateType0(StrEnum):
    ACTIVE = "active"
    DOWN = "down"
    DRAINING = "draining"
    SUSPECT = "suspect"

    def __str__(self) -> str:
        return str(self.value)
