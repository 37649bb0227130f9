"""Cases, tasks, attachments and notifications in a region, for the generated access test."""

from __future__ import annotations

import tempfile

from accounts.testing import Network, sample
from cases.tests.samples import life_case_in
from core.models import Notification
from petitions.tests.samples import petition_in
from regions.models import Region
from workflow.models import Attachment, Case, Task


@sample(Case)
def case_in(net: Network, region: Region) -> Case:
    return petition_in(net, region).case


@sample(Task)
def town_task_in(net: Network, region: Region) -> Task:
    """The town station's task of a 一件事 case: acted on by the town's staff, seen by whoever sees the case."""
    return life_case_in(net, region).case.tasks.get(role="town_staff")


@sample(Attachment)
def attachment_in(net: Network, region: Region) -> Attachment:
    case = case_in(net, region)
    with tempfile.NamedTemporaryFile(delete=False, suffix=".txt") as stored:
        stored.write(b"letter")
    return Attachment.objects.create(
        case=case, name="来信.txt", stored_path=stored.name, size=6, sha256="0" * 64,
        content_type="text/plain", uploaded_by=net.users["city_admin"],
    )  # fmt: skip


@sample(Notification)
def notification_in(net: Network, region: Region) -> Notification:
    """A notification of the town staff whose town holds the region."""
    user = net.users["town_staff" if region.code.startswith(net.danghu.prefix) else "other_town_staff"]
    return Notification.objects.create(user=user, key=f"sample:{region.code}", title="新待办", url="/tasks/")
