"""The WSGI entry for gunicorn at scale: `gunicorn 'webcare.wsgi:app'`, with Webcare's log format."""

from webcare.app import create_app
from webcare.ops.logs import configure_logging

configure_logging()
app = create_app()
