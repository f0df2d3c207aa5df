"""Browser tests: Playwright drives Debian's Chromium against the app on a local port."""

import shutil
import threading
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def closing(app):
    """Werkzeug's development server skips closing a response when the browser resets the
    connection mid-file (it reads the socket after the broken write, and that read raises),
    so a static file's handle was left to the garbage collector: a ResourceWarning that
    failed whichever test was running. Closing the response here, in a generator's
    `finally`, runs however the server leaves it."""

    def wsgi(environ, start_response):
        response = app(environ, start_response)
        try:
            yield from response
        finally:
            if hasattr(response, "close"):
                response.close()

    return wsgi


@contextmanager
def serve(app, port: int = 0):
    """Serve `app` on 127.0.0.1 from a thread while inside; gives its base URL. The port is
    a free one unless given (single sign-on's provider knows the app by a fixed address)."""
    server = make_server("127.0.0.1", port, closing(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@pytest.fixture
def live_server(app):
    """Serve the test app on 127.0.0.1 from a thread; yields its base URL."""
    with serve(app) as base:
        yield base
