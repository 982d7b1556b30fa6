"""Account pages: thin views that parse a form, call one service and render or redirect."""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from comptoir.core import clock
from comptoir.core.errors import ApplicationError

from . import conf, services
from .enums import Language
from .errors import EmailUnverified
from .forms import (
    EmailRequestForm,
    LoginForm,
    NotificationPreferencesForm,
    OtpForm,
    PasswordChangeForm,
    ProfileForm,
    SetPasswordForm,
    SignupForm,
    TotpDisableForm,
)
from .models import User
from .notifications import notification_rows, notification_rows_save
from .selectors import client_ip, user_has_active_totp

OTP_PENDING = "accounts.otp_pending"
TOTP_SETUP_SECRET = "accounts.totp_setup_secret"
BACKEND = "comptoir.accounts.backends.EmailBackend"


def _next_url(request: HttpRequest, fallback: str = "home") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(fallback)


def _log_in(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    auth.login(request, user, backend=BACKEND)
    messages.success(
        request, _("Welcome back, %(name)s.") % {"name": user.display_name}, fail_silently=True
    )
    response = redirect(next_url)
    # The account's language becomes the browser's too (kept after logging out).
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
    return response


# --- Log in, log out ---------------------------------------------------------------------


def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    unverified_email = ""
    if request.method == "POST":
        form = LoginForm(request.POST)
        if form.is_valid():
            try:
                user = services.auth_check_credentials(
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password"],
                    ip=client_ip(request),
                )
            except EmailUnverified as exc:
                form.apply_error(exc)
                unverified_email = form.cleaned_data["email"]
            except ApplicationError as exc:
                form.apply_error(exc)
            else:
                if user_has_active_totp(user=user):
                    request.session[OTP_PENDING] = {
                        "user": user.pk,
                        "at": clock.now().timestamp(),
                        "next": next_url,
                    }
                    return redirect("accounts:login_code")
                return _log_in(request, user, next_url)
    else:
        form = LoginForm(initial={"email": request.GET.get("email", "")[:254]})
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": next_url, "unverified_email": unverified_email},
    )


def _pending_user(request: HttpRequest) -> tuple[User | None, str]:
    pending = request.session.get(OTP_PENDING)
    if not isinstance(pending, dict):
        return None, ""
    age = clock.now().timestamp() - float(pending.get("at", 0))
    if age > conf.login_otp_pending_max_age().total_seconds():
        request.session.pop(OTP_PENDING, None)
        return None, ""
    user = User.objects.filter(pk=int(pending.get("user") or 0), is_active=True).first()
    return user, str(pending.get("next") or reverse("home"))


def login_code_view(request: HttpRequest) -> HttpResponse:
    user, next_url = _pending_user(request)
    if user is None:
        messages.info(request, _("Your session expired: please log in again."))
        return redirect("accounts:login")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.totp_verify(user=user, code=form.cleaned_data["code"])
        except ApplicationError as exc:
            form.apply_error(exc)
        else:
            request.session.pop(OTP_PENDING, None)
            return _log_in(request, user, next_url)
    return render(request, "accounts/login_code.html", {"form": form})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    auth.logout(request)
    messages.info(request, _("You are logged out."))
    return redirect("home")


# --- Sign up and e-mail verification ------------------------------------------------------


def signup_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    if request.method == "POST":
        form = SignupForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.user_signup(
                    email=data["email"],
                    full_name=data["full_name"],
                    password=data["password"],
                    language=data["language"],
                    ip=client_ip(request),
                )
            except ApplicationError as exc:
                form.apply_error(exc)
            else:
                request.session["accounts.signup_email"] = user.email
                response = redirect("accounts:signup_done")
                response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
                return response
    else:
        language = get_language() if get_language() in Language.values else Language.FR
        form = SignupForm(initial={"language": language})
    return render(request, "accounts/signup.html", {"form": form})


def signup_done_view(request: HttpRequest) -> HttpResponse:
    email = request.session.get("accounts.signup_email", "")
    return render(request, "accounts/signup_done.html", {"email": email})


def verify_email_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = services.user_verify_email(token=token)
    except ApplicationError as exc:
        return render(
            request,
            "accounts/verify_failed.html",
            {"error": exc.message, "form": EmailRequestForm()},
            status=400,
        )
    messages.success(request, _("Your e-mail address is confirmed. You can log in now."))
    if request.user.is_authenticated:
        return redirect("home")
    return redirect(f"{reverse('accounts:login')}?email={user.email}")


def verification_resend_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = EmailRequestForm(request.POST)
        if form.is_valid():
            try:
                services.user_verification_resend(
                    email=form.cleaned_data["email"], ip=client_ip(request)
                )
            except ApplicationError as exc:
                form.apply_error(exc)
            else:
                request.session["accounts.signup_email"] = form.cleaned_data["email"]
                return redirect("accounts:verification_sent")
    else:
        form = EmailRequestForm(initial={"email": request.GET.get("email", "")[:254]})
    return render(request, "accounts/verification_resend.html", {"form": form})


def verification_sent_view(request: HttpRequest) -> HttpResponse:
    email = request.session.get("accounts.signup_email", "")
    return render(request, "accounts/signup_done.html", {"email": email, "resent": True})


# --- Password reset -----------------------------------------------------------------------


