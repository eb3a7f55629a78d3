from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from segur_funding.referential.selectors import dsr_list


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/home.html", {"dsrs": dsr_list()})
