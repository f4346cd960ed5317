"""The connection page: the person's connections, one per company; add one (sign in with
Weblink or paste a token), test or remove each."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reports_admin.connection import services
from reports_admin.connection.forms import WeblinkSignInForm, WeblinkTokenForm
from reports_admin.connection.throttle import TooManyAttempts
from reports_admin.weblink import TokenRejected, TwoFactorRequired, WeblinkError


def _render_page(
    request: HttpRequest,
    *,
    sign_in_form: WeblinkSignInForm | None = None,
    token_form: WeblinkTokenForm | None = None,
    test_error: str = "",
    status: int = 200,
) -> HttpResponse:
    """``test_error``: why the test of the connection of the request's company failed."""
    context = {
        "connections": request.weblink_connection.all(),
        "tested_company": request.weblink_connection.company if test_error else None,
        "test_error": test_error,
        "sign_in_form": sign_in_form or WeblinkSignInForm(prefix="signin"),
        "token_form": token_form or WeblinkTokenForm(prefix="token"),
    }
    return render(request, "connection.html", context, status=status)


@require_GET
def connection_page(request: HttpRequest) -> HttpResponse:
    return _render_page(request)


@sensitive_post_parameters("signin-password", "token-token")
@require_POST
def connection_sign_in(request: HttpRequest) -> HttpResponse:
    form = WeblinkSignInForm(request.POST, prefix="signin")
    if form.is_valid():
        try:
            services.connection_sign_in(user=request.user, **form.cleaned_data)
        except TooManyAttempts as error:
            form.add_error(None, error.message)
            return _render_page(request, sign_in_form=form, status=429)
        except TwoFactorRequired:
            # Weblink answers 402 for a code missing, wrong or expired alike: what the person
            # typed tells them apart.
            if form.cleaned_data["tfa"]:
                form.add_error(
                    "tfa",
                    _(
                        "Weblink did not accept this code: it may be wrong or expired. Enter the "
                        "code your app shows now."
                    ),
                )
            else:
                form.add_error("tfa", _("Enter the current two-factor code."))
        except TokenRejected:
            form.add_error(None, _("Wrong user name or password."))
        except WeblinkError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Connected to Weblink."))
            return redirect("connection")
    # The password is never sent back, so its box is empty again: say so at the box.
    form["password"].help_text = _("The password box was cleared: enter it again.")
    return _render_page(request, sign_in_form=form, status=400)


@sensitive_post_parameters("signin-password", "token-token")
@require_POST
def connection_save_token(request: HttpRequest) -> HttpResponse:
    form = WeblinkTokenForm(request.POST, prefix="token")
    if form.is_valid():
        try:
            services.connection_save_token(user=request.user, **form.cleaned_data)
        except TooManyAttempts as error:
            form.add_error(None, error.message)
            return _render_page(request, token_form=form, status=429)
        except TokenRejected:
            form.add_error("token", _("Weblink did not accept this token."))
        except WeblinkError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Connected to Weblink."))
            return redirect("connection")
    return _render_page(request, token_form=form, status=400)


@require_POST
def connection_test(request: HttpRequest) -> HttpResponse:
    """Tests the token; a failure shows in the state on the page, not only as a message."""
    try:
        services.connection_test(connection=request.weblink_connection.get())
    except WeblinkError as error:
        # A refused token has already marked the connection expired; any other failure is
        # shown as the state for now, as nothing is stored for it.
        return _render_page(request, test_error=error.message, status=200)
    messages.success(
        request,
        _("The connection to %(company)s works: Weblink accepted the token.")
        % {"company": request.weblink_connection.company},
    )
    return redirect("connection")


@require_http_methods(["GET", "POST"])
def connection_disconnect(request: HttpRequest) -> HttpResponse:
    """GET asks first; POST removes the connection of the URL's company."""
    if request.method == "GET":
        context = {"connection": request.weblink_connection.get()}
        return render(request, "connection_disconnect.html", context)
    company = request.weblink_connection.company
    services.connection_disconnect(user=request.user, company=company)
    messages.success(
        request,
        _("Disconnected from %(company)s. Its stored tokens are removed.") % {"company": company},
    )
    return redirect("connection")
