"""A request to correct a record in a region, for the generated access test."""

from __future__ import annotations

from accounts.models import User
from accounts.roles import Role
from accounts.testing import Network, sample
from portal.corrections import CorrectionInput, correction_request
from portal.models import Correction
from regions.models import Region
from veterans.tests.factories import register as register_veteran


@sample(Correction)
def correction_in(net: Network, region: Region) -> Correction:
    veteran = register_veteran(net.users["city_staff"], region)
    own = User.objects.create(username=f"v{veteran.pk}", role=Role.VETERAN, scope_region=region, veteran=veteran)
    return correction_request(actor=own, veteran_id=veteran.pk, data=CorrectionInput("address", "新仓镇三叉河村5组"))