def password_reset_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = EmailRequestForm(request.POST)
        if form.is_valid():
            try:
                services.password_reset_request(
                    email=form.cleaned_data["email"], ip=client_ip(request)
                )
            except ApplicationError as exc:
                form.apply_error(exc)
            else:
                request.session["accounts.reset_email"] = form.cleaned_data["email"]
                return redirect("accounts:password_reset_sent")
    else:
        form = EmailRequestForm(initial={"email": request.GET.get("email", "")[:254]})
    return render(request, "accounts/password_reset.html", {"form": form})


def password_reset_sent_view(request: HttpRequest) -> HttpResponse:
    email = request.session.get("accounts.reset_email", "")
    return render(request, "accounts/password_reset_sent.html", {"email": email})


def password_reset_confirm_view(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    try:
        services.password_reset_user(uidb64=uidb64, token=token)
    except ApplicationError as exc:
        return render(
            request, "accounts/password_reset_invalid.html", {"error": exc.message}, status=400
        )
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.password_reset_confirm(
                uidb64=uidb64, token=token, new_password=form.cleaned_data["new_password"]
            )
        except ApplicationError as exc:
            form.apply_error(exc)
        else:
            messages.success(request, _("Your password was changed. You can log in now."))
            return redirect(f"{reverse('accounts:login')}?email={user.email}")
    return render(request, "accounts/password_reset_confirm.html", {"form": form})


# --- Settings -----------------------------------------------------------------------------


def _settings_context(request: HttpRequest, **forms: Any) -> dict[str, Any]:
    user: User = request.user  # type: ignore[assignment]
    rows = notification_rows(user=user)
    return {
        "profile_form": forms.get("profile_form")
        or ProfileForm(initial={"full_name": user.full_name, "language": user.language}),
        "notifications_form": forms.get("notifications_form")
        or (NotificationPreferencesForm(rows=rows) if rows else None),
        "totp_active": user_has_active_totp(user=user),
    }


@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.user_update(
                    user=user,
                    full_name=form.cleaned_data["full_name"],
                    language=form.cleaned_data["language"],
                )
            except ApplicationError as exc:
                form.apply_error(exc)
            else:
                from django.utils import translation

                with translation.override(user.language):
                    messages.success(request, _("Your settings are saved."))
                response = redirect("accounts:settings")
                response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
                return response
        return render(
            request, "accounts/settings.html", _settings_context(request, profile_form=form)
        )
    return render(request, "accounts/settings.html", _settings_context(request))


@login_required
@require_POST
def notifications_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    rows = notification_rows(user=user)
    form = NotificationPreferencesForm(request.POST, rows=rows)
    if form.is_valid():
        try:
            notification_rows_save(user=user, preferences=form.preferences())
        except ApplicationError as exc:
            form.apply_error(exc)
        else:
            messages.success(request, _("Your notification preferences are saved."))
            return redirect(reverse("accounts:settings") + "#notifications")
    return render(
        request, "accounts/settings.html", _settings_context(request, notifications_form=form)
    )


@login_required
def password_change_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ApplicationError as exc:
            form.apply_error(exc)
        else:
            auth.update_session_auth_hash(request, user)
            messages.success(request, _("Your password was changed."))
            return redirect("accounts:settings")
    return render(request, "accounts/password_change.html", {"form": form})


def _qr_svg(uri: str) -> str:
    qr = segno.make(uri, error="m")
    svg = qr.svg_inline(scale=5, dark="#1f1a17", light="#ffffff", border=2, omitsize=True)
    # segno's output holds no user input but the encoded URI (in path data, not text).
    return mark_safe(svg)


@login_required
def two_factor_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_staff_member:
        raise Http404
    active = user_has_active_totp(user=user)
    enable_form = OtpForm(prefix="enable")
    disable_form = TotpDisableForm(prefix="disable")
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "enable" and not active:
        enable_form = OtpForm(request.POST, prefix="enable")
        if enable_form.is_valid():
            try:
                services.totp_enable(
                    user=user,
                    secret=request.session.get(TOTP_SETUP_SECRET, ""),
                    code=enable_form.cleaned_data["code"],
                )
            except ApplicationError as exc:
                enable_form.apply_error(exc)
            else:
                request.session.pop(TOTP_SETUP_SECRET, None)
                messages.success(request, _("Two-factor authentication is on."))
                return redirect("accounts:two_factor")
    elif action == "disable" and active:
        disable_form = TotpDisableForm(request.POST, prefix="disable")
        if disable_form.is_valid():
            try:
                services.totp_disable(
                    user=user,
                    password=disable_form.cleaned_data["password"],
                    code=disable_form.cleaned_data["code"],
                )
            except ApplicationError as exc:
                disable_form.apply_error(exc)
            else:
                messages.success(request, _("Two-factor authentication is off."))
                return redirect("accounts:two_factor")
    context: dict[str, Any] = {
        "active": active,
        "enable_form": enable_form,
        "disable_form": disable_form,
    }
    if not active:
        secret = request.session.get(TOTP_SETUP_SECRET)
        if not secret:
            secret = services.totp_new_secret()
            request.session[TOTP_SETUP_SECRET] = secret
        uri = services.totp_provisioning_uri(user=user, secret=secret, issuer=settings.SITE_NAME)
        context.update(
            {
                "secret": secret,
                "secret_grouped": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
                "qr_svg": _qr_svg(uri),
            }
        )
    return render(request, "accounts/two_factor.html", context)


# --- Language -----------------------------------------------------------------------------


@require_POST
def language_view(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie, redirect to ``next``), and the account's language too."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in Language.values:
        try:
            services.user_update(user=request.user, language=language)  # type: ignore[arg-type]
        except ApplicationError:
            pass
    return set_language(request)
