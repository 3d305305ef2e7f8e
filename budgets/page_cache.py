"""Whole pages kept under the data's version, so a page read again before anything changed is
served without running its view: `@cached_page` on the most-read pages.

A page is kept for one reader (their own name and roles are on it), one path and query, one
day and one data version (budgets.cache: every write to the product's tables moves the version,
so a page is never served from before a change). What differs between two requests of the same
reader is put back on each: the CSRF token of every form on the page is a fresh one. A page is
not kept, and the view runs every time, when the request is not a GET or HEAD, messages are
waiting to be shown, the view answered anything but a plain 200 page, set a header or cookie of
its own, or changed the session. Pages are stored compressed: a cache entry is a few kilobytes.
"""

import datetime
import re
import zlib
from functools import wraps

from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.html import format_html

from budgets.access import roles_of
from budgets.cache import cached

# What {% csrf_token %} writes; its value is masked afresh for each request.
_CSRF_INPUT = re.compile(rb'<input type="hidden" name="csrfmiddlewaretoken" value="[A-Za-z0-9]+">')
_CSRF_MARK = b"<!--csc-csrf-token-->"
_NOT_KEPT = object()


def cached_page(view):
    """View decorator: serve the page from the cache while the data and the reader are
    unchanged. Put it inside the role check, so access is decided on every request."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or len(get_messages(request)):
            return view(request, *args, **kwargs)
        user = request.user
        parts = (
            "page",
            request.path,
            sorted(request.GET.lists()),
            user.pk,
            user.get_full_name() or user.get_username(),
            sorted(roles_of(user)),
            datetime.date.today().isoformat(),
        )
        answered = []

        def build():
            response = view(request, *args, **kwargs)
            answered.append(response)
            return _storable(request, response)

        stored = cached(parts, build, request=request, keep=lambda value: value is not _NOT_KEPT)
        if answered:
            return answered[0]
        content_type, body = stored
        return HttpResponse(_with_csrf_token(request, zlib.decompress(body)), content_type)

    return wrapped


def _storable(request, response):
    """(content type, compressed body with its CSRF tokens marked), or _NOT_KEPT."""
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or set(response.headers) - {"Content-Type"}
        or request.session.modified
    ):
        return _NOT_KEPT
    body = _CSRF_INPUT.sub(_CSRF_MARK, response.content)
    return response.headers["Content-Type"], zlib.compress(body, 6)


def _with_csrf_token(request, body: bytes) -> bytes:
    if _CSRF_MARK not in body:
        return body
    field = format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
    )
    return body.replace(_CSRF_MARK, field.encode())
