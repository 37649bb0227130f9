"""Load the Pinghu demo: the service network on the official division codes, synthetic veterans, one
user per role. Idempotent. ``--province`` (or more than 100,000 veterans) loads all of Zhejiang's
towns and villages too, with the veterans spread over them."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.models import User
from accounts.roles import Department, Role
from audit.services import audit_record
from core.context import batch
from petitions.demo import load_workflow_demo
from regions.demo import CITY_CODE, StaleNetwork, load_network
from regions.models import GridLeaderTerm, Region
from veterans.demo import PROVINCE_ABOVE, load_veterans


def demo_users(network: Any) -> list[tuple[str, str, str, str, str]]:
    """(username, display name, role, scope code, department)"""
    danghu = network.town_codes["当湖街道"]
    zhapu = network.town_codes["乍浦镇"]
    return [
        ("city_admin", "市局管理员", Role.CITY_ADMIN, CITY_CODE, ""),
        ("city_staff", "市局工作人员", Role.CITY_STAFF, CITY_CODE, ""),
        ("town_danghu", "当湖街道服务站", Role.TOWN_STAFF, danghu, ""),
        ("town_zhapu", "乍浦镇服务站", Role.TOWN_STAFF, zhapu, ""),
        (f"village_{network.first_village}", "村社区服务站", Role.VILLAGE_STAFF, network.first_village, ""),
        (f"grid_{network.first_grid}", "网格班长", Role.GRID_LEADER, network.first_grid, ""),
        ("liaison_police", "公安联络员", Role.LIAISON, CITY_CODE, Department.POLICE),
        ("liaison_hrss", "人社联络员", Role.LIAISON, CITY_CODE, Department.HRSS),
        ("liaison_medical", "医保联络员", Role.LIAISON, CITY_CODE, Department.MEDICAL_INSURANCE),
        ("liaison_civil", "民政联络员", Role.LIAISON, CITY_CODE, Department.CIVIL_AFFAIRS),
        ("liaison_armed", "人武部联络员", Role.LIAISON, CITY_CODE, Department.ARMED_FORCES),
        ("auditor", "纪检审计", Role.AUDITOR, CITY_CODE, ""),
        ("employer_demo", "拥军企业示例", Role.EMPLOYER, CITY_CODE, ""),
        ("veteran_demo", "退役军人示例", Role.VETERAN, network.first_village, ""),
    ]


class Command(BaseCommand):
    help = "Load the Pinghu demo data (idempotent) and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", help="give every demo user this password (else random ones)")
        parser.add_argument("--veterans", type=int, default=20000,
                            help="how many synthetic veterans the registry should hold (default 20,000)")  # fmt: skip
        parser.add_argument("--province", action="store_true",
                            help=f"load every town and village of Zhejiang and spread the veterans over them "
                                 f"(implied above {PROVINCE_ABOVE:,} veterans)")  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        password = options.get("password")
        if password:
            try:
                validate_password(password)
            except ValidationError as exc:
                raise CommandError("密码不符合要求 / password rejected: " + " ".join(exc.messages)) from exc
        count = options["veterans"]
        province = options["province"] or count > PROVINCE_ABOVE
        try:
            network = load_network(province=province)
        except StaleNetwork as exc:
            raise CommandError(str(exc)) from exc
        for what, n in network.created.items():
            self.stdout.write(f"  + {n} {what}")
        added = load_veterans(count, province=province, stdout=self.stdout if count > 50000 else None)
        if added:
            self.stdout.write(f"  + {added} veterans")
        logins = self._users(network, password)
        users = {u.username: u for u in User.objects.filter(username__in=[x[0] for x in demo_users(network)])}
        cases = load_workflow_demo(users, network.town_codes["当湖街道"], network.first_village)
        if cases:
            self.stdout.write(f"  + {cases} petitions and 一件事 cases")
        from benefits.demo import load_benefits_demo  # after the petitions: they load only into a caseless demo

        for what, n in load_benefits_demo(users, stdout=self.stdout if count > 50000 else None).items():
            self.stdout.write(f"  + {n} {what}")
        from points.demo import load_points_demo  # after the benefits: a sample of Pinghu's veterans

        for what, n in load_points_demo(users, network.first_village).items():
            self.stdout.write(f"  + {n} {what}")
        from aid.demo import load_aid_demo  # hardship aid for the first village's veterans

        for what, n in load_aid_demo(users, network.first_village).items():
            self.stdout.write(f"  + {n} {what}")
        from care.demo import load_care_demo  # a year of visits over Pinghu, needs at every stage

        for what, n in load_care_demo(users, network.first_village).items():
            self.stdout.write(f"  + {n} {what}")
        from martyrs.demo import load_martyrs_demo  # after care's: martyrs, their families and facilities

        for what, n in load_martyrs_demo(users, network.first_village).items():
            self.stdout.write(f"  + {n} {what}")
        from campaigns.demo import load_campaigns_demo  # after care's: the festival campaigns over the 优抚对象

        for what, n in load_campaigns_demo(users).items():
            self.stdout.write(f"  + {n} {what}")
        call_command("cockpit_rebuild", stdout=self.stdout)  # after every module's data: the cockpit shows it at once
        self.stdout.write(self.style.SUCCESS("演示账号 / demo logins:"))
        width = max(len(u) for u, _ in logins)
        for username, pw in logins:
            self.stdout.write(f"  {username.ljust(width)}  {pw}")
        own = User.objects.filter(username="veteran_demo").exclude(phone="").first()
        if own is not None:
            self.stdout.write(f"老兵e家 /me/sign-in/ 手机号 / mobile of veteran_demo: {own.phone} "
                              "(验证码见服务器日志 / the SMS code is in the server's log)")  # fmt: skip

    @transaction.atomic
    def _users(self, network: Any, password: str | None) -> list[tuple[str, str]]:
        regions = {r.code: r for r in Region.objects.filter(code__in=[u[3] for u in demo_users(network)])}
        logins = []
        with batch():
            for username, display, role, scope, department in demo_users(network):
                user, created = User.objects.get_or_create(
                    username=username,
                    defaults={
                        "display_name": display,
                        "role": role,
                        "scope_region": regions[scope],
                        "department": department,
                    },
                )
                pw = password or secrets.token_urlsafe(12)
                user.set_password(pw)
                user.is_active = True
                user.save()
                audit_record(
                    actor=None,
                    action="demo.user_create" if created else "demo.user_reset",
                    obj=user,
                    region_code=scope,
                    after={"role": role, "scope": scope, "department": department},
                )
                logins.append((username, pw))
            grid_user = User.objects.get(username=f"grid_{network.first_grid}")
            GridLeaderTerm.objects.filter(
                grid__code=network.first_grid, end_date__isnull=True, user__isnull=True
            ).update(user=grid_user)
        return logins
