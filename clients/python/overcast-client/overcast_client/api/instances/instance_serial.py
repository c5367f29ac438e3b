from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.serial_output import SerialOutput
from ...types import UNSET, Response, Unset


def _get_kwargs(
    instance: str,
    *,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
    offset: int | Unset = UNSET,
    max_bytes: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["project"] = project

    params["account"] = account

    params["offset"] = offset

    params["max_bytes"] = max_bytes

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/instances/{instance}/serial".format(
            instance=quote(str(instance), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | SerialOutput | None:
    if response.status_code == 200:
        response_200 = SerialOutput.from_dict(response.json())

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

    if response.status_code == 500:
        response_500 = ErrorBody.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = ErrorBody.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorBody | SerialOutput]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    instance: str,
    *,
    client: AuthenticatedClient,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
    offset: int | Unset = UNSET,
    max_bytes: int | Unset = UNSET,
) -> Response[ErrorBody | SerialOutput]:
    """Read an instance's serial console log

     The console output since the instance was made, from `offset` on. Poll
    with the returned `next_offset` to follow it.

    Args:
        instance (str):
        project (str | Unset):
        account (str | Unset):
        offset (int | Unset):
        max_bytes (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | SerialOutput]
    """

    kwargs = _get_kwargs(
        instance=instance,
        project=project,
        account=account,
        offset=offset,
        max_bytes=max_bytes,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    instance: str,
    *,
    client: AuthenticatedClient,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
    offset: int | Unset = UNSET,
    max_bytes: int | Unset = UNSET,
) -> ErrorBody | SerialOutput | None:
    """Read an instance's serial console log

     The console output since the instance was made, from `offset` on. Poll
    with the returned `next_offset` to follow it.

    Args:
        instance (str):
        project (str | Unset):
        account (str | Unset):
        offset (int | Unset):
        max_bytes (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | SerialOutput
    """

    return sync_detailed(
        instance=instance,
        client=client,
        project=project,
        account=account,
        offset=offset,
        max_bytes=max_bytes,
    ).parsed


async def asyncio_detailed(
    instance: str,
    *,
    client: AuthenticatedClient,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
    offset: int | Unset = UNSET,
    max_bytes: int | Unset = UNSET,
) -> Response[ErrorBody | SerialOutput]:
    """Read an instance's serial console log

     The console output since the instance was made, from `offset` on. Poll
    with the returned `next_offset` to follow it.

    Args:
        instance (str):
        project (str | Unset):
        account (str | Unset):
        offset (int | Unset):
        max_bytes (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | SerialOutput]
    """

    kwargs = _get_kwargs(
        instance=instance,
        project=project,
        account=account,
        offset=offset,
        max_bytes=max_bytes,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    instance: str,
    *,
    client: AuthenticatedClient,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
    offset: int | Unset = UNSET,
    max_bytes: int | Unset = UNSET,
) -> ErrorBody | SerialOutput | None:
    """Read an instance's serial console log

     The console output since the instance was made, from `offset` on. Poll
    with the returned `next_offset` to follow it.

    Args:
        instance (str):
        project (str | Unset):
        account (str | Unset):
        offset (int | Unset):
        max_bytes (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | SerialOutput
    """

    return (
        await asyncio_detailed(
            instance=instance,
            client=client,
            project=project,
            account=account,
            offset=offset,
            max_bytes=max_bytes,
        )
    ).parsed
