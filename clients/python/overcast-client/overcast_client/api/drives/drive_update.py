from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.drive import Drive
from ...models.drive_update import DriveUpdate
from ...models.error_body import ErrorBody
from ...types import UNSET, Response, Unset


def _get_kwargs(
    drive: str,
    *,
    body: DriveUpdate,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
    if_match: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_match, Unset):
        headers["If-Match"] = if_match

    params: dict[str, Any] = {}

    params["project"] = project

    params["account"] = account

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/drives/{drive}".format(
            drive=quote(str(drive), safe=""),
        ),
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Drive | ErrorBody | None:
    if response.status_code == 200:
        response_200 = Drive.from_dict(response.json())

        return response_200

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

    if response.status_code == 412:
        response_412 = ErrorBody.from_dict(response.json())

        return response_412

    if response.status_code == 413:
        response_413 = ErrorBody.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = ErrorBody.from_dict(response.json())

        return response_415

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
    drive: str,
    *,
    client: AuthenticatedClient,
    body: DriveUpdate,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
    if_match: str | Unset = UNSET,
) -> Response[Drive | ErrorBody]:
    """Update a drive

     Rename it, or grow it (live). A drive never shrinks. A local drive
    grows on its host's storage: 507 when the host has not that much
    unallocated.

    Args:
        drive (str):
        project (str | Unset):
        account (str | Unset):
        if_match (str | Unset):
        body (DriveUpdate): Change a drive. Absent fields stay as they are.

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
        if_match=if_match,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    drive: str,
    *,
    client: AuthenticatedClient,
    body: DriveUpdate,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
    if_match: str | Unset = UNSET,
) -> Drive | ErrorBody | None:
    """Update a drive

     Rename it, or grow it (live). A drive never shrinks. A local drive
    grows on its host's storage: 507 when the host has not that much
    unallocated.

    Args:
        drive (str):
        project (str | Unset):
        account (str | Unset):
        if_match (str | Unset):
        body (DriveUpdate): Change a drive. Absent fields stay as they are.

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
        if_match=if_match,
    ).parsed


async def asyncio_detailed(
    drive: str,
    *,
    client: AuthenticatedClient,
    body: DriveUpdate,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
    if_match: str | Unset = UNSET,
) -> Response[Drive | ErrorBody]:
    """Update a drive

     Rename it, or grow it (live). A drive never shrinks. A local drive
    grows on its host's storage: 507 when the host has not that much
    unallocated.

    Args:
        drive (str):
        project (str | Unset):
        account (str | Unset):
        if_match (str | Unset):
        body (DriveUpdate): Change a drive. Absent fields stay as they are.

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
        if_match=if_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    drive: str,
    *,
    client: AuthenticatedClient,
    body: DriveUpdate,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
    if_match: str | Unset = UNSET,
) -> Drive | ErrorBody | None:
    """Update a drive

     Rename it, or grow it (live). A drive never shrinks. A local drive
    grows on its host's storage: 507 when the host has not that much
    unallocated.

    Args:
        drive (str):
        project (str | Unset):
        account (str | Unset):
        if_match (str | Unset):
        body (DriveUpdate): Change a drive. Absent fields stay as they are.

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
            if_match=if_match,
        )
    ).parsed
