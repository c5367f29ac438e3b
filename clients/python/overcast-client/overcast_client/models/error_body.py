from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ErrorBody")


@_attrs_define
class ErrorBody:
    """An error as returned to API clients.

    Example:
        {'error_code': 'not_found', 'message': 'drive "data" not found', 'request_id':
            '0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b', 'status': 404, 'title': 'Not Found', 'type':
            'https://overcast.dev/errors/not_found'}

    Attributes:
        error_code (str): A stable, machine-readable code. Clients branch on this, never on `message`.
        message (str): A human-readable explanation.
        request_id (str): The id of the request, also sent in the `x-request-id` header.
        status (int): The HTTP status code.
        title (str): The HTTP reason phrase of `status`.
        type_ (str): A URI naming the kind of problem.
        field (None | str | Unset): The path of the offending input field, where there is one (`drives[1]`,
            `size_bytes`).
    """

    error_code: str
    message: str
    request_id: str
    status: int
    title: str
    type_: str
    field: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        error_code = self.error_code

        message = self.message

        request_id = self.request_id

        status = self.status

        title = self.title

        type_ = self.type_

        field: None | str | Unset
        if isinstance(self.field, Unset):
            field = UNSET
        else:
            field = self.field

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "error_code": error_code,
                "message": message,
                "request_id": request_id,
                "status": status,
                "title": title,
                "type": type_,
            }
        )
        if field is not UNSET:
            field_dict["field"] = field

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        error_code = d.pop("error_code")

        message = d.pop("message")

        request_id = d.pop("request_id")

        status = d.pop("status")

        title = d.pop("title")

        type_ = d.pop("type")

        def _parse_field(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        field = _parse_field(d.pop("field", UNSET))

        error_body = cls(
            error_code=error_code,
            message=message,
            request_id=request_id,
            status=status,
            title=title,
            type_=type_,
            field=field,
        )

        error_body.additional_properties = d
        return error_body

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
