"""The parties of the workflows, as agencies' clients over HTTP: a source agency that made
the records and answers for them, an HR department that checks and objects for a subject, a
finance bureau whose 失信信息 can be repaired, and an agency with no part in any of it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

from factories import person, record
from support import Served, gql

SOURCE = 81
HR = 82
STRANGER = 83
FINANCE = 84

SUBJECT = person(811, "周十二")
SANCTION = record("江监政处〔2026〕81号", SUBJECT, kind="DEMERIT", decided="2026-03-01")


@dataclass
class Parties:
    hub: Served
    source: str  # 江州市监委: made the sanction, answers objections to it
    hr: str  # 江州市人社局: checks, objects and applies for the subject
    stranger: str  # another agency holding every workflow scope
    finance: str  # 江州市财政局: made the arrears record, decides its repair

    def on(self, day: date) -> None:
        """From the next request on, the hub's today is `day` (deadlines count from it)."""
        self.hub.use(runtime=dataclasses.replace(self.hub.runtime, today=lambda: day))

    async def ask(self, token: str, query: str, variables: dict[str, Any] | None = None) -> Any:
        return (await gql(self.hub.http, token, query, variables, purpose="OBJECTION")).json()
