"""Security headers on every response, HTTPS detection behind a proxy, Secure cookies.

How the app knows it is served over HTTPS: either PREFERRED_URL_SCHEME=https (the
deployment says so, and every cookie is Secure and HSTS is sent whatever a request says),
or the request itself arrived over HTTPS: directly, or through TRUSTED_PROXIES reverse
proxies whose X-Forwarded-Proto (and X-Forwarded-For, the client's address, which the
login limits count) are believed. Headers from anyone else are ignored.
"""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

# No inline script or style anywhere: every script and stylesheet is a file of this site.
# The one exception is the NHS.UK Frutiger font, which the NHS serves only from its own
# host (the design system's stylesheet names it there); without it browsers use Arial.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self' https://assets.nhs.uk",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Powerful browser features the app never uses, switched off for it and anything it might
# embed: a page injected with script still cannot reach a camera, a microphone or a
# location. (`interest-cohort` is left out: FLoC is gone, and browsers warn about it.)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)
HSTS = "max-age=31536000"  # a year; no includeSubDomains: other services share the domain


def served_over_https() -> bool:
    if current_app.config.get("PREFERRED_URL_SCHEME") == "https":
        return True
    return has_request_context() and request.is_secure


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the cookie Secure whenever served over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or served_over_https()


def register(app: Flask) -> None:
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    app.session_interface = SessionInterface()

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"  # frame-ancestors, for browsers without CSP 2
        headers["Referrer-Policy"] = "same-origin"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = PERMISSIONS_POLICY
        if served_over_https():
            headers["Strict-Transport-Security"] = HSTS
        return response
