"""The HR system: 年度考核 results, 录用违规违纪 decisions, 辞退 decisions and the civil-servant
roster, from a SQL view in its own database or from CSV. See README.md for the columns."""

from connectors.hr.connector import STREAMS, Config, HrConnector
from connectors.hr.mapping import (
    map_appraisal,
    map_dismissal,
    map_exam_misconduct,
    map_roster,
)

__all__ = [
    "STREAMS",
    "Config",
    "HrConnector",
    "map_appraisal",
    "map_dismissal",
    "map_exam_misconduct",
    "map_roster",
]
