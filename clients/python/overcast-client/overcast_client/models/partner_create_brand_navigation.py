from enum import StrEnum


class PartnerCreateBrandNavigation(StrEnum):
    SIDE = "side"
    TOP = "top"

    def __str__(self) -> str:
        return str(self.value)
