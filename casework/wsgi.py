"""The production entry point: `gunicorn -c casework/gunicorn_conf.py casework.wsgi:app`.

Unlike `casework run`, the other `casework` commands and the tests, it refuses to start
without a strong SECRET_KEY in the environment (casework/config.py says what counts)."""

from gunicorn.errors import AppImportError

from . import create_app
from .config import ConfigurationError

try:
    app = create_app(production=True)
except ConfigurationError as error:
    # gunicorn prints this message alone and stops, rather than restarting workers forever.
    raise AppImportError(str(error)) from None
