from django.urls import path

from . import link_views, mfa_views, passkey_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", link_views.password_reset, name="password_reset"),
    path(
        "password/reset/<str:token>/",
        link_views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("invitation/<str:token>/", link_views.invitation, name="invitation"),
    path("second-factor/", mfa_views.second_factor, name="second_factor"),
    path("second-factor/setup/", mfa_views.setup, name="mfa_setup"),
    path("second-factor/recovery-codes/", mfa_views.recovery_codes, name="recovery_codes"),
    path("second-factor/remove/", mfa_views.remove, name="mfa_remove"),
    path("passkeys/add/options/", passkey_views.register_options, name="passkey_add_options"),
    path("passkeys/add/", passkey_views.register, name="passkey_add"),
    path("passkeys/sign-in/options/", passkey_views.sign_in_options,
         name="passkey_sign_in_options"),  # fmt: skip
    path("passkeys/sign-in/", passkey_views.sign_in, name="passkey_sign_in"),
    path("passkeys/<id:passkey_id>/remove/", passkey_views.remove, name="passkey_remove"),
    path("profile/", views.profile, name="profile"),
    path("profile/language/", views.profile_language, name="profile_language"),
    path("sessions/<id:record_id>/end/", views.session_end, name="session_end"),
    path("sessions/end-others/", views.sessions_end_others, name="sessions_end_others"),
    path("tokens/", views.token_create, name="token_create"),
    path("tokens/<id:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
