import re

import pytest
from django.conf import settings
from django.urls import reverse

from comptoir.accounts.models import TotpDevice, User
from comptoir.accounts.views import OTP_PENDING, TOTP_SETUP_SECRET
from comptoir.core.notifications import notification_preferences_for
from comptoir.testing.factories import (
    DEFAULT_PASSWORD,
    StaffFactory,
    UserFactory,
    totp_code,
    totp_device_for,
)

pytestmark = pytest.mark.django_db
FR = {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}
NEW = "a-brand-new-passphrase-9"


def text(response) -> str:
    return response.content.decode()


# --- Language: Accept-Language, cookie, account ----------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"), [(FR, "Se connecter"), (EN, "Log in")], ids=["fr", "en"]
)
def test_login_page_follows_the_browser_language(client, headers, expected):
    response = client.get(reverse("accounts:login"), **headers)
    assert response.status_code == 200
    assert f'<h1 id="page-title">{expected}</h1>' in text(response)


def test_language_cookie_beats_the_browser(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("accounts:login"), **FR)
    assert '<html lang="en"' in text(response)


def test_account_language_beats_cookie_and_browser(client):
    user = UserFactory(language="en")
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get(reverse("accounts:settings"), **FR)
    assert '<html lang="en"' in text(response)


def test_language_switch_logged_out_sets_the_cookie(client):
    response = client.post(
        reverse("accounts:language"), {"language": "en", "next": "/accounts/login/"}, **FR
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en"' in text(client.get("/accounts/login/", **FR))


def test_language_switch_logged_in_saves_the_account(client):
    user = UserFactory(language="fr")
    client.force_login(user)
    client.post(reverse("accounts:language"), {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"
    assert '<html lang="en"' in text(client.get("/"))


def test_language_switch_ignores_unknown_languages(client):
    user = UserFactory(language="fr")
    client.force_login(user)
    client.post(reverse("accounts:language"), {"language": "xx", "next": "/"})
    user.refresh_from_db()
    assert user.language == "fr"


def test_language_switch_is_post_only(client):
    assert client.get(reverse("accounts:language")).status_code == 405


# --- Login, second factor, logout ---------------------------------------------------------


def test_login_logs_in_and_redirects_to_next(client):
    UserFactory(email="lea@example.com", language="en")
    response = client.post(
        reverse("accounts:login"),
        {"email": "lea@example.com", "password": DEFAULT_PASSWORD, "next": "/accounts/settings/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/settings/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert client.get("/accounts/settings/").status_code == 200


def test_login_refuses_offsite_next(client):
    UserFactory(email="lea@example.com")
    response = client.post(
        reverse("accounts:login"),
        {"email": "lea@example.com", "password": DEFAULT_PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        (FR, "L’adresse e-mail ou le mot de passe est incorrect."),
        (EN, "The e-mail address or the password is incorrect."),
    ],
    ids=["fr", "en"],
)
def test_login_wrong_password_shows_a_translated_error(client, headers, message):
    UserFactory(email="lea@example.com")
    response = client.post(
        reverse("accounts:login"), {"email": "lea@example.com", "password": "nope"}, **headers
    )
    assert response.status_code == 200
    assert message in text(response)
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "", "password": "x"}, "Enter your e-mail address."),
        ({"email": "not-an-email", "password": "x"}, "Enter a valid e-mail address."),
        ({"email": "a@example.com", "password": ""}, "Enter your password."),
    ],
)
def test_login_form_errors_are_linked_to_fields(client, data, message):
    response = client.post(reverse("accounts:login"), data, **EN)
    body = text(response)
    assert message in body
    assert 'class="error-summary"' in body
    assert 'aria-invalid="true"' in body
    assert re.search(r'aria-describedby="id_\w+_error', body)


def test_unverified_login_explains_and_links_to_resend(client):
    UserFactory(email="new@example.com", email_verified=False)
    response = client.post(
        reverse("accounts:login"), {"email": "new@example.com", "password": DEFAULT_PASSWORD}, **EN
    )
    body = text(response)
    assert "Please confirm your e-mail address first" in body
    assert "/accounts/verify/resend/?email=new%40example.com" in body
    assert "_auth_user_id" not in client.session


def test_login_rate_limited_shows_the_wait(client, settings):
    settings.RATE_LIMIT_LOGIN = (2, 900)
    UserFactory(email="lea@example.com")
    for _ in range(2):
        client.post(reverse("accounts:login"), {"email": "lea@example.com", "password": "x"})
    response = client.post(
        reverse("accounts:login"), {"email": "lea@example.com", "password": DEFAULT_PASSWORD}, **EN
    )
    assert "Too many attempts" in text(response)
    assert "_auth_user_id" not in client.session


def test_login_with_totp_asks_for_the_code(client):
    user = StaffFactory(email="agent@example.org")
    _device, secret = totp_device_for(user)
    response = client.post(
        reverse("accounts:login"), {"email": "agent@example.org", "password": DEFAULT_PASSWORD}
    )
    assert response["Location"] == reverse("accounts:login_code")
    assert "_auth_user_id" not in client.session
    bad = client.post(reverse("accounts:login_code"), {"code": "000000"}, **EN)
    assert "This code is not valid" in text(bad)
    assert "_auth_user_id" not in client.session
    good = client.post(reverse("accounts:login_code"), {"code": totp_code(secret)})
    assert good.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert OTP_PENDING not in client.session


def test_login_code_page_without_a_pending_login_goes_back(client):
    response = client.get(reverse("accounts:login_code"))
    assert response["Location"] == reverse("accounts:login")


def test_logout_is_post_only(client):
    client.force_login(UserFactory())
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


# --- Sign-up and verification ---------------------------------------------------------------


def signup_data(**overrides):
    data = {
        "full_name": "Nora Petit",
        "email": "nora@example.com",
        "password": NEW,
        "password_confirm": NEW,
        "language": "fr",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(("headers", "language"), [(FR, "fr"), (EN, "en")], ids=["fr", "en"])
def test_signup_preselects_the_current_language(client, headers, language):
    body = text(client.get(reverse("accounts:signup"), **headers))
    assert f'<option value="{language}" selected>' in body


def test_signup_then_verify_then_login(client, sent):
    with sent as outbox:
        response = client.post(reverse("accounts:signup"), signup_data())
    assert response["Location"] == reverse("accounts:signup_done")
    assert "nora@example.com" in text(client.get(reverse("accounts:signup_done")))
    link = re.search(r"https?://\S+", outbox[0].body).group(0)
    path = re.sub(r"^https?://[^/]+", "", link)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?email=nora@example.com"
    assert User.objects.get().email_verified_at is not None
    response = client.post(
        reverse("accounts:login"), {"email": "nora@example.com", "password": NEW}
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("overrides", "message_en", "message_fr"),
    [
        (
            {"password_confirm": "something-else-1"},
            "The two passwords are different.",
            "Les deux mots de passe sont différents.",
        ),
        (
            {"password": "1234", "password_confirm": "1234"},
            "This password is too short.",
            "Ce mot de passe est trop court.",
        ),
        (
            {"email": "nora"},
            "Enter a valid e-mail address.",
            "Saisissez une adresse e-mail valide.",
        ),
        ({"full_name": ""}, "Enter your name.", "Saisissez votre nom."),
        ({"language": "de"}, "Choose French or English.", "Choisissez le français ou l’anglais."),
    ],
)
def test_signup_bad_input_shows_errors_and_writes_nothing(
    client, overrides, message_en, message_fr, sent
):
    with sent as outbox:
        en = client.post(reverse("accounts:signup"), signup_data(**overrides), **EN)
        fr = client.post(reverse("accounts:signup"), signup_data(**overrides), **FR)
    assert en.status_code == fr.status_code == 200
    assert message_en in text(en)
    assert message_fr in text(fr)
    assert User.objects.count() == 0
    assert outbox == []


def test_signup_with_a_taken_address(client):
    UserFactory(email="nora@example.com")
    response = client.post(reverse("accounts:signup"), signup_data(), **EN)
    assert "An account already exists with this e-mail address." in text(response)
    assert User.objects.count() == 1


def test_verify_with_a_bad_link_offers_a_new_one(client):
    response = client.get(reverse("accounts:verify_email", kwargs={"token": "garbage"}), **EN)
    assert response.status_code == 400
    assert "This confirmation link is not valid" in text(response)
    assert reverse("accounts:verification_resend") in text(response)


def test_resend_never_reveals_the_address(client, sent):
    UserFactory(email="new@example.com", email_verified=False)
    with sent as outbox:
        a = client.post(reverse("accounts:verification_resend"), {"email": "new@example.com"})
        b = client.post(reverse("accounts:verification_resend"), {"email": "nobody@example.com"})
    assert a.status_code == b.status_code == 302
    assert a["Location"] == b["Location"] == reverse("accounts:verification_sent")
    assert [m.to for m in outbox] == [["new@example.com"]]


def test_resend_bad_address(client):
    response = client.post(reverse("accounts:verification_resend"), {"email": "x"}, **FR)
    assert "Saisissez une adresse e-mail valide." in text(response)


# --- Password reset ---------------------------------------------------------------------------


def test_password_reset_flow(client, sent):
    user = UserFactory(email="lea@example.com", language="en")
    with sent as outbox:
        a = client.post(reverse("accounts:password_reset"), {"email": "lea@example.com"})
        b = client.post(reverse("accounts:password_reset"), {"email": "ghost@example.com"})
    assert a["Location"] == b["Location"] == reverse("accounts:password_reset_sent")
    assert len(outbox) == 1
    path = re.search(r"/accounts/password/reset/[^/\s]+/[^/\s]+/", outbox[0].body).group(0)
    assert client.get(path).status_code == 200
    weak = client.post(path, {"new_password": "123", "new_password_confirm": "123"}, **EN)
    assert "This password is too short." in text(weak)
    mismatch = client.post(path, {"new_password": NEW, "new_password_confirm": NEW + "x"}, **EN)
    assert "The two passwords are different." in text(mismatch)
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)
    with sent as outbox:
        done = client.post(path, {"new_password": NEW, "new_password_confirm": NEW})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert [m.subject for m in outbox] == ["Your Comptoir password was changed"]
    again = client.get(path, **EN)
    assert again.status_code == 400
    assert "it was used or it expired" in text(again)


def test_password_reset_bad_address(client):
    response = client.post(reverse("accounts:password_reset"), {"email": ""}, **EN)
    assert "Enter your e-mail address." in text(response)


# --- Settings ---------------------------------------------------------------------------------


def test_settings_need_login(client):
    response = client.get(reverse("accounts:settings"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_settings_change_language_switches_the_ui_at_once(client):
    user = UserFactory(language="fr", full_name="Léa Dubois")
    client.force_login(user)
    response = client.post(
        reverse("accounts:settings"), {"full_name": "Léa Dubois", "language": "en"}, follow=True
    )
    user.refresh_from_db()
    assert user.language == "en"
    body = text(response)
    assert '<html lang="en"' in body
    assert "Your settings are saved." in body


def test_settings_bad_input_changes_nothing(client):
    user = UserFactory(language="fr", full_name="Léa Dubois")
    client.force_login(user)
    response = client.post(reverse("accounts:settings"), {"full_name": "", "language": "xx"})
    body = text(response)
    assert "Saisissez votre nom." in body
    assert "Choisissez le français ou l’anglais." in body
    user.refresh_from_db()
    assert (user.full_name, user.language) == ("Léa Dubois", "fr")


def test_notification_preferences_are_saved(client):
    user = UserFactory()
    client.force_login(user)
    page = text(client.get(reverse("accounts:settings")))
    assert 'name="system__email"' in page
    client.post(reverse("accounts:notifications"), {"account__in_app": "on", "system__email": "on"})
    prefs = {
        kind.code: (email, in_app)
        for kind, email, in_app in notification_preferences_for(user=user)
    }
    assert prefs["system"] == (True, False)
    assert prefs["account"] == (True, True)  # security e-mails stay on


def test_password_change_page(client, sent):
    user = UserFactory(language="en")  # the account's language wins over Accept-Language
    client.force_login(user)
    bad = client.post(
        reverse("accounts:password_change"),
        {"current_password": "nope", "new_password": NEW, "new_password_confirm": NEW},
        **EN,
    )
    assert "Your current password is incorrect." in text(bad)
    with sent as outbox:
        ok = client.post(
            reverse("accounts:password_change"),
            {
                "current_password": DEFAULT_PASSWORD,
                "new_password": NEW,
                "new_password_confirm": NEW,
            },
        )
    assert ok.status_code == 302
    assert len(outbox) == 1
    assert client.get(reverse("accounts:settings")).status_code == 200  # still logged in


# --- Two-factor set-up ------------------------------------------------------------------------


def test_two_factor_is_for_staff_only(client):
    client.force_login(UserFactory())
    assert client.get(reverse("accounts:two_factor")).status_code == 404


def test_two_factor_setup_shows_qr_and_secret_then_enables(client):
    user = StaffFactory(language="en")
    client.force_login(user)
    page = text(client.get(reverse("accounts:two_factor"), **EN))
    secret = client.session[TOTP_SETUP_SECRET]
    assert "<svg" in page and f'data-totp-secret="{secret}"' in page
    # The same secret while the set-up is pending (reloading does not change the QR code).
    client.get(reverse("accounts:two_factor"))
    assert client.session[TOTP_SETUP_SECRET] == secret
    bad = client.post(
        reverse("accounts:two_factor"), {"action": "enable", "enable-code": "000000"}, **EN
    )
    assert "This code is not valid" in text(bad)
    assert TotpDevice.objects.count() == 0
    ok = client.post(
        reverse("accounts:two_factor"), {"action": "enable", "enable-code": totp_code(secret)}
    )
    assert ok.status_code == 302
    assert TotpDevice.objects.get(user=user).is_active
    assert TOTP_SETUP_SECRET not in client.session


def test_two_factor_disable(client):
    user = StaffFactory(language="en")
    _device, secret = totp_device_for(user)
    client.force_login(user)
    bad = client.post(
        reverse("accounts:two_factor"),
        {"action": "disable", "disable-password": "nope", "disable-code": totp_code(secret)},
        **EN,
    )
    assert "The password is incorrect." in text(bad)
    assert TotpDevice.objects.count() == 1
    ok = client.post(
        reverse("accounts:two_factor"),
        {
            "action": "disable",
            "disable-password": DEFAULT_PASSWORD,
            "disable-code": totp_code(secret),
        },
    )
    assert ok.status_code == 302
    assert TotpDevice.objects.count() == 0


# --- Frame: home, header, 404 -----------------------------------------------------------------


def test_home_lists_demo_logins_once_seeded(client):
    from comptoir.core.seeders import apply_seeders

    assert "buyer@example.com" not in text(client.get("/"))
    apply_seeders()
    body = text(client.get("/", **EN))
    for email in (
        "buyer@example.com",
        "seller2@example.com",
        "officer@example.com",
        "admin@example.com",
    ):
        assert email in body
    assert "Dispute officer · Hélène Rousseau (in French)" in body


def test_header_has_help_and_account_menus(client):
    client.force_login(UserFactory(full_name="Léa Dubois"))
    body = text(client.get("/", **FR))
    for label in (
        "Aide",
        "Centre d’aide",
        "Service client",
        "Mes commandes",
        "Centre de messagerie",
        "Paramètres",
        "Se déconnecter",
        "Aller au contenu",
    ):
        assert label in body, label


def test_404_page_is_translated(client):
    response = client.get("/no-such-page/", **EN)
    assert response.status_code == 404
    assert "This page does not exist" in text(response)
