"""The vocabulary the connectors and the hub share: the national identifiers and the dates
agencies write. Pure functions over text; it imports nothing of the hub, the schema or the
connectors, so both sides can use one definition instead of copies."""
