from django.contrib.auth import views as auth_views
from django.urls import include, path

from reports_admin.activity import views as activity
from reports_admin.connection import views as connection
from reports_admin.reports.views import (
    bulk,
    downloads,
    editing,
    overview,
    packs,
    pages,
    previews,
    recipients,
    restoring,
    sending,
)
from reports_admin.web import companies, two_factor

report_patterns = [
    path("", pages.report_list, name="list"),
    path("new/", editing.report_create, name="create"),
    path("types/", pages.report_types, name="types"),
    path("refresh/", pages.metadata_refresh, name="refresh_metadata"),
    path("read-again/", pages.reports_refresh, name="refresh_reports"),
    path("download/", downloads.report_run_download, name="run_download"),
    path("bulk/", bulk.bulk_start, name="bulk"),
    path("jobs/confirm/", bulk.bulk_confirm, name="job_confirm"),
    path("jobs/<int:job_id>/", bulk.bulk_job_detail, name="job"),
    path("export/", packs.pack_export, name="export"),
    path("import/", packs.pack_import, name="import"),
    path("import/confirm/", packs.pack_import_confirm, name="import_confirm"),
    path("copy/", packs.pack_copy, name="copy"),
    path("preview/", previews.report_form_preview, name="form_preview"),
    path("preview/html/<str:token>/", previews.report_preview_html, name="preview_html"),
    path("<int:report_id>/", pages.report_detail, name="detail"),
    path("<int:report_id>/send/", sending.report_send, name="send"),
    path("<int:report_id>/download/", downloads.report_download, name="download"),
    path("<int:report_id>/preview/", previews.report_preview, name="preview"),
    path("<int:report_id>/edit/", editing.report_edit, name="edit"),
    path("<int:report_id>/duplicate/", editing.report_duplicate, name="duplicate"),
    path("<int:report_id>/delete/", editing.report_delete, name="delete"),
    path("<int:report_id>/active/", pages.report_set_active, name="active"),
]

# Everything of one company: its name is in every URL (and every form's action), so two tabs
# on two companies never act on the wrong one. WeblinkConnectionMiddleware takes it out of the
# view's arguments; reverse these with the company first: reverse("reports:detail",
# args=[company, report_id]).
company_patterns = [
    path("", companies.company_home, name="company_home"),
    path("reports/", include((report_patterns, "reports"))),
    path("recipients/", recipients.recipient_list, name="recipients"),
    path("recipients/change/", recipients.recipient_change, name="recipients_change"),
    path("activity/<int:entry_id>/restore/", restoring.activity_restore, name="activity_restore"),
    path("connection/test/", connection.connection_test, name="connection_test"),
    path("connection/disconnect/", connection.connection_disconnect, name="connection_disconnect"),
]

urlpatterns = [
    path("", companies.home, name="home"),
    path("c/<str:company>/", include(company_patterns)),
    # All the person's companies at once.
    path("companies/", overview.companies_overview, name="companies_overview"),
    path("search/", overview.companies_search, name="companies_search"),
    # The URLs from before companies: the same page under the person's company, or a chooser.
    path("reports/", companies.company_choose),
    path("reports/<path:rest>", companies.company_choose),
    path("recipients/", companies.company_choose),
    path("recipients/<path:rest>", companies.company_choose),
    path("activity/<int:entry_id>/restore/", companies.company_choose),
    path("activity/", activity.activity_list, name="activity"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("two-factor/", two_factor.two_factor_settings, name="two_factor"),
    path("two-factor/verify/", two_factor.two_factor_verify, name="two_factor_verify"),
    path("connection/", connection.connection_page, name="connection"),
    path("connection/sign-in/", connection.connection_sign_in, name="connection_sign_in"),
    path("connection/token/", connection.connection_save_token, name="connection_token"),
]
