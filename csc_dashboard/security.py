"""Security middleware and helpers: headers, session lifetimes, the client's real address.

Kept together so a reviewer (or a pen tester) finds every protection in one place; the README's
Security section describes them.
"""

import time
from urllib.parse import unquote_plus

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string


def client_ip(request) -> str:
    """The address of the browser, for login lockouts.

    Behind N trusted reverse proxies (CSC_TRUSTED_PROXY_COUNT), the client's address is the Nth
    from the right of X-Forwarded-For: each proxy appends the address it received from, so
    anything further left may have been written by the client itself and is not trusted.
    """
    proxies = settings.CSC_TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        # No inline script and no other origin: Plotly and GOV.UK Frontend are served from here.
        "script-src 'self'",
        # Plotly.js writes its own <style> rules and style attributes while drawing a chart.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response (Django 5.2 has no CSP
    of its own); the other headers come from Django's SecurityMiddleware settings."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


SESSION_STARTED = "csc_session_started"
SESSION_RENEWED = "csc_session_renewed"


class AbsoluteSessionTimeoutMiddleware:
    """Sign a user out a fixed time after they signed in, however active they have been, and
    renew the idle timeout (SESSION_COOKIE_AGE) of an active one.

    The session is renewed (saved, with a new expiry) when its last renewal is
    CSC_SESSION_RENEW_SECONDS old or more, not on every request: a page read is then no write
    to the database, and an idle session ends at most that much before its full idle time."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            session = request.session
            started = session.get(SESSION_STARTED)
            now = int(time.time())
            if started is None:
                session[SESSION_STARTED] = now
            elif now - started > settings.CSC_SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(f"{settings.LOGIN_URL_PATH}?next={request.path}")
            if now - session.get(SESSION_RENEWED, 0) >= settings.CSC_SESSION_RENEW_SECONDS:
                session[SESSION_RENEWED] = now
        return self.get_response(request)


def bad_request(reason: str) -> HttpResponse:
    """A 400 page that needs neither the database nor the session (rendered without the
    request, so no context processor runs)."""
    return HttpResponse(render_to_string("400.html", {"reason": reason}), status=400)


class RefuseNulMiddleware:
    """Answer 400 to a NUL character (U+0000) in the path, the query string or a form field.

    No page has a use for it and PostgreSQL refuses it in text, so it would otherwise reach a
    query and fail there as a server error. Checked at the edge, once, for every page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in unquote_plus(query):
            return bad_request("The address holds a NUL character, which no page accepts.")
        if request.method == "POST" and _holds_nul(request):
            return bad_request("The form holds a NUL character, which no field accepts.")
        return self.get_response(request)


def _holds_nul(request) -> bool:
    try:
        fields = request.POST
    except Exception:  # a malformed body: leave it to the view and CSRF checks as before
        return False
    return any("\x00" in key or any("\x00" in v for v in fields.getlist(key)) for key in fields)


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every response to a signed-in user (pages and
    exports hold council figures: no browser, proxy or shared computer keeps a copy)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store, private"
        return response


class HealthCheckMiddleware:
    """Answer the health check before the session and authentication middleware run: with a
    session cookie they would read the database first, and a database that is down would make
    the check answer with the HTML error page instead of its JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz":
            from csc_dashboard.views import healthz

            return healthz(request)
        return self.get_response(request)
