from enum import StrEnum


class PartnerCreateBrandNavigationType0(StrEnum):
    SIDE = "side"
    TOP = "top"

    def __str__(self) -> str:
        return str(self.value)
