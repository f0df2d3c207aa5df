"""Casework: person-centred case management for integrated locality teams."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, abort, request, send_from_directory
from flask_login import current_user
from jinja2 import ChainableUndefined, ChoiceLoader, FileSystemLoader, PackageLoader
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter

from . import config
from .extensions import csrf, db, login_manager, migrate
from .maintenance import optimize_on_close

ROOT = config.ROOT
NHSUK_DIST = ROOT / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"

# Endpoints anyone may reach without logging in; everything else needs a login.
PUBLIC_ENDPOINTS = {"auth.login", "static", "nhsuk_assets", "health.healthz"}
# Sign-in's own steps: each page checks the session's stage itself (casework/auth).
PUBLIC_ENDPOINTS |= {"auth.second_factor", "auth.two_factor_setup", "auth.logout"}
PUBLIC_ENDPOINTS |= {"auth.oidc_login", "auth.oidc_callback"}
# Blueprints that authenticate each request themselves (API tokens), never by session.
TOKEN_BLUEPRINTS = {"api"}


MAX_ID = 2**31 - 1  # PostgreSQL's integer; SQLite's limit is higher


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: a positive id that fits the database, or 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def create_app(test_config: dict | None = None, *, production: bool = False) -> Flask:
    """Build the Flask app: configuration, extensions, blueprints, errors and commands.
    `production` (only casework/wsgi.py) insists on a strong SECRET_KEY (see config.py)."""
    instance_path = Path((test_config or {}).get("INSTANCE_PATH") or config.INSTANCE).resolve()
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder=str(ROOT / "templates"),
    )
    app.url_map.converters["int"] = IdConverter
    app.config.from_mapping(config.from_environment(instance_path, production))
    if test_config:
        app.config.update(test_config)

    register_templates(app)
    register_upload_limit(app)  # before CSRF's check reads the request body
    register_extensions(app)
    register_blueprints(app)
    register_security(app)
    register_idle_sessions(app)  # before the access guard: an expired session is logged out
    register_access_guard(app)
    register_input_guard(app)
    register_once(app)
    register_cache_policy(app)
    register_errorhandlers(app)
    return app


def register_templates(app: Flask) -> None:
    from . import templating

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(app.template_folder),
            PackageLoader("nhsuk_frontend_jinja", package_path="templates"),
            # nhsuk/template-with-imports.jinja extends the bare "template.jinja".
            PackageLoader("nhsuk_frontend_jinja", package_path="templates/nhsuk"),
        ]
    )
    # Flask autoescapes only .html/.xml/.svg; the NHS macros are .jinja files
    # written for autoescaping (they mark `html` params `| safe`). Without this,
    # any `text` given to them would be printed raw: a cross-site scripting hole.
    app.jinja_env.autoescape = True
    app.jinja_env.undefined = ChainableUndefined
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.template_class = templating.DesignSystemTemplate  # macros remembered
    from . import formatting
    from .forms import select_options
    from .pagination import page_url

    formatting.register(app)
    app.jinja_env.filters["select_options"] = select_options
    app.jinja_env.globals["page_url"] = page_url
    from . import once, policy

    # The layout's menu shows each section only to those the policy lets in.
    app.jinja_env.globals.update(
        can_see_measures=policy.can_see_measures,
        can_import=policy.can_import,
        sees_whole_locality=policy.sees_whole_locality,
        # A form drawn without a form class (a row of buttons): its one-time token
        once_field=once.hidden_input,
    )

    @app.route("/assets/<path:filename>", endpoint="nhsuk_assets")
    def nhsuk_assets(filename: str):
        """The NHS.UK design system's CSS, JS and images, installed from npm at set-up."""
        if filename.startswith("nhsuk/"):
            return send_from_directory(NHSUK_DIST, filename.removeprefix("nhsuk/"), max_age=86400)
        return send_from_directory(NHSUK_DIST / "assets", filename, max_age=86400)


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    from .people.names import include_object  # schema the models cannot describe

    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        render_as_batch=True,
        include_object=include_object,
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in to continue."
    login_manager.login_message_category = "info"

    from .auth.sessions import load_user

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


@event.listens_for(Engine, "close")
def _sqlite_optimize(dbapi_connection, connection_record) -> None:
    """Fresh planner statistics where SQLite recommends gathering them: as a connection
    that has served queries closes (casework/maintenance.py)."""
    optimize_on_close(dbapi_connection)


def register_blueprints(app: Flask) -> None:
    from . import (
        account,
        admin,
        api,
        asks,
        auth,
        caseload,
        cases,
        demands,
        health,
        imports,
        measures,
        people,
        purpose,
    )

    blueprints = (auth, health, caseload, people, demands, cases, measures, admin, imports)
    blueprints += (asks, purpose)
    for module in (*blueprints, api, account):
        app.register_blueprint(module.bp)
    from . import actions, barriers, corrections, safety, stories
    from .audit import routes as audit_pages
    from .diary import pages as diary
    from .notifications import routes as notifications
    from .people import merge_routes as duplicates
    from .transfers import routes as transfers
    from .trials import pages as trials

    pages = (barriers, stories, audit_pages, duplicates, safety, trials, diary, notifications)
    for module in (*pages, actions, corrections, transfers):
        app.register_blueprint(module.bp)
    csrf.exempt(api.bp)  # token-authenticated, never by cookie: nothing to forge

    from .cli import register_commands

    register_commands(app)


def register_security(app: Flask) -> None:
    from . import security

    security.register(app)


def register_idle_sessions(app: Flask) -> None:
    from .auth import sessions

    sessions.register(app, TOKEN_BLUEPRINTS)


def register_access_guard(app: Flask) -> None:
    """Deny by default: every endpoint needs a login unless it is on the public list."""

    @app.before_request
    def require_login():
        if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
            return None
        if request.blueprint in TOKEN_BLUEPRINTS:
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None


def register_upload_limit(app: Flask) -> None:
    """The import page takes larger files than other requests (MAX_CONTENT_LENGTH): up to
    twice IMPORT_MAX_BYTES reach the import, which explains its own limit in words."""

    @app.before_request
    def allow_import_files():
        if request.endpoint == "imports.upload":
            request.max_content_length = 2 * app.config["IMPORT_MAX_BYTES"]


def register_input_guard(app: Flask) -> None:
    """No control character (casework/text.py) in a page's address: nobody types one, and
    PostgreSQL cannot store NUL. Form fields are checked by their forms, which say so on
    the field (MaxLength); the API checks its input field by field."""
    from .text import has_control_character

    @app.before_request
    def refuse_control_characters():
        if request.blueprint in TOKEN_BLUEPRINTS:
            return
        pairs = request.args.items(multi=True)  # every value, not only each name's first
        if any(has_control_character(name + value) for name, value in pairs):
            abort(400, "The address has a control character in it. Remove it and try again.")


def register_once(app: Flask) -> None:
    """A web form sent again goes where its first send went (casework/once.py, ADR 0036)."""
    from . import once

    once.register(app, TOKEN_BLUEPRINTS)


def register_cache_policy(app: Flask) -> None:
    """Pages and API answers hold personal data (and new tokens): never kept in a cache,
    a shared computer's history or the back-forward cache. Static files may be cached."""

    @app.after_request
    def no_store(response):
        if request.endpoint not in ("static", "nhsuk_assets"):
            response.headers["Cache-Control"] = "no-store"
        return response


def register_errorhandlers(app: Flask) -> None:
    from .errors import register

    register(app)
