"""Production serving: gunicorn's settings, and the real `casework.wsgi:app` under gunicorn."""

import importlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

GUNICORN = Path(sys.executable).parent / "gunicorn"


def settings(monkeypatch, **env):
    for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    sys.modules.pop("casework.gunicorn_conf", None)
    return importlib.import_module("casework.gunicorn_conf")


@pytest.mark.parametrize(("cores", "workers"), [(1, 3), (2, 5), (4, 8), (64, 8)])
def test_workers_follow_the_cores_but_are_capped(monkeypatch, cores, workers):
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert settings(monkeypatch).workers == workers


def test_the_environment_can_set_workers_threads_and_timeout(monkeypatch):
    conf = settings(monkeypatch, WEB_CONCURRENCY="3", GUNICORN_THREADS="8", GUNICORN_TIMEOUT="60")
    assert (conf.workers, conf.threads, conf.timeout) == (3, 8, 60)
    assert conf.worker_class == "gthread" and conf.graceful_timeout == 30


def test_the_access_log_leaves_out_query_strings_and_referers(monkeypatch):
    log_format = settings(monkeypatch).access_log_format
    assert "%(U)s" in log_format  # the path alone
    for with_query in ("%(r)s", "%(q)s", "%(f)s", "%({raw_uri}e)s"):
        assert with_query not in log_format


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_serves_the_production_app(tmp_path, database):
    """`make serve`'s command, for real: health, headers, and no query string in the log."""
    port = free_port()
    env = {
        **os.environ,
        "SECRET_KEY": "3b8f0c6e2a9d4f17b5c0e8a2d6f4b1c9e7a3d5f8",
        "DATABASE_URL": database,  # this test's own copy of the migrated database
        "WEB_CONCURRENCY": "2",
    }
    server = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
        [
            str(GUNICORN),
            "--config",
            "python:casework.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "casework.wsgi:app",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        health = None
        deadline = time.monotonic() + 30
        while health is None and time.monotonic() < deadline:
            try:
                health = urllib.request.urlopen(base + "/healthz", timeout=2)  # noqa: S310
            except OSError:
                time.sleep(0.2)
        assert health is not None and health.status == 200
        assert "frame-ancestors 'none'" in health.headers["Content-Security-Policy"]
        login = urllib.request.urlopen(base + "/login?next=%2Fpeople%3Fq%3DThomas", timeout=5)  # noqa: S310
        assert login.status == 200
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=40)
    assert server.returncode == 0, output
    assert '"GET /login HTTP/1.1" 200' in output
    assert "Thomas" not in output  # the query string (a search for a name) is not logged


def test_gunicorn_refuses_to_start_without_a_secret_key(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    env["WEB_CONCURRENCY"] = "1"
    result = subprocess.run(  # noqa: S603
        [
            str(GUNICORN),
            "--config",
            "python:casework.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{free_port()}",
            "casework.wsgi:app",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Casework will not start: SECRET_KEY is not set." in result.stdout + result.stderr
