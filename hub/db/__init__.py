from hub.db.base import Base
from hub.db.engine import create_engine, session_factory

__all__ = ["Base", "create_engine", "session_factory"]
