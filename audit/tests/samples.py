"""An audit entry in a region, for the generated access test."""

from __future__ import annotations

from django.db import transaction

from accounts.testing import Network, sample
from audit.models import AuditEntry
from audit.services import audit_record
from regions.models import Region


@sample(AuditEntry)
def entry_in(net: Network, region: Region) -> AuditEntry:
    with transaction.atomic():
        return audit_record(actor=net.users["city_admin"], action="sample.write", object_type="sample",
                            object_id="1", region_code=region.code)  # fmt: skip
