from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.drive import Drive
from ...models.drive_create import DriveCreate
from ...models.error_body import ErrorBody
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: DriveCreate,
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
        "url": "/v1/drives",
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Drive | ErrorBody | None:
    if response.status_code == 201:
        response_201 = Drive.from_dict(response.json())

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

    if response.status_code == 507:
        response_507 = ErrorBody.from_dict(response.json())

        return response_507

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
    *,
    client: AuthenticatedClient,
    body: DriveCreate,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[Drive | ErrorBody]:
    """Create a drive

     A blank drive, or a copy of an image. Placement honours `avoid_drives` and `avoid_instances`.

    Args:
        project (str | Unset):
        account (str | Unset):
        idempotency_key (str | Unset):
        body (DriveCreate): Create a drive: blank, or a copy of an image.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Drive | ErrorBody]
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
    body: DriveCreate,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Drive | ErrorBody | None:
    """Create a drive

     A blank drive, or a copy of an image. Placement honours `avoid_drives` and `avoid_instances`.

    Args:
        project (str | Unset):
        account (str | Unset):
        idempotency_key (str | Unset):
        body (DriveCreate): Create a drive: blank, or a copy of an image.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Drive | ErrorBody
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
    body: DriveCreate,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[Drive | ErrorBody]:
    """Create a drive

     A blank drive, or a copy of an image. Placement honours `avoid_drives` and `avoid_instances`.

    Args:
        project (str | Unset):
        account (str | Unset):
        idempotency_key (str | Unset):
        body (DriveCreate): Create a drive: blank, or a copy of an image.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Drive | ErrorBody]
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
    body: DriveCreate,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Drive | ErrorBody | None:
    """Create a drive

     A blank drive, or a copy of an image. Placement honours `avoid_drives` and `avoid_instances`.

    Args:
        project (str | Unset):
        account (str | Unset):
        idempotency_key (str | Unset):
        body (DriveCreate): Create a drive: blank, or a copy of an image.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Drive | ErrorBody
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
