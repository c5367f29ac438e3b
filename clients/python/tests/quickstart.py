import asyncio
import time

from overcast_client import AuthenticatedClient
from overcast_client.api.drives import drive_create, drive_get, drive_list
from overcast_client.api.instances import instance_create, instance_get
from overcast_client.api.ip_addresses import ip_address_create
from overcast_client.api.projects import project_create
from overcast_client.api.ssh_keys import ssh_key_create
from overcast_client.checked import OvercastError, apaginate, ok, paginate
from overcast_client.models import (
    DriveCreate,
    InstanceCreate,
    InstanceState,
    IpAddressCreate,
    ProjectCreate,
    SshKeyCreate,
)


def quickstart(base_url: str, token: str, public_key: str) -> dict:
    client = AuthenticatedClient(base_url=base_url, token=token)

    project = ok(project_create.sync(client=client, body=ProjectCreate(name="web")))
    print("project", project.id)

    ok(ssh_key_create.sync(client=client, body=SshKeyCreate(name="laptop", public_key=public_key)))
    ip = ok(ip_address_create.sync(client=client, project="web", body=IpAddressCreate(name="web-1-public", pool="public")))
    print("address", ip.address)
    for i in range(25):
        ok(drive_create.sync(
            client=client,
            project="web",
            idempotency_key=f"quickstart-drive-{i}",
            body=DriveCreate(name=f"data-{i}", size_bytes=2**30),
        ))

    # Every page, synchronously and with asyncio.
    drives = list(paginate(drive_list.sync, client=client, project="web", limit=10))

    async def count_async() -> int:
        return len([d async for d in apaginate(drive_list.asyncio, client=client, project="web", limit=7)])

    drives_async = asyncio.run(count_async())

    # An instance from the `tiny` OS template, with the key and the address.
    instance = ok(instance_create.sync(client=client, project="web", body=InstanceCreate(
        name="web-1", image="tiny", vcpus=1, memory_mib=256,
        ssh_keys=["laptop"], ip_addresses=["web-1-public"],
    )))
    deadline = time.monotonic() + 120
    while instance.state != InstanceState.RUNNING and time.monotonic() < deadline:
        time.sleep(0.5)
        instance = ok(instance_get.sync(str(instance.id), client=client))
    print("instance", instance.name, instance.state)

    # Errors are exceptions that carry the error code and the request id.
    try:
        ok(drive_get.sync("no-such-drive", client=client, project="web"))
    except OvercastError as e:
        print("not found, request", e.request_id)
        not_found = e
    return {"drives": len(drives), "drives_async": drives_async, "instance": instance, "not_found": not_found}
