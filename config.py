"""Settings from the environment (WEBCARE_*); the app factory reads them through `settings_from_env`."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def settings_from_env(instance_path: str, environ: dict[str, str] | None = None) -> dict:
    """Flask config keys from WEBCARE_* variables, with the embedded SQLite database as default."""
    env = os.environ if environ is None else environ
    database_url = env.get("WEBCARE_DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'webcare.sqlite'}"
    secret_key = env.get("WEBCARE_SECRET_KEY")
    if not secret_key:
        key_file = Path(instance_path) / "secret_key"
        if key_file.exists():
            secret_key = key_file.read_text().strip()
        else:
            Path(instance_path).mkdir(parents=True, exist_ok=True)
            secret_key = secrets.token_hex(32)
            key_file.write_text(secret_key)
            key_file.chmod(0o600)
    return {
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WEBCARE_TIMEZONE": env.get("WEBCARE_TIMEZONE", "Europe/Amsterdam"),
        "WEBCARE_THREAD_QUIET_HOURS": float(env.get("WEBCARE_THREAD_QUIET_HOURS", "72")),
        "WEBCARE_WORKER_BATCH_SIZE": int(env.get("WEBCARE_WORKER_BATCH_SIZE", "500")),
        "WEBCARE_WORKER_LEASE_SECONDS": int(env.get("WEBCARE_WORKER_LEASE_SECONDS", "120")),
        "WEBCARE_MAX_TEXT_LENGTH": int(env.get("WEBCARE_MAX_TEXT_LENGTH", "100000")),
        "WEBCARE_DEMO_TRICKLE_SECONDS": float(env.get("WEBCARE_DEMO_TRICKLE_SECONDS", "0")),
        "WEBCARE_WEBFORM_MAX_PER_HOUR": int(env.get("WEBCARE_WEBFORM_MAX_PER_HOUR", "5")),
        "WEBCARE_MAIL_INBOUND_TOKEN": env.get("WEBCARE_MAIL_INBOUND_TOKEN"),
        "WEBCARE_PROXY_HOPS": int(env.get("WEBCARE_PROXY_HOPS", "0")),
        "WEBCARE_OIDC_ISSUER": env.get("WEBCARE_OIDC_ISSUER") or None,
        "WEBCARE_OIDC_CLIENT_ID": env.get("WEBCARE_OIDC_CLIENT_ID"),
        "WEBCARE_OIDC_CLIENT_SECRET": env.get("WEBCARE_OIDC_CLIENT_SECRET"),
        "WEBCARE_OIDC_ROLE_GROUPS": env.get("WEBCARE_OIDC_ROLE_GROUPS", ""),
        "WEBCARE_OIDC_GROUPS_CLAIM": env.get("WEBCARE_OIDC_GROUPS_CLAIM", "groups"),
        "WEBCARE_OIDC_SCOPES": env.get("WEBCARE_OIDC_SCOPES", "openid email profile"),
        # "all" (default) or "admin-only": passwords then work for administrators only (break-glass access).
        "WEBCARE_LOCAL_LOGIN": env.get("WEBCARE_LOCAL_LOGIN", "all"),
        "WEBCARE_METRICS_TOKEN": env.get("WEBCARE_METRICS_TOKEN") or None,
        "WEBCARE_QUEUE_STUCK_SECONDS": int(env.get("WEBCARE_QUEUE_STUCK_SECONDS", "900")),
        "WEBCARE_HEARTBEAT_STALE_SECONDS": int(env.get("WEBCARE_HEARTBEAT_STALE_SECONDS", "300")),
        "WEBCARE_RETENTION_FILE": env.get("WEBCARE_RETENTION_FILE"),
        "WEBCARE_ARCHIVE_CREATOR_NAME": env.get("WEBCARE_ARCHIVE_CREATOR_NAME", "Gemeente Lindeburg"),
        "WEBCARE_ARCHIVE_CREATOR_ID": env.get("WEBCARE_ARCHIVE_CREATOR_ID", "gm9999"),
        "WEBCARE_ARCHIVE_CREATOR_SOURCE": env.get("WEBCARE_ARCHIVE_CREATOR_SOURCE", "TOOI gemeentecode"),
        "WEBCARE_PSEUDONYMISE_AFTER_MONTHS": int(env.get("WEBCARE_PSEUDONYMISE_AFTER_MONTHS", "12")),
        "MAIL_SERVER": env.get("WEBCARE_SMTP_HOST", "localhost"),
        "MAIL_PORT": int(env.get("WEBCARE_SMTP_PORT", "25")),
        "MAIL_USERNAME": env.get("WEBCARE_SMTP_USERNAME"),
        "MAIL_PASSWORD": env.get("WEBCARE_SMTP_PASSWORD"),
        "MAIL_USE_TLS": _bool(env.get("WEBCARE_SMTP_STARTTLS"), False),
        "MAIL_SENDER": env.get("WEBCARE_MAIL_SENDER", "webcare@localhost"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(env.get("WEBCARE_SECURE_COOKIES"), False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool(env.get("WEBCARE_SECURE_COOKIES"), False),
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": env.get("WEBCARE_TIMEZONE", "Europe/Amsterdam"),
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": int(env.get("WEBCARE_MAX_REQUEST_BYTES", str(16 * 1024 * 1024))),
    }
