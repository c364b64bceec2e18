"""A stateful fake Salesforce REST API on 127.0.0.1, enough for simple-salesforce to talk to.

It speaks: SOAP and OAuth logins, describe, SOQL queries (the subset the connector writes) with
``nextRecordsUrl`` paging, sObject Collections updates, Bulk API 2.0 ingest jobs, the Tooling API
``CustomField`` create, ``/limits``, and sends ``Sforce-Limit-Info`` on every answer. It rejects a
query that names a field the object lacks (400 INVALID_FIELD), like the real one.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from connectors.base import SCORE_FIELDS, score_field_name
from tests.fakes.base import FakeServer, Request, Response

VERSION = "59.0"
TOKEN = "00Dfake!SESSION-TOKEN-never-logged"
PREFIX = {
    "Lead": "00Q",
    "Contact": "003",
    "Opportunity": "006",
    "Account": "001",
    "Task": "00T",
    "Event": "00U",
    "User": "005",
    "Group": "00G",
}
REFERENCES = {  # field -> (relationshipName, referenceTo)
    "AccountId": ("Account", "Account"),
    "OwnerId": ("Owner", "User"),
    "WhoId": ("Who", "Lead"),
    "ManagerId": ("Manager", "User"),
}
#: lookups that may point to several objects, as describe lists them (Owner: a user or a queue)
POLYMORPHIC = {"OwnerId": ["Group", "User"]}
BASE_FIELDS = {
    "Lead": "Id FirstName LastName Company Title Industry NumberOfEmployees AnnualRevenue Country "
    "State LeadSource Status Rating IsConverted OwnerId CreatedDate SystemModstamp",
    "Contact": "Id FirstName LastName Title Department LeadSource AccountId OwnerId "
    "MailingCountry CreatedDate SystemModstamp",
    "Opportunity": "Id Name AccountId Amount StageName IsClosed IsWon CloseDate LeadSource Type "
    "OwnerId CreatedDate SystemModstamp",
    "Account": "Id Name Industry NumberOfEmployees AnnualRevenue BillingCountry BillingState "
    "Type OwnerId SystemModstamp",
    "Task": "Id Subject Type TaskSubtype WhoId AccountId OwnerId Status CreatedDate "
    "CompletedDateTime SystemModstamp",
    "Event": "Id Subject Type WhoId AccountId OwnerId ActivityDateTime CreatedDate SystemModstamp",
    "User": "Id Name Email IsActive Title ManagerId UserType CreatedDate SystemModstamp",
    "Group": "Id Name Type",
}
LEAD_ATTRIBUTES = {  # the default mapping's lead attributes -> Lead fields
    "company": "Company",
    "industry": "Industry",
    "employee_count": "NumberOfEmployees",
    "annual_revenue": "AnnualRevenue",
    "country": "Country",
    "region": "State",
    "lead_source": "LeadSource",
    "title": "Title",
}
SOQL = re.compile(
    r"^SELECT (?P<fields>.+?) FROM (?P<object>\w+)(?: WHERE (?P<where>.+?))?"
    r"(?: ORDER BY (?P<order>.+?))?$",
    re.S,
)
CONDITION = re.compile(r"^(?P<field>[\w.]+) (?P<op>=|!=|>=|<=|>|<|IN) (?P<value>.+)$")


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _literal(text: str) -> Any:
    text = text.strip()
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    if text.startswith("'"):
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    if re.match(r"^\d{4}-\d\d-\d\dT", text):
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    return float(text)


def _literal_or_list(op: str, text: str) -> Any:
    if op != "IN":
        return _literal(text)
    inner = text.strip()[1:-1]
    return [_literal(v) for v in re.findall(r"'(?:[^'\\]|\\.)*'|[^,\s]+", inner)]


def _comparable(value: Any) -> Any:
    if isinstance(value, str) and re.match(r"^\d{4}-\d\d-\d\dT", value):
        return datetime.fromisoformat(value.replace("+0000", "+00:00"))
    return value


class FakeSalesforce(FakeServer):
    """Salesforce as simple-salesforce sees it; implements ``FakeControl``."""

    page_default = 2000

    def __init__(self) -> None:
        super().__init__()
        self.reset()

    # --- FakeControl -----------------------------------------------------------------------
    def reset(self) -> None:
        with self.lock:
            self.reset_controls()
            self.fields = {obj: set(names.split()) for obj, names in BASE_FIELDS.items()}
            for obj in ("Lead", "Contact"):
                self.fields[obj] |= {score_field_name(f, "salesforce") for f in SCORE_FIELDS}
            self.records: dict[str, dict[str, dict[str, Any]]] = {o: {} for o in BASE_FIELDS}
            self.ids = itertools.count(1)
            self.cursors: dict[str, list[dict[str, Any]]] = {}
            self.rejected: dict[str, str] = {}
            self.writes: dict[str, int] = {}
            #: writes that set a record's OwnerId, per record
            self.owner_writes: dict[str, int] = {}
            self.jobs: dict[str, dict[str, Any]] = {}
            self.api_used, self.api_max = 100, 100_000
            self.valid_tokens = {TOKEN}
            self.logins = 0
            #: a login is refused with this (faultcode, message), e.g. INVALID_LOGIN
            self.login_error: tuple[str, str] | None = None
            #: score fields that exist but the integration user cannot see (no field-level access)
            self.hidden: set[str] = set()
            #: Bulk jobs: "complete" (after one InProgress poll), "stuck" InProgress, or "fail"
            self.bulk_mode = "complete"
            self.bulk_max_bytes = 100 * 1024 * 1024
            #: records deleted or merged away: id -> (object, deletedDate)
            self.deleted: dict[str, tuple[str, datetime]] = {}
            self.created_fields: list[str] = []
            self.now = datetime(2024, 7, 1, tzinfo=UTC)
            #: a request whose URI is longer than this is answered 414, as Salesforce does
            self.max_uri = 16_384
            #: an automated user (never listed by ``iter_users``, as UserType filters it out)
            self._insert(
                "User",
                {"Name": "Automated Process", "IsActive": True, "UserType": "AutomatedProcess"},
            )
            self.owner_id = self.add_user("Dana Owner", "dana@example.com")

    def _insert(self, obj: str, values: dict[str, Any], modified: datetime | None = None) -> str:
        rid = f"{PREFIX[obj]}{next(self.ids):015d}"
        stamp = iso(modified or self.now)
        row = {"Id": rid, "CreatedDate": stamp, "SystemModstamp": stamp, **values}
        self.records[obj][rid] = row
        return rid

    def add_leads(
        self,
        n: int,
        *,
        modified_at: datetime | None = None,
        attributes: dict | None = None,
        owner_id: str | None = None,
    ) -> list[str]:
        """``n`` open Leads owned by ``owner_id`` (a user, or ``queue_id``: waiting in the
        queue), by default Dana Owner."""
        values = {LEAD_ATTRIBUTES[k]: v for k, v in (attributes or {}).items()}
        owner = owner_id or self.owner_id
        with self.lock:
            return [
                self._insert(
                    "Lead",
                    {
                        "LastName": f"Lead {i}",
                        "Company": f"Company {i}",
                        "Industry": "Software",
                        "NumberOfEmployees": 250,
                        "IsConverted": False,
                        "OwnerId": owner,
                        **values,
                    },
                    modified_at,
                )
                for i in range(n)
            ]

    def add_contacts(self, n: int, *, modified_at: datetime | None = None) -> list[str]:
        with self.lock:
            account = self._insert("Account", {"Name": "Acme", "Industry": "Retail"})
            return [
                self._insert(
                    "Contact",
                    {"LastName": f"Contact {i}", "AccountId": account, "OwnerId": self.owner_id},
                    modified_at,
                )
                for i in range(n)
            ]

    def add_deals(
        self, n_won: int, n_lost: int, *, modified_at: datetime | None = None
    ) -> list[str]:
        with self.lock:
            ids = []
            for i, won in enumerate([True] * n_won + [False] * n_lost):
                account = self._insert(
                    "Account",
                    {"Name": f"Account {i}", "Industry": "Software", "NumberOfEmployees": 300},
                )
                ids.append(
                    self._insert(
                        "Opportunity",
                        {
                            "Name": f"Deal {i}",
                            "AccountId": account,
                            "Amount": 12000.0,
                            "StageName": "Closed Won" if won else "Closed Lost",
                            "IsClosed": True,
                            "IsWon": won,
                            "CloseDate": "2024-05-01",
                            "LeadSource": "Web",
                        },
                        modified_at,
                    )
                )
            self._insert("Opportunity", {"Name": "Open", "IsClosed": False, "IsWon": False})
            return ids

    def add_activities(
        self,
        lead_id: str,
        n: int,
        *,
        occurred_at: datetime | None = None,
        rep_id: str | None = None,
    ) -> list[str]:
        """``n`` completed Tasks on the lead. With ``rep_id``, a call that rep logged (the Task's
        ``OwnerId``); without, an email the marketing queue owns (no rep did it)."""
        when = iso(occurred_at or self.now)
        owner = rep_id or self.queue_id
        kind = "Call" if rep_id else "Email"
        with self.lock:
            return [
                self._insert(
                    "Task",
                    {
                        "Subject": f"{kind} {i}",
                        "Type": kind,
                        "TaskSubtype": kind,
                        "WhoId": lead_id,
                        "OwnerId": owner,
                        "Status": "Completed",
                        "CompletedDateTime": when,
                    },
                    occurred_at,
                )
                for i in range(n)
            ]

    def add_event(self, lead_id: str, rep_id: str, at: datetime) -> str:
        """A meeting the rep booked with the lead (an Event owned by the rep)."""
        with self.lock:
            return self._insert(
                "Event",
                {
                    "Subject": "Meeting",
                    "Type": "Meeting",
                    "WhoId": lead_id,
                    "OwnerId": rep_id,
                    "ActivityDateTime": iso(at),
                },
                at,
            )

    def add_user(
        self,
        name: str,
        email: str | None = None,
        *,
        manager_id: str | None = None,
        active: bool = True,
    ) -> str:
        """A standard (licensed) user who can own leads; returns the user's Id (``005...``)."""
        with self.lock:
            return self._insert(
                "User",
                {
                    "Name": name,
                    "Email": email,
                    "ManagerId": manager_id,
                    "IsActive": active,
                    "UserType": "Standard",
                },
            )

    def owner_of(self, record_id: str) -> str | None:
        """The record's ``OwnerId`` as Salesforce holds it now."""
        with self.lock:
            for rows in self.records.values():
                if record_id in rows:
                    owner = rows[record_id].get("OwnerId")
                    return None if owner is None else str(owner)
        raise KeyError(record_id)

    def set_owner(self, record_id: str, owner_id: str | None) -> None:
        """A person gives the record to ``owner_id`` (``None``: back to the queue)."""
        self.touch(record_id, self.now, OwnerId=owner_id or self.queue_id)

    @property
    def queue_id(self) -> str:
        """The marketing queue (a Group) that owns automated activity."""
        with self.lock:
            queues = [i for i, r in self.records["Group"].items() if r.get("Type") == "Queue"]
            return (
                queues[0]
                if queues
                else self._insert("Group", {"Name": "Marketing", "Type": "Queue"})
            )

    def reject_records(self, ids: Iterable[str], reason: str) -> None:
        with self.lock:
            self.rejected.update(dict.fromkeys(ids, reason))

    def expire_sessions(self) -> None:
        """Every session id stops working (401 INVALID_SESSION_ID); a new login gets a new one."""
        with self.lock:
            self.valid_tokens = set()

    def hide_field(self, logical: str) -> None:
        """The score field exists but describe and queries do not show it (no field-level access)."""
        with self.lock:
            self.hidden.add(score_field_name(logical, "salesforce"))

    def touch(self, record_id: str, at: datetime, **values: Any) -> None:
        """Change a record as a person would (its SystemModstamp moves to ``at``)."""
        with self.lock:
            for rows in self.records.values():
                if record_id in rows:
                    rows[record_id].update(values, SystemModstamp=iso(at))
                    return
        raise KeyError(record_id)

    def change_lead(self, record_id: str, attributes: dict, *, at: datetime) -> None:
        """Edit a lead's mapped attributes (``add_leads`` names) as a person would."""
        self.touch(record_id, at, **{LEAD_ATTRIBUTES[k]: v for k, v in attributes.items()})

    def unknown_lead_id(self) -> str:
        return f"{PREFIX['Lead']}{999_999_999:015d}"

    def convert(self, lead_id: str, at: datetime) -> None:
        """Convert a lead: ``IsConverted`` true, and every later write refused as Salesforce does."""
        self.touch(lead_id, at, IsConverted=True)

    def delete(self, record_id: str, at: datetime) -> None:
        """Delete (or merge away) a record: gone from queries, listed by ``getDeleted``."""
        with self.lock:
            for obj, rows in self.records.items():
                if record_id in rows:
                    del rows[record_id]
                    self.deleted[record_id] = (obj, at)
                    return
        raise KeyError(record_id)

    def won_account(self, contact_id: str, at: datetime) -> str:
        """Close-won an Opportunity on the contact's account: the contact becomes a customer."""
        with self.lock:
            account = self.records["Contact"][contact_id]["AccountId"]
            return self._insert(
                "Opportunity",
                {
                    "Name": "Won",
                    "AccountId": account,
                    "StageName": "Closed Won",
                    "IsClosed": True,
                    "IsWon": True,
                    "CloseDate": at.date().isoformat(),
                },
                at,
            )

    def remove_field(self, logical: str) -> None:
        with self.lock:
            for obj in ("Lead", "Contact"):
                self.fields[obj].discard(score_field_name(logical, "salesforce"))

    def score_of(self, record_id: str, logical: str) -> Any:
        with self.lock:
            for rows in self.records.values():
                if record_id in rows:
                    return rows[record_id].get(score_field_name(logical, "salesforce"))
        raise KeyError(record_id)

    def writes_of(self, record_id: str) -> int:
        with self.lock:
            return self.writes.get(record_id, 0)

    def owner_writes_of(self, record_id: str) -> int:
        """How many writes set this record's ``OwnerId``."""
        with self.lock:
            return self.owner_writes.get(record_id, 0)

    # --- HTTP ------------------------------------------------------------------------------
    def _headers(self) -> dict[str, str]:
        return {"Sforce-Limit-Info": f"api-usage={self.api_used}/{self.api_max}"}

    def error_response(self, status: int, headers: dict[str, str]) -> Response:
        code = {
            400: "MALFORMED_QUERY",
            401: "INVALID_SESSION_ID",
            403: "INSUFFICIENT_ACCESS",
            404: "NOT_FOUND",
            429: "REQUEST_LIMIT_EXCEEDED",
        }.get(status, "UNKNOWN_EXCEPTION")
        body = [{"message": f"injected {status}", "errorCode": code}]
        return Response.json(body, status, {**self._headers(), **headers})

    def _error(self, status: int, code: str, message: str) -> Response:
        return Response.json([{"message": message, "errorCode": code}], status, self._headers())

    def route(self, request: Request) -> Response:  # noqa: C901 -- one branch per REST resource
        path = request.path
        uri = len(path) + 1 + len(urlencode(request.query, doseq=True))
        if uri > self.max_uri:  # Salesforce's front end answers before any API logic
            return Response(
                414, b"<html><body>414 URI Too Long</body></html>", {"Content-Type": "text/html"}
            )
        if path.startswith("/services/Soap/u/"):
            return self._soap_login()
        if path == "/services/oauth2/token":
            return self._oauth_login()
        if path.startswith("/services/Soap/u/") or path == "/services/oauth2/token":
            return self._error(404, "NOT_FOUND", path)
        if (
            request.headers.get("Authorization", "").removeprefix("Bearer ")
            not in self.valid_tokens
        ):
            return self._error(401, "INVALID_SESSION_ID", "Session expired or invalid")
        self.api_used += 1
        base = f"/services/data/v{VERSION}/"
        if not path.startswith(base):
            return self._error(404, "NOT_FOUND", f"The requested resource does not exist: {path}")
        rest = path[len(base) :]
        if rest == "limits/":
            left = self.api_max - self.api_used
            return Response.json(
                {"DailyApiRequests": {"Max": self.api_max, "Remaining": left}}, 200, self._headers()
            )
        if rest == "query/":
            return self._query(request.query["q"][0], request.headers)
        if rest.startswith("query/"):
            return self._page(rest.removeprefix("query/"))
        if rest == "composite/sobjects" and request.method == "PATCH":
            return self._collections(request.json())
        if rest == "tooling/sobjects/CustomField/" or rest == "tooling/sobjects/CustomField":
            return self._create_field(request.json())
        if rest in ("tooling/query/", "tooling/query"):
            return self._tooling_query(request.query["q"][0])
        match = re.match(r"^sobjects/(\w+)/deleted/?$", rest)
        if match:
            return self._get_deleted(match.group(1), request.query)
        if rest.startswith("jobs/ingest"):
            return self._bulk(request, rest.removeprefix("jobs/ingest").strip("/"))
        match = re.match(r"^sobjects/(\w+)/describe/?$", rest)
        if match:
            return self._describe(match.group(1))
        return self._error(404, "NOT_FOUND", f"The requested resource does not exist: {path}")

    def _new_token(self) -> str:
        self.logins += 1
        token = f"{TOKEN}-{self.logins}"
        self.valid_tokens.add(token)
        return token

    def _soap_login(self) -> Response:
        if self.login_error is not None:
            code, message = self.login_error
            fault = (
                '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
                'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
                'xmlns:sf="urn:fault.partner.soap.sforce.com"><soapenv:Body><soapenv:Fault>'
                f"<faultcode>sf:{code}</faultcode><faultstring>{code}: {message}</faultstring>"
                f"<detail><sf:LoginFault><sf:exceptionCode>{code}</sf:exceptionCode>"
                f"<sf:exceptionMessage>{message}</sf:exceptionMessage></sf:LoginFault></detail>"
                "</soapenv:Fault></soapenv:Body></soapenv:Envelope>"
            )
            return Response(500, fault.encode(), {"Content-Type": "text/xml"})
        token = self._new_token()
        body = (
            '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
            'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
            "<loginResponse><result>"
            f"<serverUrl>https://127.0.0.1:{self.port}/services/Soap/u/{VERSION}/00D</serverUrl>"
            f"<sessionId>{token}</sessionId></result></loginResponse>"
            "</soapenv:Body></soapenv:Envelope>"
        )
        return Response(200, body.encode(), {"Content-Type": "text/xml"})

    def _oauth_login(self) -> Response:
        if self.login_error is not None:
            return Response.json(
                {"error": "invalid_grant", "error_description": self.login_error[1]}, 400
            )
        return Response.json(
            {"access_token": self._new_token(), "instance_url": f"https://127.0.0.1:{self.port}"}
        )

    def _tooling_query(self, soql: str) -> Response:
        """``SELECT DeveloperName, TableEnumOrId FROM CustomField WHERE DeveloperName LIKE 'X%'``:
        every custom field of Lead and Contact, visible to the integration user or not."""
        prefix = re.search(r"LIKE '([^%']*)%'", soql)
        records = [
            {
                "attributes": {"type": "CustomField"},
                "DeveloperName": name[:-3],
                "TableEnumOrId": obj,
            }
            for obj in ("Lead", "Contact")
            for name in sorted(self.fields[obj] | self.hidden)
            if name.endswith("__c") and (prefix is None or name.startswith(prefix.group(1)))
        ]
        return Response.json({"size": len(records), "done": True, "records": records})

    def _get_deleted(self, obj: str, query: dict[str, list[str]]) -> Response:
        start = datetime.fromisoformat(query["start"][0].replace("Z", "+00:00"))
        end = datetime.fromisoformat(query["end"][0].replace("Z", "+00:00"))
        rows = [
            {"id": rid, "deletedDate": iso(at)}
            for rid, (o, at) in self.deleted.items()
            if o == obj and start <= at <= end
        ]
        return Response.json(
            {
                "deletedRecords": rows,
                "earliestDateAvailable": iso(start),
                "latestDateCovered": iso(end),
            }
        )

    def _describe(self, obj: str) -> Response:
        if obj not in self.fields:
            return self._error(404, "NOT_FOUND", f"The requested resource does not exist: {obj}")
        fields = []
        for name in sorted(self.fields[obj] - self.hidden):
            ref = REFERENCES.get(name)
            fields.append(
                {
                    "name": name,
                    "type": "reference" if ref else "string",
                    "updateable": name not in ("Id", "SystemModstamp", "CreatedDate"),
                    "custom": name.endswith("__c"),
                    "relationshipName": ref[0] if ref else None,
                    "referenceTo": POLYMORPHIC.get(name, [ref[1]]) if ref else [],
                }
            )
        return Response.json({"name": obj, "fields": fields}, 200, self._headers())

    # --- queries ---------------------------------------------------------------------------
    def _query(self, soql: str, headers: dict[str, str]) -> Response:
        match = SOQL.match(soql.strip())
        if not match:
            return self._error(400, "MALFORMED_QUERY", f"cannot parse: {soql}")
        obj = match["object"]
        if obj not in self.fields:
            return self._error(400, "INVALID_TYPE", f"sObject type '{obj}' is not supported.")
        selected = [f.strip() for f in match["fields"].split(",")]
        conditions = []
        for part in (match["where"] or "").split(" AND ") if match["where"] else []:
            cond = CONDITION.match(part.strip()) if " IN " in part else None
            cond = cond or CONDITION.match(part.strip().strip("()"))
            if not cond:
                return self._error(400, "MALFORMED_QUERY", f"cannot parse condition: {part}")
            conditions.append(
                (cond["field"], cond["op"], _literal_or_list(cond["op"], cond["value"]))
            )
        for name in selected + [c[0] for c in conditions]:
            problem = self._field_problem(obj, name)
            if problem:
                return self._error(400, "INVALID_FIELD", problem)
        rows = [r for r in self.records[obj].values() if self._matches(r, conditions)]
        rows.sort(key=lambda r: (r["SystemModstamp"], r["Id"]))
        out = [self._project(obj, r, selected) for r in rows]
        size = self.page_default
        opts = headers.get("Sforce-Query-Options", "")
        if "batchSize=" in opts:  # Salesforce takes 200..2000 and treats it as a hint
            size = min(2000, max(200, int(opts.split("batchSize=")[1].split(",")[0])))
        pages = [out[i : i + size] for i in range(0, len(out), size)] or [[]]
        key = f"01g{next(self.ids):015d}"
        self.cursors[key] = pages
        return self._page(f"{key}-0", total=len(out))

    def _page(self, cursor: str, total: int | None = None) -> Response:
        key, _, index = cursor.partition("-")
        pages = self.cursors.get(key)
        if pages is None:
            return self._error(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        i = int(index or 0)
        body: dict[str, Any] = {
            "totalSize": total if total is not None else sum(len(p) for p in pages),
            "done": i + 1 >= len(pages),
            "records": pages[i],
        }
        if not body["done"]:
            body["nextRecordsUrl"] = f"/services/data/v{VERSION}/query/{key}-{i + 1}"
        return Response.json(body, 200, self._headers())

    def _field_problem(self, obj: str, name: str) -> str | None:
        if "." in name:
            rel, _, leaf = name.partition(".")
            ref = next((v for v in REFERENCES.values() if v[0] == rel), None)
            if ref is None or (f"{rel}Id" not in self.fields[obj] and rel != "Owner"):
                return f"Didn't understand relationship '{rel}' in field path."
            obj, name = ref[1], leaf
        if name not in self.fields[obj] or name in self.hidden:
            return f"No such column '{name}' on entity '{obj}'."
        return None

    def _value(self, row: dict[str, Any], name: str) -> Any:
        if "." in name:
            rel, _, leaf = name.partition(".")
            target = row.get("OwnerId" if rel == "Owner" else f"{rel}Id")
            for rows in self.records.values():
                if target in rows:
                    return rows[target].get(leaf)
            return None
        return row.get(name)

    def _matches(self, row: dict[str, Any], conditions: list[tuple[str, str, Any]]) -> bool:
        ops = {
            "=": lambda a, b: a == b,
            "!=": lambda a, b: a != b,
            ">=": lambda a, b: a is not None and a >= b,
            "<=": lambda a, b: a is not None and a <= b,
            ">": lambda a, b: a is not None and a > b,
            "<": lambda a, b: a is not None and a < b,
            "IN": lambda a, b: a in b,
        }
        for name, op, value in conditions:
            have = _comparable(self._value(row, name))
            if name.startswith("Is") and have is None:
                have = False
            if not ops[op](have, value):
                return False
        return True

    def _project(self, obj: str, row: dict[str, Any], selected: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "attributes": {
                "type": obj,
                "url": f"/services/data/v{VERSION}/sobjects/{obj}/{row['Id']}",
            }
        }
        for name in selected:
            if "." in name:
                rel, _, leaf = name.partition(".")
                target = row.get("OwnerId" if rel == "Owner" else f"{rel}Id")
                if target is None:
                    out[rel] = None
                    continue
                out.setdefault(rel, {"attributes": {"type": rel}})[leaf] = self._value(row, name)
            else:
                out[name] = row.get(name)
        return out

    # --- writes ----------------------------------------------------------------------------
    def _apply(self, obj: str, rid: str, values: dict[str, Any]) -> str | None:
        """Update one record; the error text, or None on success."""
        if rid in self.rejected:
            return self.rejected[rid]
        row = self.records.get(obj, {}).get(rid)
        if row is None:
            return f"ENTITY_IS_DELETED: entity is deleted or does not exist: {rid}"
        if row.get("IsConverted"):
            return "CANNOT_UPDATE_CONVERTED_LEAD: cannot reference converted lead"
        unknown = [k for k in values if k not in self.fields[obj] or k in self.hidden]
        if unknown:
            return f"INVALID_FIELD: No such column '{unknown[0]}' on sobject of type {obj}"
        if "OwnerId" in values:
            owner = str(values["OwnerId"] or "")
            user = self.records["User"].get(owner)
            if user is None and owner not in self.records["Group"]:
                return "INVALID_CROSS_REFERENCE_KEY: invalid cross reference id"
            if user is not None and not user.get("IsActive"):
                return (
                    f"INACTIVE_OWNER_OR_USER: operation performed with inactive user [{owner}] "
                    f"as owner of {obj.lower()}"
                )
        row.update(values)
        row["SystemModstamp"] = iso(self.now)
        self.writes[rid] = self.writes.get(rid, 0) + 1
        if "OwnerId" in values:
            self.owner_writes[rid] = self.owner_writes.get(rid, 0) + 1
        return None

    def _collections(self, body: dict[str, Any]) -> Response:
        """sObject Collections: at most 200 records; a field the object lacks or an id twice
        refuses the whole request (400), as Salesforce does; otherwise a result per record."""
        records = body["records"]
        if len(records) > 200:
            return self._error(
                400,
                "EXCEEDED_ID_LIMIT",
                "record limit reached. cannot submit more than 200 records into this call",
            )
        ids = [rec.get("id") or rec.get("Id") for rec in records]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            return self._error(400, "INVALID_FIELD", f"Duplicate id in list: {twice[0]}")
        for rec in records:
            obj = rec["attributes"]["type"]
            for name in rec:
                if name not in ("attributes", "id", "Id") and (
                    name not in self.fields.get(obj, set()) or name in self.hidden
                ):
                    return self._error(
                        400, "INVALID_FIELD", f"No such column '{name}' on sobject of type {obj}"
                    )
        out = []
        for rec, rid in zip(records, ids, strict=True):
            values = {k: v for k, v in rec.items() if k not in ("attributes", "id", "Id")}
            error = self._apply(rec["attributes"]["type"], rid, values)
            if error is None:
                out.append({"id": rid, "success": True, "errors": []})
            else:
                code, _, message = error.partition(": ")
                out.append(
                    {
                        "success": False,
                        "errors": [{"statusCode": code, "message": message, "fields": []}],
                    }
                )
        return Response.json(out, 200, self._headers())

    def _create_field(self, body: dict[str, Any]) -> Response:
        obj, _, name = body["FullName"].partition(".")
        if obj not in self.fields:
            return self._error(400, "INVALID_INPUT", f"no object {obj}")
        if name in self.fields[obj] or name in self.hidden:
            return self._error(400, "DUPLICATE_DEVELOPER_NAME", f"{name} exists")
        self.fields[obj].add(name)
        self.created_fields.append(body["FullName"])
        return Response.json({"id": f"00N{next(self.ids):015d}", "success": True}, 201)

    def _bulk(self, request: Request, rest: str) -> Response:
        if not rest and request.method == "POST":
            spec = request.json()
            job_id = f"750{next(self.ids):015d}"
            self.jobs[job_id] = {"id": job_id, "object": spec["object"], "state": "Open"}
            return Response.json(self.jobs[job_id], 200, self._headers())
        job_id, _, tail = rest.partition("/")
        job = self.jobs.get(job_id)
        if job is None:
            return self._error(404, "NOT_FOUND", "no such job")
        if tail == "batches" and request.method == "PUT":
            if job["state"] != "Open":
                return self._error(400, "INVALIDJOBSTATE", f"job {job_id} is {job['state']}")
            if len(request.body) > self.bulk_max_bytes:
                return self._error(400, "INVALIDBATCH", "upload exceeds the 100 MB limit")
            job["csv"] = request.body.decode()
            return Response(201, b"", self._headers())
        if not tail and request.method == "PATCH":
            state = request.json()["state"]
            if state == "Aborted":
                if job["state"] in ("JobComplete", "Failed", "Aborted"):
                    return self._error(400, "INVALIDJOBSTATE", f"job {job_id} is {job['state']}")
                job["state"] = "Aborted"
            elif state == "UploadComplete":
                job["state"] = "UploadComplete"
            return Response.json(self._public(job), 200, self._headers())
        if not tail and request.method == "GET":
            if job["state"] in ("UploadComplete", "InProgress"):
                if job["state"] == "InProgress" and self.bulk_mode != "stuck":
                    self._run_job(job)
                else:
                    job["state"] = "InProgress"
            return Response.json(self._public(job), 200, self._headers())
        if tail in ("successfulResults", "failedResults"):
            rows = job.get("ok" if tail == "successfulResults" else "failed", [])
            buf = io.StringIO()
            cols = (
                ["sf__Id", "sf__Created"]
                if tail == "successfulResults"
                else ["sf__Id", "sf__Error"]
            )
            writer = csv.writer(buf, lineterminator="\n")
            writer.writerow([*cols, "Id"])
            writer.writerows(rows)
            return Response(200, buf.getvalue().encode(), {"Content-Type": "text/csv"})
        return self._error(404, "NOT_FOUND", "unknown bulk path")

    @staticmethod
    def _public(job: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in job.items() if k not in ("csv", "ok", "failed")}

    def _run_job(self, job: dict[str, Any]) -> None:
        if self.bulk_mode == "fail":
            job.update(
                state="Failed",
                errorMessage="InvalidBatch : Field name not found : Lead_Score_Bogus__c",
                numberRecordsProcessed=0,
                numberRecordsFailed=0,
            )
            return
        ok, failed = [], []
        for rec in csv.DictReader(io.StringIO(job["csv"])):
            rid = rec.pop("Id")
            values = {k: _bulk_value(k, v) for k, v in rec.items()}
            error = self._apply(job["object"], rid, values)
            if error is None:
                ok.append([rid, "false", rid])
            else:
                failed.append([rid, error, rid])
        job.update(
            ok=ok,
            failed=failed,
            state="JobComplete",
            numberRecordsProcessed=len(ok) + len(failed),
            numberRecordsFailed=len(failed),
        )


#: the number fields a Bulk CSV column is read into as numbers (ids and text stay strings)
NUMBER_FIELDS = {
    score_field_name(k, "salesforce") for k, v in SCORE_FIELDS.items() if v == "number"
}


def _bulk_value(name: str, text: str) -> Any:
    """A CSV cell as the field's type takes it: ``#N/A`` or empty is null."""
    if text in ("", "#N/A"):
        return None
    if name in NUMBER_FIELDS:
        return float(text)
    return text
