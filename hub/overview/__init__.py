"""The figures of the console's 概览 dashboard: aggregates only, no personal data."""
