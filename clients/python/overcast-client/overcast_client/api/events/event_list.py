from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.event_list_order import EventListOrder
from ...models.event_page import EventPage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    account: str | Unset = UNSET,
    resource_id: UUID | Unset = UNSET,
    resource_type: str | Unset = UNSET,
    action: str | Unset = UNSET,
    order: EventListOrder | Unset = UNSET,
    limit: int | Unset = UNSET,
    page_token: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["account"] = account

    json_resource_id: str | Unset = UNSET
    if not isinstance(resource_id, Unset):
        json_resource_id = str(resource_id)
    params["resource_id"] = json_resource_id

    params["resource_type"] = resource_type

    params["action"] = action

    json_order: str | Unset = UNSET
    if not isinstance(order, Unset):
        json_order = order.value

    params["order"] = json_order

    params["limit"] = limit

    params["page_token"] = page_token

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/events",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | EventPage | None:
    if response.status_code == 200:
        response_200 = EventPage.from_dict(response.json())

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
) -> Response[ErrorBody | EventPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    account: str | Unset = UNSET,
    resource_id: UUID | Unset = UNSET,
    resource_type: str | Unset = UNSET,
    action: str | Unset = UNSET,
    order: EventListOrder | Unset = UNSET,
    limit: int | Unset = UNSET,
    page_token: str | Unset = UNSET,
) -> Response[ErrorBody | EventPage]:
    """List audit events

     Every mutation: who (token or user), what, when, and the request id,
    oldest first unless `order=newest_first`, filtered by resource, kind of
    resource or action. Tenants see the events of their own accounts.

    Args:
        account (str | Unset):
        resource_id (UUID | Unset):
        resource_type (str | Unset):
        action (str | Unset):
        order (EventListOrder | Unset): The order of the audit log. Example: newest_first.
        limit (int | Unset):
        page_token (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | EventPage]
    """

    kwargs = _get_kwargs(
        account=account,
        resource_id=resource_id,
        resource_type=resource_type,
        action=action,
        order=order,
        limit=limit,
        page_token=page_token,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    account: str | Unset = UNSET,
    resource_id: UUID | Unset = UNSET,
    resource_type: str | Unset = UNSET,
    action: str | Unset = UNSET,
    order: EventListOrder | Unset = UNSET,
    limit: int | Unset = UNSET,
    page_token: str | Unset = UNSET,
) -> ErrorBody | EventPage | None:
    """List audit events

     Every mutation: who (token or user), what, when, and the request id,
    oldest first unless `order=newest_first`, filtered by resource, kind of
    resource or action. Tenants see the events of their own accounts.

    Args:
        account (str | Unset):
        resource_id (UUID | Unset):
        resource_type (str | Unset):
        action (str | Unset):
        order (EventListOrder | Unset): The order of the audit log. Example: newest_first.
        limit (int | Unset):
        page_token (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | EventPage
    """

    return sync_detailed(
        client=client,
        account=account,
        resource_id=resource_id,
        resource_type=resource_type,
        action=action,
        order=order,
        limit=limit,
        page_token=page_token,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    account: str | Unset = UNSET,
    resource_id: UUID | Unset = UNSET,
    resource_type: str | Unset = UNSET,
    action: str | Unset = UNSET,
    order: EventListOrder | Unset = UNSET,
    limit: int | Unset = UNSET,
    page_token: str | Unset = UNSET,
) -> Response[ErrorBody | EventPage]:
    """List audit events

     Every mutation: who (token or user), what, when, and the request id,
    oldest first unless `order=newest_first`, filtered by resource, kind of
    resource or action. Tenants see the events of their own accounts.

    Args:
        account (str | Unset):
        resource_id (UUID | Unset):
        resource_type (str | Unset):
        action (str | Unset):
        order (EventListOrder | Unset): The order of the audit log. Example: newest_first.
        limit (int | Unset):
        page_token (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | EventPage]
    """

    kwargs = _get_kwargs(
        account=account,
        resource_id=resource_id,
        resource_type=resource_type,
        action=action,
        order=order,
        limit=limit,
        page_token=page_token,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    account: str | Unset = UNSET,
    resource_id: UUID | Unset = UNSET,
    resource_type: str | Unset = UNSET,
    action: str | Unset = UNSET,
    order: EventListOrder | Unset = UNSET,
    limit: int | Unset = UNSET,
    page_token: str | Unset = UNSET,
) -> ErrorBody | EventPage | None:
    """List audit events

     Every mutation: who (token or user), what, when, and the request id,
    oldest first unless `order=newest_first`, filtered by resource, kind of
    resource or action. Tenants see the events of their own accounts.

    Args:
        account (str | Unset):
        resource_id (UUID | Unset):
        resource_type (str | Unset):
        action (str | Unset):
        order (EventListOrder | Unset): The order of the audit log. Example: newest_first.
        limit (int | Unset):
        page_token (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | EventPage
    """

    return (
        await asyncio_detailed(
            client=client,
            account=account,
            resource_id=resource_id,
            resource_type=resource_type,
            action=action,
            order=order,
            limit=limit,
            page_token=page_token,
        )
    ).parsed
