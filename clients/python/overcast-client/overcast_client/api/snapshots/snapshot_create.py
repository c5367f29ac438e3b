from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.snapshot import Snapshot
from ...models.snapshot_create import SnapshotCreate
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: SnapshotCreate,
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
        "url": "/v1/snapshots",
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | Snapshot | None:
    if response.status_code == 201:
        response_201 = Snapshot.from_dict(response.json())

        return response_201

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


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorBody | Snapshot]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: SnapshotCreate,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorBody | Snapshot]:
    """Snapshot a drive

     A crash-consistent point-in-time copy of a `replicated` drive, attached
    or not; `local` drives answer 409 `storage_class_unsupported`. It counts
    toward the drive's `total_size_bytes` until deleted.

    Args:
        project (str | Unset):
        account (str | Unset):
        idempotency_key (str | Unset):
        body (SnapshotCreate): Take a snapshot of a drive: a point-in-time, crash-consistent copy
            of a
            `replicated` drive, kept in Ceph beside it (409 for a `local` drive).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Snapshot]
    """

    kwargs = _get_kwargs(
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
    *,
    client: AuthenticatedClient,
    body: SnapshotCreate,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> ErrorBody | Snapshot | None:
    """Snapshot a drive

     A crash-consistent point-in-time copy of a `replicated` drive, attached
    or not; `local` drives answer 409 `storage_class_unsupported`. It counts
    toward the drive's `total_size_bytes` until deleted.

    Args:
        project (str | Unset):
        account (str | Unset):
        idempotency_key (str | Unset):
        body (SnapshotCreate): Take a snapshot of a drive: a point-in-time, crash-consistent copy
            of a
            `replicated` drive, kept in Ceph beside it (409 for a `local` drive).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Snapshot
    """

    return sync_detailed(
        client=client,
        body=body,
        project=project,
        account=account,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: SnapshotCreate,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorBody | Snapshot]:
    """Snapshot a drive

     A crash-consistent point-in-time copy of a `replicated` drive, attached
    or not; `local` drives answer 409 `storage_class_unsupported`. It counts
    toward the drive's `total_size_bytes` until deleted.

    Args:
        project (str | Unset):
        account (str | Unset):
        idempotency_key (str | Unset):
        body (SnapshotCreate): Take a snapshot of a drive: a point-in-time, crash-consistent copy
            of a
            `replicated` drive, kept in Ceph beside it (409 for a `local` drive).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Snapshot]
    """

    kwargs = _get_kwargs(
        body=body,
        project=project,
        account=account,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: SnapshotCreate,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> ErrorBody | Snapshot | None:
    """Snapshot a drive

     A crash-consistent point-in-time copy of a `replicated` drive, attached
    or not; `local` drives answer 409 `storage_class_unsupported`. It counts
    toward the drive's `total_size_bytes` until deleted.

    Args:
        project (str | Unset):
        account (str | Unset):
        idempotency_key (str | Unset):
        body (SnapshotCreate): Take a snapshot of a drive: a point-in-time, crash-consistent copy
            of a
            `replicated` drive, kept in Ceph beside it (409 for a `local` drive).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Snapshot
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            project=project,
            account=account,
            idempotency_key=idempotency_key,
        )
    ).parsed
