"""The workflows' parties, seeded for each test (see parties.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from factories import submit, token_for
from parties import FINANCE, HR, SANCTION, SOURCE, STRANGER, Parties
from support import Served

from hub.agencies.models import AgencyFamily


@pytest.fixture
async def parties(app: Served, db: Any) -> Parties:
    http = app.http
    await submit(http, db, [SANCTION], agency_seed=SOURCE)
    source = await token_for(
        http, db, "records:read objections:manage", agency_seed=SOURCE,
        family=AgencyFamily.DISCIPLINE,
    )  # fmt: skip
    hr = await token_for(
        http, db, "records:read check:award check:hiring objections:file repair:apply",
        agency_seed=HR,
    )  # fmt: skip
    stranger = await token_for(
        http, db, "records:read objections:file objections:manage repair:apply repair:decide",
        agency_seed=STRANGER,
    )  # fmt: skip
    finance = await token_for(
        http, db, "records:read records:write repair:decide", agency_seed=FINANCE,
        family=AgencyFamily.FINANCE,
    )  # fmt: skip
    parties = Parties(app, source, hr, stranger, finance)
    parties.on(date(2026, 9, 24))
    return parties
