"""政务处分, 党纪处分, 组织处理/问责 decisions and open 立案审查调查 cases, as the
case-management system exports them (XLSX). See README.md for the columns."""

from connectors.discipline.connector import DECISIONS, Config, DisciplineConnector
from connectors.discipline.mapping import map_decision

__all__ = ["DECISIONS", "Config", "DisciplineConnector", "map_decision"]
