"""Errors as exceptions, and pages as iterators.

Hand-written (clients/python/extra/checked.py) and copied into the generated
package by `cargo xtask clients`: the generated functions return an
`ErrorBody` for documented error statuses; `ok` turns that into an
`OvercastError` that carries the error code and the request id.
"""

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, TypeVar

from .models.error_body import ErrorBody
from .types import UNSET, Unset

T = TypeVar("T")


class OvercastError(Exception):
    """An error answered by the Overcast API."""

    def __init__(self, body: ErrorBody) -> None:
        self.status: int = body.status
        self.error_code: str = body.error_code
        self.message: str = body.message
        self.request_id: str = body.request_id
        self.field: str | None = None if isinstance(body.field, Unset) else body.field
        super().__init__(f"{body.message} ({body.error_code}, request {body.request_id})")


def ok(result: T | ErrorBody | None) -> T:
    """The result of a call, or an `OvercastError` if the API answered with an error."""
    if isinstance(result, ErrorBody):
        raise OvercastError(result)
    if result is None:
        raise RuntimeError("the API answered with a status this SDK does not know")
    return result


def paginate(call: Callable[..., Any], **kwargs: Any) -> Iterator[Any]:
    """Every item of a list: `paginate(drive_list.sync, client=c, project="web")`."""
    token: str | Unset = UNSET
    while True:
        page = ok(call(page_token=token, **kwargs))
        yield from page.items
        if not isinstance(page.next_page, str):
            return
        token = page.next_page


async def apaginate(call: Callable[..., Awaitable[Any]], **kwargs: Any) -> AsyncIterator[Any]:
    """`paginate` for the `asyncio` functions."""
    token: str | Unset = UNSET
    while True:
        page = ok(await call(page_token=token, **kwargs))
        for item in page.items:
            yield item
        if not isinstance(page.next_page, str):
            return
        token = page.next_page
