"""Casework: person-centred case management for integrated locality teams."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, request, send_from_directory
from flask_login import current_user
from jinja2 import ChainableUndefined, ChoiceLoader, FileSystemLoader, PackageLoader
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter

from . import config
from .extensions import csrf, db, login_manager, migrate

ROOT = config.ROOT
NHSUK_DIST = ROOT / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"

# Endpoints anyone may reach without logging in; everything else needs a login.
PUBLIC_ENDPOINTS = {"auth.login", "static", "nhsuk_assets", "health.healthz"}


MAX_ID = 2**31 - 1  # PostgreSQL's integer; SQLite's limit is higher


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: a positive id that fits the database, or 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the Flask app: configuration, extensions, blueprints, errors and commands."""
    instance_path = Path((test_config or {}).get("INSTANCE_PATH") or config.INSTANCE).resolve()
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder=str(ROOT / "templates"),
    )
    app.url_map.converters["int"] = IdConverter
    app.config.from_mapping(config.from_environment(instance_path))
    if test_config:
        app.config.update(test_config)

    register_templates(app)
    register_extensions(app)
    register_blueprints(app)
    register_access_guard(app)
    register_errorhandlers(app)
    return app


def register_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(app.template_folder),
            PackageLoader("nhsuk_frontend_jinja", package_path="templates"),
            # nhsuk/template-with-imports.jinja extends the bare "template.jinja".
            PackageLoader("nhsuk_frontend_jinja", package_path="templates/nhsuk"),
        ]
    )
    app.jinja_env.undefined = ChainableUndefined
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    from . import formatting

    formatting.register(app)

    @app.route("/assets/<path:filename>", endpoint="nhsuk_assets")
    def nhsuk_assets(filename: str):
        """The NHS.UK design system's CSS, JS and images, installed from npm at set-up."""
        if filename.startswith("nhsuk/"):
            return send_from_directory(NHSUK_DIST, filename.removeprefix("nhsuk/"), max_age=86400)
        return send_from_directory(NHSUK_DIST / "assets", filename, max_age=86400)


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in to continue."
    login_manager.login_message_category = "info"

    from .auth.service import load_user

    login_manager.user_loader(load_user)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """Foreign keys on, WAL and a busy timeout on every SQLite connection."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def register_blueprints(app: Flask) -> None:
    from . import admin, auth, caseload, cases, demands, health, measures, people

    for module in (auth, health, caseload, people, demands, cases, admin, measures):
        app.register_blueprint(module.bp)

    from .cli import register_commands

    register_commands(app)


def register_access_guard(app: Flask) -> None:
    """Deny by default: every endpoint needs a login unless it is on the public list."""

    @app.before_request
    def require_login():
        if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None


def register_errorhandlers(app: Flask) -> None:
    from .errors import register

    register(app)
