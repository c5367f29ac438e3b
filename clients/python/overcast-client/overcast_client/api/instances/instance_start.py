from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.instance import Instance
from ...types import UNSET, Response, Unset


def _get_kwargs(
    instance: str,
    *,
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
        "url": "/v1/instances/{instance}/start".format(
            instance=quote(str(instance), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | Instance | None:
    if response.status_code == 202:
        response_202 = Instance.from_dict(response.json())

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

    if response.status_code == 507:
        response_507 = ErrorBody.from_dict(response.json())

        return response_507

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorBody | Instance]:
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
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorBody | Instance]:
    """Start an instance

     Allowed while stopped or failed; the instance moves to `starting`.

    Args:
        instance (str):
        project (str | Unset):
        account (str | Unset):
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Instance]
    """

    kwargs = _get_kwargs(
        instance=instance,
        project=project,
        account=account,
        idempotency_key=idempotency_key,
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
    idempotency_key: str | Unset = UNSET,
) -> ErrorBody | Instance | None:
    """Start an instance

     Allowed while stopped or failed; the instance moves to `starting`.

    Args:
        instance (str):
        project (str | Unset):
        account (str | Unset):
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Instance
    """

    return sync_detailed(
        instance=instance,
        client=client,
        project=project,
        account=account,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    instance: str,
    *,
    client: AuthenticatedClient,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorBody | Instance]:
    """Start an instance

     Allowed while stopped or failed; the instance moves to `starting`.

    Args:
        instance (str):
        project (str | Unset):
        account (str | Unset):
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Instance]
    """

    kwargs = _get_kwargs(
        instance=instance,
        project=project,
        account=account,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    instance: str,
    *,
    client: AuthenticatedClient,
    project: str | Unset = UNSET,
    account: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> ErrorBody | Instance | None:
    """Start an instance

     Allowed while stopped or failed; the instance moves to `starting`.

    Args:
        instance (str):
        project (str | Unset):
        account (str | Unset):
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Instance
    """

    return (
        await asyncio_detailed(
            instance=instance,
            client=client,
            project=project,
            account=account,
            idempotency_key=idempotency_key,
        )
    ).parsed
