"""The baseline view: the API's query for one town and one search, as a minimal Django view would run it."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from veterans.models import Veteran
from veterans.search import search_q

COLUMNS = ["id", "name", "gender", "birth_date", "region_code", "discharge_type", "status"]


def veterans(request: HttpRequest) -> JsonResponse:
    qs = Veteran.objects.filter(region_code__startswith=request.GET.get("region", ""))
    condition = search_q(request.GET.get("q", ""))
    if condition is not None:
        qs = qs.filter(condition)
    rows = list(qs.order_by("-id").values(*COLUMNS)[:50])
    return JsonResponse({"items": rows}, json_dumps_params={"ensure_ascii": False})


urlpatterns = [path("veterans", veterans)]
