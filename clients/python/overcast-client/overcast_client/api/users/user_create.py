from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.user import User
from ...models.user_create import UserCreate
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: UserCreate,
    account: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    params: dict[str, Any] = {}

    params["account"] = account

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/users",
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | User | None:
    if response.status_code == 201:
        response_201 = User.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorBody | User]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: UserCreate,
    account: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorBody | User]:
    """Create a user

    Args:
        account (str | Unset):
        idempotency_key (str | Unset):
        body (UserCreate): Create a user: of an account (the account roles, `?account=` as for
            other account resources), of a partner (`partner_admin`, with
            `partner`), or of the operator (`operator`). Example: {'description': 'Site reliability',
            'email': 'alice@acme.example', 'name': 'alice', 'role': 'account_member'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | User]
    """

    kwargs = _get_kwargs(
        body=body,
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
    body: UserCreate,
    account: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> ErrorBody | User | None:
    """Create a user

    Args:
        account (str | Unset):
        idempotency_key (str | Unset):
        body (UserCreate): Create a user: of an account (the account roles, `?account=` as for
            other account resources), of a partner (`partner_admin`, with
            `partner`), or of the operator (`operator`). Example: {'description': 'Site reliability',
            'email': 'alice@acme.example', 'name': 'alice', 'role': 'account_member'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | User
    """

    return sync_detailed(
        client=client,
        body=body,
        account=account,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: UserCreate,
    account: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorBody | User]:
    """Create a user

    Args:
        account (str | Unset):
        idempotency_key (str | Unset):
        body (UserCreate): Create a user: of an account (the account roles, `?account=` as for
            other account resources), of a partner (`partner_admin`, with
            `partner`), or of the operator (`operator`). Example: {'description': 'Site reliability',
            'email': 'alice@acme.example', 'name': 'alice', 'role': 'account_member'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | User]
    """

    kwargs = _get_kwargs(
        body=body,
        account=account,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: UserCreate,
    account: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> ErrorBody | User | None:
    """Create a user

    Args:
        account (str | Unset):
        idempotency_key (str | Unset):
        body (UserCreate): Create a user: of an account (the account roles, `?account=` as for
            other account resources), of a partner (`partner_admin`, with
            `partner`), or of the operator (`operator`). Example: {'description': 'Site reliability',
            'email': 'alice@acme.example', 'name': 'alice', 'role': 'account_member'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | User
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            account=account,
            idempotency_key=idempotency_key,
        )
    ).parsed
