"""Error pages in one place: NHS-styled pages for people, JSON for the API."""

from __future__ import annotations

from flask import Flask, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException, InternalServerError

from .exceptions import MergedRecord
from .extensions import db

TITLES = {
    400: "Sorry, there is a problem with that request",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "Sorry, that action is not possible here",
    409: "Someone else changed this record",
    413: "That was too large to send",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is unavailable",
}


# What a refusal that gives no reason of its own says: never a guess at the reason.
UNEXPLAINED = {403: "Your role or team does not allow this."}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, code: str, message: str, fields: dict | None = None, **extra):
    """The API's error shape: {"error": {"code", "message", "fields", ...}}."""
    body = {"code": code, "message": message, "fields": fields or {}}
    body.update(extra)
    return jsonify({"error": body}), status


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        # Keep what the error says in headers, on pages and API alike: Allow on 405,
        # WWW-Authenticate on 401, Retry-After on 429.
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        # a refusal that says why (abort(403, "...")), not Werkzeug's stock words
        explained = bool(error.description) and error.description != type(error).description
        if wants_json():
            code = (error.name or "error").lower().replace(" ", "_")
            message = error.description if explained else UNEXPLAINED.get(status)
            response, _ = json_error(status, code, message or error.description or "Error")
            return response, status, headers
        template = "errors/error.html"
        return (
            render_template(
                template,
                status=status,
                title=TITLES.get(status, error.name),
                description=error.description,
                explained=explained,
            ),
            status,
            headers,
        )

    @app.errorhandler(MergedRecord)
    def merged_record(error: MergedRecord):
        """A page about a merged-away record: go to the record it lives on as."""
        db.session.rollback()
        flash("That record was merged into this one: record new work here.")
        return redirect(url_for("people.detail", person_id=error.merged_into_id))

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        # Roll back so a failed request leaves nothing half-written.
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        if wants_json():
            return json_error(500, "internal_error", "Something went wrong on our side.")
        return (
            render_template(
                "errors/error.html",
                status=500,
                title=TITLES[500],
                description=InternalServerError.description,
            ),
            500,
        )
