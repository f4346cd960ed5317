"""A URLconf whose one view fails while a person's token is in scope."""

from django.urls import path

from reports_admin.connection.selectors import connection_get


def fail_with_token(request):
    token = connection_get(user=request.user, company="demo").access_token  # noqa: F841 (in scope on purpose)
    raise RuntimeError("something broke while a token was in scope")


urlpatterns = [path("fail/", fail_with_token)]
