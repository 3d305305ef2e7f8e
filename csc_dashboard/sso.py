"""Single sign-on through the council's OpenID Connect provider (mozilla-django-oidc).

Configured from the environment (csc_dashboard/settings.py: CSC_OIDC_ISSUER, CSC_OIDC_CLIENT_ID,
CSC_OIDC_CLIENT_SECRET). The provider's endpoints come from its discovery document, read at the
first sign-in and kept in the cache, so the site starts even while the provider is down.

Users are matched by email, case-insensitively; an email two users share is refused (the
library's own rule), and one no user has is refused unless CSC_OIDC_CREATE_USERS is on. At
every sign-in the user's roles are set from the groups claim through CSC_OIDC_GROUP_MAP
(audited when they change); service and directorate assignments stay with the administrator.
Disabled accounts are refused; a failed sign-in counts towards django-axes' lockout of the
address like a wrong password; the session rules (idle and absolute timeouts) are the same as
for a password sign-in. Signing out of a session begun at the provider signs out there too
(OpenID Connect RP-Initiated Logout, where the provider offers it), so the next person at a
shared computer is asked to sign in again.
"""

import logging
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from budgets.access import Role

logger = logging.getLogger(__name__)

DISCOVERY_CACHE_SECONDS = 60 * 60


class ProviderUnavailable(Exception):
    pass


def provider_metadata() -> dict:
    """The provider's discovery document (OpenID Connect Discovery 1.0), whose `issuer` must
    be exactly the configured one, as that specification requires."""
    issuer = settings.CSC_OIDC_ISSUER
    key = "csc-oidc-discovery:" + issuer
    metadata = cache.get(key)
    if metadata is None:
        try:
            response = requests.get(
                issuer + "/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT
            )
            response.raise_for_status()
            metadata = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise ProviderUnavailable(f"the provider's discovery document: {exc}") from exc
        if not isinstance(metadata, dict) or metadata.get("issuer", "").rstrip("/") != issuer:
            raise ProviderUnavailable("the discovery document names another issuer")
        cache.set(key, metadata, DISCOVERY_CACHE_SECONDS)
    return metadata


def roles_from_claims(claims: dict) -> set[str]:
    """The product roles the groups claim maps to (settings.CSC_OIDC_GROUP_MAP)."""
    groups = claims.get(settings.CSC_OIDC_GROUPS_CLAIM) or []
    if isinstance(groups, str):
        groups = [groups]
    if not isinstance(groups, list):
        return set()
    mapping = settings.CSC_OIDC_GROUP_MAP
    return {mapping[g] for g in groups if isinstance(g, str) and g in mapping}


def user_roles_set_from_sign_in(*, user, roles: set[str]) -> None:
    """Make the user's roles exactly `roles`, audited when they change. The provider is the
    source of truth for roles once single sign-on is on."""
    from budgets.models import AuditEntry
    from budgets.services import audit

    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        old = set(user.groups.filter(name__in=Role.ALL).values_list("name", flat=True))
        if old == roles:
            return
        user.groups.remove(*Group.objects.filter(name__in=old - roles))
        user.groups.add(*Group.objects.filter(name__in=roles - old))
        audit(
            user=None,
            source=AuditEntry.Source.PAGE,
            action="roles from sign-in",
            obj=user,
            field="groups",
            old=", ".join(sorted(old)),
            new=", ".join(sorted(roles)),
        )


