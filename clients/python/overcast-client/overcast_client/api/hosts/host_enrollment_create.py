from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.host_enrollment import HostEnrollment
from ...models.host_enrollment_create import HostEnrollmentCreate
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: HostEnrollmentCreate,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/host-enrollments",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | HostEnrollment | None:
    if response.status_code == 201:
        response_201 = HostEnrollment.from_dict(response.json())

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
) -> Response[ErrorBody | HostEnrollment]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: HostEnrollmentCreate,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorBody | HostEnrollment]:
    """Create a host enrollment token

     A one-use token, shown once, that `overcast-hostd` trades for a host
    identity on its first start. The host reports its own capacity.

    Args:
        idempotency_key (str | Unset):
        body (HostEnrollmentCreate): Ask for a one-use token that enrolls a new host (`overcast-
            hostd run
            --enrollment-token-file`): the host then reports its own capacity.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | HostEnrollment]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: HostEnrollmentCreate,
    idempotency_key: str | Unset = UNSET,
) -> ErrorBody | HostEnrollment | None:
    """Create a host enrollment token

     A one-use token, shown once, that `overcast-hostd` trades for a host
    identity on its first start. The host reports its own capacity.

    Args:
        idempotency_key (str | Unset):
        body (HostEnrollmentCreate): Ask for a one-use token that enrolls a new host (`overcast-
            hostd run
            --enrollment-token-file`): the host then reports its own capacity.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | HostEnrollment
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: HostEnrollmentCreate,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorBody | HostEnrollment]:
    """Create a host enrollment token

     A one-use token, shown once, that `overcast-hostd` trades for a host
    identity on its first start. The host reports its own capacity.

    Args:
        idempotency_key (str | Unset):
        body (HostEnrollmentCreate): Ask for a one-use token that enrolls a new host (`overcast-
            hostd run
            --enrollment-token-file`): the host then reports its own capacity.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | HostEnrollment]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: HostEnrollmentCreate,
    idempotency_key: str | Unset = UNSET,
) -> ErrorBody | HostEnrollment | None:
    """Create a host enrollment token

     A one-use token, shown once, that `overcast-hostd` trades for a host
    identity on its first start. The host reports its own capacity.

    Args:
        idempotency_key (str | Unset):
        body (HostEnrollmentCreate): Ask for a one-use token that enrolls a new host (`overcast-
            hostd run
            --enrollment-token-file`): the host then reports its own capacity.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | HostEnrollment
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
