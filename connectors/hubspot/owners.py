"""HubSpot owners: reading them (``/crm/v3/owners``) and writing ``hubspot_owner_id`` so that a
retried batch is never applied twice.

An owner's ``id`` is what ``hubspot_owner_id`` holds and what an assignment writes; its
``userId`` is a different number HubSpot refuses there. Active owners and archived (deactivated)
ones are listed by two reads (``archived=false``, ``archived=true``), each paged with ``after``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from connectors.base import CRMUser
from connectors.hubspot import records as rec

#: owners a page asks for (HubSpot's default is 100; it takes up to 500)
OWNERS_PAGE = 100
OWNER_PROPERTY = "hubspot_owner_id"
#: the key of ``OwnerUpdate``'s answer naming the records another owner holds (id -> owner id);
#: HubSpot never sends it
TAKEN = "leadscore_taken"

Request = Callable[..., Any]


def iter_owners(request: Request, get_page: Callable[..., Any]) -> Iterator[CRMUser]:
    """Every owner, active first, then the archived ones (as inactive users)."""
    for archived in (False, True):
        after: str | None = None
        while True:
            kw: dict[str, Any] = {"limit": OWNERS_PAGE, "archived": archived}
            if after:
                kw["after"] = after
            data = request(get_page, **kw) or {}
            for raw in data.get("results") or []:
                yield rec.user_from_owner({**raw, "archived": archived or raw.get("archived")})
            after = ((data.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                break


@dataclass
class _Answer:
    """What the client returns with ``_preload_content=False``: the body as bytes."""

    data: bytes


class OwnerUpdate:
    """``update(object_type, body)`` for ``BatchWriter`` that is safe to retry and never
    overwrites an owner: every attempt first reads the records' ``hubspot_owner_id`` (one batch
    read) and sends only those with no owner. Those already owned as asked (the attempt before
    may have been applied with its answer lost) are answered as confirmed; those another owner
    holds now (a rep took the contact since it was read) are answered under ``TAKEN`` and left
    alone. HubSpot's batch update has no condition on a property's current value, so the read
    comes just before the write: the two are one request apart."""

    def __init__(self, request: Request, read: Callable[..., Any], update: Callable[..., Any]):
        self._request = request
        self._read = read
        self._update = update

    def __call__(self, object_type: str, body: dict[str, Any]) -> Any:
        done: list[str] = []
        taken: dict[str, str] = {}
        inputs = list(body["inputs"])

        def send(obj: str, payload: dict[str, Any], **kw: Any) -> Any:
            nonlocal inputs
            ids = {"inputs": [{"id": i["id"]} for i in inputs], "properties": [OWNER_PROPERTY]}
            now = json.loads(self._read(obj, ids, archived=False, **kw).data or b"{}")
            owners = {
                str(r["id"]): (r.get("properties") or {}).get(OWNER_PROPERTY) or None
                for r in now.get("results") or []
            }
            for i in inputs:
                rid, owner = str(i["id"]), owners.get(str(i["id"]))
                if owner is None:
                    continue
                if owner == i["properties"][OWNER_PROPERTY]:
                    done.append(rid)
                else:
                    taken[rid] = str(owner)
            inputs = [i for i in inputs if owners.get(str(i["id"])) is None]
            if not inputs:
                return _Answer(json.dumps({"status": "COMPLETE", "results": []}).encode())
            return self._update(obj, {**payload, "inputs": inputs}, **kw)

        data = self._request(send, object_type, body) or {}
        data["results"] = [*(data.get("results") or []), *({"id": i} for i in done)]
        data[TAKEN] = taken
        return data
