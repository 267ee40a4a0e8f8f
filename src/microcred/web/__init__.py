"""The web adapter: ``create_app(settings)`` builds the FastAPI application."""

from microcred.web.app import create_app

__all__ = ["create_app"]
