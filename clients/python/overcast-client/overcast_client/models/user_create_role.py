from enum import StrEnum


class UserCreateRole(StrEnum):
    ACCOUNT_ADMIN = "account_admin"
    ACCOUNT_MEMBER = "account_member"
    ACCOUNT_READ_ONLY = "account_read_only"
    OPERATOR = "operator"
    PARTNER_ADMIN = "partner_admin"

    def __str__(self) -> str:
        return str(self.value)
