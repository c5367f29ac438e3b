from enum import StrEnum


class ImageCreateBootMode(StrEnum):
    DIRECT_KERNEL = "direct_kernel"
    FIRMWARE = "firmware"

    def __str__(self) -> str:
        return str(self.value)
