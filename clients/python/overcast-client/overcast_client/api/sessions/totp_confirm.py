from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.recovery_codes import RecoveryCodes
from ...models.totp_code import TotpCode
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: TotpCode,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/me/totp/confirm",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | RecoveryCodes | None:
    if response.status_code == 200:
        response_200 = RecoveryCodes.from_dict(response.json())

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
) -> Response[ErrorBody | RecoveryCodes]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: TotpCode,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorBody | RecoveryCodes]:
    """Turn the second factor on

     Confirms the secret from `POST /v1/me/totp` with a code the app shows.
    From then on a login needs a code too. The answer holds ten recovery
    codes, shown this once.

    Args:
        idempotency_key (str | Unset):
        body (TotpCode): A code that proves the second factor: from the authenticator app, or
            (to turn it off) a recovery code.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | RecoveryCodes]
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
    body: TotpCode,
    idempotency_key: str | Unset = UNSET,
) -> ErrorBody | RecoveryCodes | None:
    """Turn the second factor on

     Confirms the secret from `POST /v1/me/totp` with a code the app shows.
    From then on a login needs a code too. The answer holds ten recovery
    codes, shown this once.

    Args:
        idempotency_key (str | Unset):
        body (TotpCode): A code that proves the second factor: from the authenticator app, or
            (to turn it off) a recovery code.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | RecoveryCodes
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: TotpCode,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorBody | RecoveryCodes]:
    """Turn the second factor on

     Confirms the secret from `POST /v1/me/totp` with a code the app shows.
    From then on a login needs a code too. The answer holds ten recovery
    codes, shown this once.

    Args:
        idempotency_key (str | Unset):
        body (TotpCode): A code that proves the second factor: from the authenticator app, or
            (to turn it off) a recovery code.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | RecoveryCodes]
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
    body: TotpCode,
    idempotency_key: str | Unset = UNSET,
) -> ErrorBody | RecoveryCodes | None:
    """Turn the second factor on

     Confirms the secret from `POST /v1/me/totp` with a code the app shows.
    From then on a login needs a code too. The answer holds ten recovery
    codes, shown this once.

    Args:
        idempotency_key (str | Unset):
        body (TotpCode): A code that proves the second factor: from the authenticator app, or
            (to turn it off) a recovery code.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | RecoveryCodes
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
