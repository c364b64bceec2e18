"""The ``Lead_Score_*__c`` fields of an org: which are missing, which are invisible to the
integration user, and creating the missing ones through the Tooling API.

``ScoreFieldAdmin`` is given the connector's call wrapper (retry policy and session renewal),
its client and its describe cache, so it makes the same requests the connector would.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import structlog
from simple_salesforce import Salesforce

from connectors.base import SCORE_FIELDS, score_field_name
from connectors.salesforce import soql
from connectors.salesforce.fields import field_metadata

log = structlog.get_logger(__name__)
T = TypeVar("T")
SCORE_OBJECTS = ("Lead", "Contact")


class ScoreFieldAdmin:
    """``missing_fields``, ``invisible_fields`` and ``ensure_fields`` of the Salesforce connector."""

    def __init__(
        self,
        *,
        call: Callable[[Callable[[], Any]], Any],
        client: Callable[[], Salesforce],
        describe: Callable[..., soql.ObjectInfo],
        forget: Callable[[str], Any],
    ) -> None:
        self._call = call
        self._client = client
        self._describe = describe
        self._forget = forget

    @staticmethod
    def names() -> list[tuple[str, str]]:
        """(object, field name) of every score field."""
        return [
            (obj, score_field_name(logical, "salesforce"))
            for obj in SCORE_OBJECTS
            for logical in SCORE_FIELDS
        ]

    def _existing_custom_fields(self) -> set[str]:
        """``Object.Field__c`` of the score fields that exist in the org, visible or not
        (the Tooling API sees fields the integration user has no field-level access to)."""
        query = (
            "SELECT DeveloperName, TableEnumOrId FROM CustomField "
            "WHERE DeveloperName LIKE 'Lead_Score_%'"
        )
        data: dict[str, Any] = self._call(
            lambda: self._client().toolingexecute("query/", params={"q": query})
        )
        return {f"{r['TableEnumOrId']}.{r['DeveloperName']}__c" for r in data.get("records") or []}

    def _not_described(self) -> list[str]:
        fresh = {obj: self._describe(obj, fresh=True).fields for obj in SCORE_OBJECTS}
        return [f"{obj}.{name}" for obj, name in self.names() if name not in fresh[obj]]

    def missing_fields(self) -> list[str]:
        """Score fields that do not exist at all (``crm setup`` creates them)."""
        absent = self._not_described()
        if not absent:
            return []
        existing = self._existing_custom_fields()
        return [f for f in absent if f not in existing]

    def invisible_fields(self) -> list[str]:
        """Score fields that exist but describe does not show: no field-level security yet."""
        absent = self._not_described()
        if not absent:
            return []
        existing = self._existing_custom_fields()
        return [f for f in absent if f in existing]

    def _create_field(self, body: dict[str, Any]) -> Any:
        return self._client().toolingexecute("sobjects/CustomField/", method="POST", data=body)

    def ensure_fields(self) -> list[str]:
        """Create the missing ``Lead_Score_*__c`` fields through the Tooling API."""
        created = []
        for full_name in self.missing_fields():
            obj, _, name = full_name.partition(".")
            logical = name.removeprefix("Lead_Score_").removesuffix("__c")
            body = {"FullName": full_name, "Metadata": field_metadata(logical)}
            self._call(partial(self._create_field, body))
            log.info("score_field_created", connector="salesforce", field=full_name)
            created.append(full_name)
        for obj in SCORE_OBJECTS:
            self._forget(obj)
        return created