class CouncilOIDCBackend(OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        # Endpoints are discovered at sign-in (authenticate), not here: Django builds a backend
        # for every request of a signed-in user, which must not need the provider.
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request, **kwargs):
        if request is None or "code" not in request.GET or not settings.CSC_OIDC_ENABLED:
            return None
        try:
            metadata = provider_metadata()
            self.OIDC_OP_TOKEN_ENDPOINT = metadata["token_endpoint"]
            self.OIDC_OP_USER_ENDPOINT = metadata["userinfo_endpoint"]
            self.OIDC_OP_JWKS_ENDPOINT = metadata["jwks_uri"]
            return super().authenticate(request, **kwargs)
        except (ProviderUnavailable, KeyError, requests.RequestException) as exc:
            # A provider that is down or answers an error: a failed sign-in, not a server error.
            logger.warning("Single sign-on failed: %s", type(exc).__name__)
            return None
        except SuspiciousOperation as exc:
            logger.warning("Single sign-on refused: %s", exc)
            return None

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, completed by the userinfo endpoint: Microsoft Entra ID sends
        the groups claim in the ID token only."""
        return {**payload, **super().get_userinfo(access_token, id_token, payload)}

    def verify_claims(self, claims):
        email = claims.get("email")
        if not isinstance(email, str) or "@" not in email:
            return False
        # A provider that says the address is not verified is not trusted with it.
        return claims.get("email_verified", True) is not False

    def create_user(self, claims):
        """Only with CSC_OIDC_CREATE_USERS on: an account named by its email (or, if that
        username is taken, the library's hash of it), with no password, audited."""
        from budgets.models import AuditEntry
        from budgets.services import audit

        email = claims["email"].strip().lower()
        username = email[:150]
        if self.UserModel.objects.filter(username__iexact=username).exists():
            username = self.get_username(claims)
        with transaction.atomic():
            user = self.UserModel.objects.create_user(username, email=email, password=None)
            audit(user=None, source=AuditEntry.Source.PAGE, action="create from sign-in", obj=user)
        return self.update_user(user, claims)

    def update_user(self, user, claims):
        if user.is_active:
            user_roles_set_from_sign_in(user=user, roles=roles_from_claims(claims))
        return user


class _SsoOnly:
    """The OIDC views answer 404 while single sign-on is off."""

    def dispatch(self, request, *args, **kwargs):
        if not settings.CSC_OIDC_ENABLED:
            raise Http404("Single sign-on is not configured.")
        return super().dispatch(request, *args, **kwargs)


class SignInStart(_SsoOnly, OIDCAuthenticationRequestView):
    """Send the browser to the provider's sign-in page."""

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request):
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_metadata()["authorization_endpoint"]
        except (ProviderUnavailable, KeyError) as exc:
            logger.warning("Single sign-on unavailable: %s", exc)
            return HttpResponseRedirect(settings.LOGIN_REDIRECT_URL_FAILURE)
        return super().get(request)


class SignInCallback(_SsoOnly, OIDCAuthenticationCallbackView):
    """The provider sends the browser back here with a code; a bad or replayed state is a
    failed sign-in, not a 400."""

    def get(self, request):
        state = request.GET.get("state")
        if "code" in request.GET and state not in request.session.get("oidc_states", {}):
            return self.login_failure()
        return super().get(request)


class LoginView(auth_views.LoginView):
    """Django's sign-in form, with the single sign-on button; with local passwords off the form
    is not shown and a posted password is refused."""

    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if not settings.CSC_LOCAL_PASSWORDS:
            raise PermissionDenied("Sign in with your council account: passwords are turned off.")
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "sso_enabled": settings.CSC_OIDC_ENABLED,
            "local_passwords": settings.CSC_LOCAL_PASSWORDS,
            "sso_failed": self.request.GET.get("sso") == "failed",
        }


class SignOut(auth_views.LogoutView):
    """Sign out here; a session begun at the provider is then sent to the provider's
    end_session_endpoint (with the ID token as the hint), which signs out there and comes back
    to the sign-in page (CSC_SITE_URL + the login path, registered with the provider as the
    client's post-logout redirect). Without such an endpoint, or with the provider down, the
    sign-out here stands alone."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get("oidc_id_token")
        response = super().post(request, *args, **kwargs)
        if not (id_token and settings.CSC_OIDC_ENABLED):
            return response
        try:
            endpoint = provider_metadata().get("end_session_endpoint")
        except ProviderUnavailable as exc:
            logger.warning("Single sign-out unavailable: %s", exc)
            return response
        if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
            return response
        query = urlencode(
            {
                "id_token_hint": id_token,
                "client_id": settings.OIDC_RP_CLIENT_ID,
                "post_logout_redirect_uri": settings.CSC_SITE_URL.rstrip("/")
                + settings.LOGIN_URL_PATH,
            }
        )
        return HttpResponseRedirect(f"{endpoint}?{query}")
