from enum import StrEnum


class TokenScope(StrEnum):
    ACCOUNT_READ_ONLY = "account_read_only"
    ACCOUNT_READ_WRITE = "account_read_write"
    OPERATOR = "operator"
    PARTNER_ADMIN = "partner_admin"

    def __str__(self) -> str:
        return str(self.value)
