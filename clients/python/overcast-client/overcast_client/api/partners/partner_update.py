from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.partner import Partner
from ...models.partner_update import PartnerUpdate
from ...types import UNSET, Response, Unset


def _get_kwargs(
    partner: str,
    *,
    body: PartnerUpdate,
    if_match: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_match, Unset):
        headers["If-Match"] = if_match

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/partners/{partner}".format(
            partner=quote(str(partner), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | Partner | None:
    if response.status_code == 200:
        response_200 = Partner.from_dict(response.json())

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

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorBody | Partner]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    partner: str,
    *,
    client: AuthenticatedClient,
    body: PartnerUpdate,
    if_match: str | Unset = UNSET,
) -> Response[ErrorBody | Partner]:
    """Update a partner

     Operators may change everything; a partner's admins may change its description and brand.

    Args:
        partner (str):
        if_match (str | Unset):
        body (PartnerUpdate): Change a partner. Absent fields stay as they are.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Partner]
    """

    kwargs = _get_kwargs(
        partner=partner,
        body=body,
        if_match=if_match,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    partner: str,
    *,
    client: AuthenticatedClient,
    body: PartnerUpdate,
    if_match: str | Unset = UNSET,
) -> ErrorBody | Partner | None:
    """Update a partner

     Operators may change everything; a partner's admins may change its description and brand.

    Args:
        partner (str):
        if_match (str | Unset):
        body (PartnerUpdate): Change a partner. Absent fields stay as they are.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Partner
    """

    return sync_detailed(
        partner=partner,
        client=client,
        body=body,
        if_match=if_match,
    ).parsed


async def asyncio_detailed(
    partner: str,
    *,
    client: AuthenticatedClient,
    body: PartnerUpdate,
    if_match: str | Unset = UNSET,
) -> Response[ErrorBody | Partner]:
    """Update a partner

     Operators may change everything; a partner's admins may change its description and brand.

    Args:
        partner (str):
        if_match (str | Unset):
        body (PartnerUpdate): Change a partner. Absent fields stay as they are.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Partner]
    """

    kwargs = _get_kwargs(
        partner=partner,
        body=body,
        if_match=if_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    partner: str,
    *,
    client: AuthenticatedClient,
    body: PartnerUpdate,
    if_match: str | Unset = UNSET,
) -> ErrorBody | Partner | None:
    """Update a partner

     Operators may change everything; a partner's admins may change its description and brand.

    Args:
        partner (str):
        if_match (str | Unset):
        body (PartnerUpdate): Change a partner. Absent fields stay as they are.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Partner
    """

    return (
        await asyncio_detailed(
            partner=partner,
            client=client,
            body=body,
            if_match=if_match,
        )
    ).parsed
