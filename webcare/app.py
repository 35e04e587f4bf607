"""create_app(): configuration, extensions, blueprints and CLI — the only wiring place."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, jsonify, render_template, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

import webcare.models  # noqa: F401  (every model, for Alembic and relationship resolution)
import webcare.replies.deliveries  # noqa: F401  (shows failed deliveries on their cases)
from config import settings_from_env
from webcare import formatting
from webcare.api.views import bp as api_bp
from webcare.auth.admin_views import bp as admin_bp
from webcare.auth.oidc import init_oidc
from webcare.auth.views import bp as auth_bp
from webcare.channels.views import bp as channels_bp
from webcare.commands import register_commands
from webcare.extensions import (
    babel,
    csrf,
    db,
    login_manager,
    migrate,
    render_migration_item,
)
from webcare.inbox.views import bp as inbox_bp
from webcare.labels import label
from webcare.locales import LOCALES, select_locale
from webcare.mandates.views import bp as mandates_bp
from webcare.notifications.views import bp as notifications_bp
from webcare.ops.logs import install_request_ids
from webcare.ops.views import bp as ops_bp
from webcare.ops.views import install_request_timing
from webcare.protocol.trace_text import trace_step
from webcare.protocol.views import bp as protocol_bp
from webcare.records import archive_views, destruction_views, subject_views  # noqa: F401  (routes on the records blueprint)
from webcare.records.access import install_access_logging
from webcare.records.views import bp as records_bp
from webcare.replies.views import bp as replies_bp
from webcare.reports.views import bp as reports_bp
from webcare.resources import resource_dir
from webcare.roster import edit_views, feed_views, swap_views  # noqa: F401  (routes on the roster blueprint)
from webcare.roster.views import bp as roster_bp


def create_app(overrides: dict | None = None) -> Flask:
    instance_path = os.environ.get("WEBCARE_INSTANCE_PATH") or str(Path.cwd() / "instance")
    app = Flask(
        __name__,
        instance_path=instance_path,
        template_folder=str(resource_dir("templates")),
        static_folder="static",
    )
    app.config.from_mapping(settings_from_env(app.instance_path))
    app.config.update(overrides or {})
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _trust_proxies(app)

    _configure_database(app)
    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(resource_dir("migrations")), render_as_batch=True, render_item=render_migration_item
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    babel.init_app(
        app, locale_selector=select_locale, default_translation_directories=str(Path(__file__).parent / "translations")
    )

    _register_blueprints(app)
    _register_template_helpers(app)
    _register_security_headers(app)
    _register_errors(app)
    _register_operations(app)

    register_commands(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind WEBCARE_PROXY_HOPS reverse proxies, read the client's address and scheme from X-Forwarded-For/-Proto.

    Off by default: without a proxy that sets these headers, anyone could forge them and dodge the rate limits.
    """
    hops = int(app.config.get("WEBCARE_PROXY_HOPS") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def _configure_database(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri.removeprefix("postgresql://")
        app.config["SQLALCHEMY_DATABASE_URI"] = uri
    if uri.startswith("sqlite"):
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": 30}})
    else:
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


def _register_blueprints(app: Flask) -> None:
    for blueprint in (
        auth_bp,
        admin_bp,
        inbox_bp,
        reports_bp,
        mandates_bp,
        replies_bp,
        protocol_bp,
        channels_bp,
        notifications_bp,
        roster_bp,
        records_bp,
    ):
        app.register_blueprint(blueprint)
    install_access_logging(app)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    csrf.exempt(api_bp)


def _register_operations(app: Flask) -> None:
    app.register_blueprint(ops_bp)
    install_request_ids(app)
    install_request_timing(app)
    init_oidc(app)


def _register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters.update(formatting.FILTERS)
    app.jinja_env.globals["current_locale"] = select_locale
    app.jinja_env.globals["label"] = label
    app.jinja_env.globals["trace_step"] = trace_step
    app.jinja_env.globals["LOCALES"] = LOCALES


def _register_security_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response


def _register_errors(app: Flask) -> None:
    def wants_json() -> bool:
        return request.path.startswith("/api/")

    def explanation(error) -> str | None:
        """A message for the person: why a form was refused, or a description the code gave; never Werkzeug's."""
        from flask_babel import gettext
        from flask_wtf.csrf import CSRFError

        if isinstance(error, CSRFError):
            return gettext(
                "The form has expired or was sent from elsewhere. Go back, reload the page and send it again."
            )
        description = getattr(error, "description", None)
        return description if description and description != type(error).description else None

    def handler(status: int):
        def handle(error):
            if wants_json():
                return jsonify(error=getattr(error, "description", str(error))), status
            return render_template(
                "errors/error.html", status=status, error=error, explanation=explanation(error)
            ), status

        return handle

    for status in (400, 401, 403, 404, 405, 409, 413, 429, 500):
        app.register_error_handler(status, handler(status))
