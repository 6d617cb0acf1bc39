"""Who may see and change which rows: the rules (pure) and the one place that applies them
to every ORM statement of a caller's session."""
