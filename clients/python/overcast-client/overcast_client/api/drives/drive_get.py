from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.drive import Drive
from ...models.error_body import ErrorBody
from ...types import UNSET, Response, Unset


def _get_kwargs(
    drive: str,
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
        "url": "/v1/drives/{drive}".format(
            drive=quote(str(drive), safe=""),
        ),
        "params": params,
    }

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
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
) -> Response[Drive | ErrorBody]:
    """Fetch a drive

    Args:
        drive (str):
        project (str | Unset):
        account (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Drive | ErrorBody]
    """

    kwargs = _get_kwargs(
        drive=drive,
        project=project,
        account=account,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    drive: str,
    *,
    client: AuthenticatedClient,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
) -> Drive | ErrorBody | None:
    """Fetch a drive

    Args:
        drive (str):
        project (str | Unset):
        account (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Drive | ErrorBody
    """

    return sync_detailed(
        drive=drive,
        client=client,
        project=project,
        account=account,
    ).parsed


async def asyncio_detailed(
    drive: str,
    *,
    client: AuthenticatedClient,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
) -> Response[Drive | ErrorBody]:
    """Fetch a drive

    Args:
        drive (str):
        project (str | Unset):
        account (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Drive | ErrorBody]
    """

    kwargs = _get_kwargs(
        drive=drive,
        project=project,
        account=account,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    drive: str,
    *,
    client: AuthenticatedClient,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
) -> Drive | ErrorBody | None:
    """Fetch a drive

    Args:
        drive (str):
        project (str | Unset):
        account (str | Unset):

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
            project=project,
            account=account,
        )
    ).parsed
