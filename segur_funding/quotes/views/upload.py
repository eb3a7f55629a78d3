"""The lab uploads a PDF quote it received elsewhere; it is kept and checked in the background."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from segur_funding.core.errors import DomainError
from segur_funding.organizations.selectors import user_clients

from .. import services
from ..forms import UploadForm
from ..selectors import lab_for_upload
from .common import roles


def _bound(request: HttpRequest) -> tuple:
    """Form arguments: bound on POST (even an empty one), unbound otherwise."""
    if request.method == "POST":
        return (request.POST, request.FILES)
    return ()


@login_required
def lab_upload(request: HttpRequest) -> HttpResponse:
    clients = user_clients(user=request.user)
    if not clients.exists():
        raise Http404
    form = UploadForm(*_bound(request), clients=clients)
    # A member of several labs chooses one in the form (the API asks the same), never the first.
    lab = None if "client" in form.fields else lab_for_upload(user=request.user, client_id=None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            chosen = data.get("client")
            lab = lab_for_upload(user=request.user, client_id=chosen.pk if chosen else None)
            quote = services.quote_upload(
                user=request.user,
                client=lab,
                file=data["file"],
                dsr=data["dsr"],
                editor_name=data["editor_name"],
                order_date=data["order_date"],
                signature_date=data["signature_date"],
                referenced_on=data["referenced_on"],
                proofs_complete_on=data["proofs_complete_on"],
            )
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("quotes:lab_detail", pk=quote.pk)
    return render(request, "quotes/lab_upload.html", {"form": form, "lab": lab, **roles(request)})
