from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.login_code_view, name="login_code"),
    path("logout/", views.logout_view, name="logout"),
    path("signup/", views.signup_view, name="signup"),
    path("signup/done/", views.signup_done_view, name="signup_done"),
    path("verify/resend/", views.verification_resend_view, name="verification_resend"),
    path("verify/sent/", views.verification_sent_view, name="verification_sent"),
    path("verify/<str:token>/", views.verify_email_view, name="verify_email"),
    path("password/reset/", views.password_reset_view, name="password_reset"),
    path("password/reset/sent/", views.password_reset_sent_view, name="password_reset_sent"),
    path(
        "password/reset/<str:uidb64>/<str:token>/",
        views.password_reset_confirm_view,
        name="password_reset_confirm",
    ),
    path("settings/", views.settings_view, name="settings"),
    path("settings/notifications/", views.notifications_view, name="notifications"),
    path("settings/password/", views.password_change_view, name="password_change"),
    path("settings/two-factor/", views.two_factor_view, name="two_factor"),
    path("language/", views.language_view, name="language"),
]
