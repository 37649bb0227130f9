"""A visit (with a photo), and a need in a region, for the generated access test."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from accounts.testing import Network, sample
from care.models import Need, Visit, VisitPhoto
from care.tests.helpers import log, raise_need
from regions.models import Region
from veterans.tests.factories import register as register_veteran


@sample(Visit)
def visit_in(net: Network, region: Region) -> Visit:
    veteran = register_veteran(net.users["city_staff"], region)
    return log(net.users["city_staff"], veteran)


@sample(VisitPhoto)
def photo_in(net: Network, region: Region) -> VisitPhoto:
    visit = visit_in(net, region)
    folder = Path(settings.ATTACHMENT_DIR) / "care" / str(visit.pk)
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / "sample.png"
    stored.write_bytes(b"\x89PNG\r\n\x1a\n")
    return VisitPhoto.objects.create(visit=visit, name="sample.png", stored_path=str(stored), size=8, sha256="0" * 64,  # type: ignore[no-any-return]
                                     content_type="image/png")  # fmt: skip


@sample(Need)
def need_in(net: Network, region: Region) -> Need:
    veteran = register_veteran(net.users["city_staff"], region)
    return raise_need(net.users["city_staff"], veteran)
