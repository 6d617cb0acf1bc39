"""A second subgraph for the gateway test: an HR roster whose employees point at the hub's
Person entities by id. Served with uvicorn; its employees come from HR_EMPLOYEES (JSON)."""

from __future__ import annotations

import json
import os

import strawberry
from strawberry.asgi import GraphQL
from strawberry.federation.schema_directives import Key


@strawberry.federation.type(keys=[Key(fields="id", resolvable=False)])
class Person:
    id: strawberry.ID


@strawberry.type
class Employee:
    name: str
    post: str
    person: Person | None


@strawberry.type
class Query:
    @strawberry.field
    def employees(self) -> list[Employee]:
        rows = json.loads(os.environ.get("HR_EMPLOYEES", "[]"))
        return [Employee(name=n, post=p, person=Person(id=strawberry.ID(i))) for n, p, i in rows]


schema = strawberry.federation.Schema(query=Query, federation_version="2.9")
app = GraphQL(schema)
