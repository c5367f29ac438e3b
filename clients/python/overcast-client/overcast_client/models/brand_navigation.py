from enum import StrEnum


class BrandNavigation(StrEnum):
    SIDE = "side"
    TOP = "top"

    def __str__(self) -> str:
        return str(self.value)
