"""The GraphQL API: an Apollo Federation v2 subgraph over the hub's services."""

from schema.root import build_schema

__all__ = ["build_schema"]
