"""The ASGI entry point for uvicorn (`hub serve`, or `uvicorn hub.asgi:app`)."""

from hub.app import create_app
from hub.settings import Settings

app = create_app(Settings.from_env())
