from enum import StrEnum


class InstanceState(StrEnum):
    CREATING = "creating"
    DELETING = "deleting"
    FAILED = "failed"
    MIGRATING = "migrating"
    REBOOTING = "rebooting"
    RESTARTING = "restarting"
    RUNNING = "running"
    STARTING = "starting"
    STOPPED = "stopped"
    STOPPING = "stopping"

    def __str__(self) -> str:
        return str(self.value)
