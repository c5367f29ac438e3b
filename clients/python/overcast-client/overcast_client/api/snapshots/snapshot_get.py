from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.snapshot import Snapshot
from ...types import UNSET, Response, Unset


def _get_kwargs(
    snapshot: str,
    *,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["project"] = project

    params["account"] = account

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/snapshots/{snapshot}".format(
            snapshot=quote(str(snapshot), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | Snapshot | None:
    if response.status_code == 200:
        response_200 = Snapshot.from_dict(response.json())

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
    snapshot: str,
    *,
    client: AuthenticatedClient,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
) -> Response[ErrorBody | Snapshot]:
    """Fetch a snapshot

    Args:
        snapshot (str):
        project (str | Unset):
        account (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Snapshot]
    """

    kwargs = _get_kwargs(
        snapshot=snapshot,
        project=project,
        account=account,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    snapshot: str,
    *,
    client: AuthenticatedClient,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
) -> ErrorBody | Snapshot | None:
    """Fetch a snapshot

    Args:
        snapshot (str):
        project (str | Unset):
        account (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Snapshot
    """

    return sync_detailed(
        snapshot=snapshot,
        client=client,
        project=project,
        account=account,
    ).parsed


async def asyncio_detailed(
    snapshot: str,
    *,
    client: AuthenticatedClient,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
) -> Response[ErrorBody | Snapshot]:
    """Fetch a snapshot

    Args:
        snapshot (str):
        project (str | Unset):
        account (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Snapshot]
    """

    kwargs = _get_kwargs(
        snapshot=snapshot,
        project=project,
        account=account,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    snapshot: str,
    *,
    client: AuthenticatedClient,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
) -> ErrorBody | Snapshot | None:
    """Fetch a snapshot

    Args:
        snapshot (str):
        project (str | Unset):
        account (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Snapshot
    """

    return (
        await asyncio_detailed(
            snapshot=snapshot,
            client=client,
            project=project,
            account=account,
        )
    ).parsed
