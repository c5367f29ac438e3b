from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.image import Image
from ...types import UNSET, Response, Unset


def _get_kwargs(
    image: str,
    *,
    account: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["account"] = account

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/images/{image}".format(
            image=quote(str(image), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | Image | None:
    if response.status_code == 200:
        response_200 = Image.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorBody | Image]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    image: str,
    *,
    client: AuthenticatedClient,
    account: str | Unset = UNSET,
) -> Response[ErrorBody | Image]:
    """Fetch an image

     By name, the account's own image comes before a system image of the same name.

    Args:
        image (str):
        account (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Image]
    """

    kwargs = _get_kwargs(
        image=image,
        account=account,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    image: str,
    *,
    client: AuthenticatedClient,
    account: str | Unset = UNSET,
) -> ErrorBody | Image | None:
    """Fetch an image

     By name, the account's own image comes before a system image of the same name.

    Args:
        image (str):
        account (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Image
    """

    return sync_detailed(
        image=image,
        client=client,
        account=account,
    ).parsed


async def asyncio_detailed(
    image: str,
    *,
    client: AuthenticatedClient,
    account: str | Unset = UNSET,
) -> Response[ErrorBody | Image]:
    """Fetch an image

     By name, the account's own image comes before a system image of the same name.

    Args:
        image (str):
        account (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Image]
    """

    kwargs = _get_kwargs(
        image=image,
        account=account,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    image: str,
    *,
    client: AuthenticatedClient,
    account: str | Unset = UNSET,
) -> ErrorBody | Image | None:
    """Fetch an image

     By name, the account's own image comes before a system image of the same name.

    Args:
        image (str):
        account (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Image
    """

    return (
        await asyncio_detailed(
            image=image,
            client=client,
            account=account,
        )
    ).parsed
