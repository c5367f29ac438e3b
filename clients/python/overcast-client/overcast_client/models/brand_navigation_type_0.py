from enum import StrEnum


class BrandNavigationType0(StrEnum):
    SIDE = "side"
    TOP = "top"

    def __str__(self) -> str:
        return str(self.value)
