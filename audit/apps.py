from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from audit.services import audit_record
        from core import auditing
        from core import navigation as nav

        auditing.use_writer(audit_record)

        nav.register(nav.NavEntry(_("Audit log"), "audit:list", "audit.view", 90))

        from django.conf import settings

        from audit.tasks import anchor_audit_head
        from core import periodic

        periodic.register("anchor_audit_head", anchor_audit_head, lambda: float(settings.AUDIT_ANCHOR_SECONDS))
