from __future__ import annotations

from sqlalchemy import BigInteger, Integer
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base


class FeedHead(Base):
    """The change feed's one head row (id 1): the last position handed out. The sequencer
    locks it for each batch, which orders positions in the order the batches commit."""

    __tablename__ = "feed_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_position: Mapped[int] = mapped_column(BigInteger)
