from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.drive import Drive
from ...models.drive_rollback import DriveRollback
from ...models.error_body import ErrorBody
from ...types import UNSET, Response, Unset


def _get_kwargs(
    drive: str,
    *,
    body: DriveRollback,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    params: dict[str, Any] = {}

    params["project"] = project

    params["account"] = account

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/drives/{drive}/rollback".format(
            drive=quote(str(drive), safe=""),
        ),
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Drive | ErrorBody | None:
    if response.status_code == 202:
        response_202 = Drive.from_dict(response.json())

        return response_202

    if response.status_code == 400:
        response_400 = ErrorBody.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorBody.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorBody.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = ErrorBody.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = ErrorBody.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = ErrorBody.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = ErrorBody.from_dict(response.json())

        return response_422

    if response.status_code == 500:
        response_500 = ErrorBody.from_dict(response.json())

        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Drive | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    drive: str,
    *,
    client: AuthenticatedClient,
    body: DriveRollback,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[Drive | ErrorBody]:
    """Roll a drive back to a snapshot

     The drive must be detached, or attached to a stopped instance. It is
    `restoring` until done; what was written since the snapshot is lost.
    `local` drives have no snapshots (409 `storage_class_unsupported`).

    Args:
        drive (str):
        project (str | Unset):
        account (str | Unset):
        idempotency_key (str | Unset):
        body (DriveRollback): Roll a drive back to one of its snapshots. The drive must be
            detached,
            or its instance stopped; what was written since the snapshot is lost.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Drive | ErrorBody]
    """

    kwargs = _get_kwargs(
        drive=drive,
        body=body,
        project=project,
        account=account,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    drive: str,
    *,
    client: AuthenticatedClient,
    body: DriveRollback,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Drive | ErrorBody | None:
    """Roll a drive back to a snapshot

     The drive must be detached, or attached to a stopped instance. It is
    `restoring` until done; what was written since the snapshot is lost.
    `local` drives have no snapshots (409 `storage_class_unsupported`).

    Args:
        drive (str):
        project (str | Unset):
        account (str | Unset):
        idempotency_key (str | Unset):
        body (DriveRollback): Roll a drive back to one of its snapshots. The drive must be
            detached,
            or its instance stopped; what was written since the snapshot is lost.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Drive | ErrorBody
    """

    return sync_detailed(
        drive=drive,
        client=client,
        body=body,
        project=project,
        account=account,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    drive: str,
    *,
    client: AuthenticatedClient,
    body: DriveRollback,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[Drive | ErrorBody]:
    """Roll a drive back to a snapshot

     The drive must be detached, or attached to a stopped instance. It is
    `restoring` until done; what was written since the snapshot is lost.
    `local` drives have no snapshots (409 `storage_class_unsupported`).

    Args:
        drive (str):
        project (str | Unset):
        account (str | Unset):
        idempotency_key (str | Unset):
        body (DriveRollback): Roll a drive back to one of its snapshots. The drive must be
            detached,
            or its instance stopped; what was written since the snapshot is lost.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Drive | ErrorBody]
    """

    kwargs = _get_kwargs(
        drive=drive,
        body=body,
        project=project,
        account=account,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    drive: str,
    *,
    client: AuthenticatedClient,
    body: DriveRollback,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Drive | ErrorBody | None:
    """Roll a drive back to a snapshot

     The drive must be detached, or attached to a stopped instance. It is
    `restoring` until done; what was written since the snapshot is lost.
    `local` drives have no snapshots (409 `storage_class_unsupported`).

    Args:
        drive (str):
        project (str | Unset):
        account (str | Unset):
        idempotency_key (str | Unset):
        body (DriveRollback): Roll a drive back to one of its snapshots. The drive must be
            detached,
            or its instance stopped; what was written since the snapshot is lost.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Drive | ErrorBody
    """

    return (
        await asyncio_detailed(
            drive=drive,
            client=client,
            body=body,
            project=project,
            account=account,
            idempotency_key=idempotency_key,
        )
    ).parsed
