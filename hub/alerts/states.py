"""A warning's state and level: pure vocabulary, shared by the rules and the table."""

from __future__ import annotations

from hub.records.enums import LabelledEnum


class WarningState(LabelledEnum):
    OPEN = ("OPEN", "待处置")
    ACKNOWLEDGED = ("ACKNOWLEDGED", "已知悉")
    CLOSED = ("CLOSED", "已关闭")


class WarningLevel(LabelledEnum):
    YELLOW = ("YELLOW", "黄色预警")
    RED = ("RED", "红色预警")
