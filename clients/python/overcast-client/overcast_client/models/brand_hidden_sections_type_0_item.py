from enum import StrEnum


class BrandHiddenSectionsType0Item(StrEnum):
    DASHBOARD = "dashboard"
    DRIVES = "drives"
    EVENTS = "events"
    INSTANCES = "instances"
    IP_ADDRESSES = "ip_addresses"
    PROJECTS = "projects"
    SSH_KEYS = "ssh_keys"
    TOKENS = "tokens"
    USERS = "users"

    def __str__(self) -> str:
        return str(self.value)
