from enum import StrEnum


class InstanceUpdateHaPolicyType0(StrEnum):
    NONE = "none"
    RESTART = "restart"

    def __str__(self) -> str:
        return str(self.value)
