"""A DynamoDB table through the low-level client: plain dicts in and out, and botocore's
ConditionalCheckFailed translated once into the domain's Conflict."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from infra.aws import client, error_code
from infra.errors import Conflict

_serialize = TypeSerializer().serialize
_deserialize = TypeDeserializer().deserialize


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    return {key: _serialize(value) for key, value in values.items() if value is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _plain(_deserialize(value)) for key, value in item.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@contextmanager
def conditional() -> Iterator[None]:
    """Turn a failed condition into Conflict (Cancelled for a transaction, saying which of its
    writes failed); every other AWS error passes through."""
    try:
        yield
    except ClientError as e:
        if error_code(e) == "TransactionCanceledException":
            reasons = e.response.get("CancellationReasons", [])
            failed = [i for i, reason in enumerate(reasons) if reason.get("Code") == "ConditionalCheckFailed"]
            raise Cancelled(failed) from e
        if error_code(e) == "ConditionalCheckFailedException":
            raise Conflict(str(e)) from e
        raise


class Cancelled(Conflict):
    """A transaction none of whose writes happened, because the conditions of `failed` (their
    positions in the transaction) did not hold."""

    def __init__(self, failed: list[int]):
        super().__init__(f"transaction cancelled: conditions of writes {failed} failed")
        self.failed = failed


@dataclass(frozen=True)
class Write:
    """One write of a transaction (infra/stores/dynamo.transact), made by the store it belongs to."""

    kind: Literal["Put", "Update"]
    request: dict[str, Any]


def transact(writes: Sequence[Write]) -> None:
    """All the writes or none, in one round trip; Cancelled when a condition fails."""
    with conditional():
        client("dynamodb").transact_write_items(
            TransactItems=[{write.kind: write.request} for write in writes]
        )


class Table:
    def __init__(self, name: str):
        self.name = name
        self._client = client("dynamodb")

    def put(self, item: dict[str, Any], condition: str | None = None, **expression: Any) -> None:
        with conditional():
            self._client.put_item(**self.put_write(item, condition, **expression).request)

    def put_write(self, item: dict[str, Any], condition: str | None = None, **expression: Any) -> Write:
        args = _expression_args(condition=condition, **expression)
        return Write("Put", {"TableName": self.name, "Item": to_item(item), **args})

    def update_write(
        self, key: dict[str, Any], update: str, condition: str | None = None, **expression: Any
    ) -> Write:
        args = _expression_args(condition=condition, **expression)
        request = {"TableName": self.name, "Key": to_item(key), "UpdateExpression": update, **args}
        return Write("Update", request)

    def get(self, key: dict[str, Any]) -> dict[str, Any] | None:
        item = self._client.get_item(TableName=self.name, Key=to_item(key), ConsistentRead=True).get("Item")
        return from_item(item) if item else None

    def update(
        self,
        key: dict[str, Any],
        update: str,
        condition: str | None = None,
        returning: bool = True,
        **expression: Any,
    ) -> dict[str, Any]:
        """Apply an update expression; returns the item as it is afterwards, or {} when not
        `returning` (hot-path writes that know what they wrote skip the copy back)."""
        request = self.update_write(key, update, condition, **expression).request
        with conditional():
            response = self._client.update_item(**request, ReturnValues="ALL_NEW" if returning else "NONE")
        return from_item(response.get("Attributes", {}))

    def apply(self, write: Write) -> None:
        """Make one write alone (what `transact` makes with others)."""
        call = self._client.put_item if write.kind == "Put" else self._client.update_item
        with conditional():
            call(**write.request)

    def delete(self, key: dict[str, Any]) -> None:
        self._client.delete_item(TableName=self.name, Key=to_item(key))

    def query(
        self,
        key_condition: str,
        index: str | None = None,
        limit: int | None = None,
        newest_first: bool = False,
        count_only: bool = False,
        filter_expression: str | None = None,
        **expression: Any,
    ) -> list[dict[str, Any]] | int:
        """`limit` counts the items returned: with a filter, pages are read until that many pass."""
        args = _expression_args(**expression)
        args["KeyConditionExpression"] = key_condition
        if filter_expression:
            args["FilterExpression"] = filter_expression
        if index:
            args["IndexName"] = index
        if limit:
            args["Limit"] = limit
        if count_only:
            args["Select"] = "COUNT"
        args["ScanIndexForward"] = not newest_first
        items: list[dict[str, Any]] = []
        count = 0
        for page in self._client.get_paginator("query").paginate(TableName=self.name, **args):
            count += page["Count"]
            items.extend(from_item(item) for item in page.get("Items", []))
            if limit and len(items) >= limit:
                break
        return count if count_only else items[:limit] if limit else items

    def scan(self, filter_expression: str | None = None, **expression: Any) -> list[dict[str, Any]]:
        """Whole-table reads, kept to the small tables (contexts, binaries)."""
        args = _expression_args(**expression)
        if filter_expression:
            args["FilterExpression"] = filter_expression
        items: list[dict[str, Any]] = []
        for page in self._client.get_paginator("scan").paginate(TableName=self.name, **args):
            items.extend(from_item(item) for item in page.get("Items", []))
        return items


def _expression_args(
    condition: str | None = None,
    names: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> dict[str, Any]:
    args: dict[str, Any] = {}
    if condition:
        args["ConditionExpression"] = condition
    if names:
        args["ExpressionAttributeNames"] = names
    if values:
        args["ExpressionAttributeValues"] = to_item(values)
    return args
