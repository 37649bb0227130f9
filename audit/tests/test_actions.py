"""Every audit action code the project writes has words in audit.actions, shown on the page and in the API."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.db import transaction

from audit.actions import LABELS, action_label
from audit.services import audit_record
from core.exports import EXPORTS
from core.imports import REGISTERS
from workflow.registry import PROCESSES

REPO = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {".venv", "tests", "bench", "e2e", "kit_tests", "migrations", "node_modules"}
#: The writers whose ``action`` is an audit action code (``core.import_jobs._audit`` prefixes ``import.``).
WRITERS = {"audit_record"}
#: Codes built from a declaration, by their f-string: each family is checked over the declarations below.
FAMILIES = {"{process.key}.open", "{process.key}.{chosen.key}", "{locked.process}.withdraw", "import.{action}",
            "{register.name}.import", "export.audit_action"}  # fmt: skip


def _sources() -> list[Path]:
    return [p for p in REPO.rglob("*.py") if not SKIPPED_DIRS & set(p.relative_to(REPO).parts)]


def _name(node: ast.expr) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def written_codes() -> tuple[set[str], set[str]]:
    """The literal codes passed to the audit writer anywhere in the project, and the f-strings that build codes."""
    literal: set[str] = set()
    built: set[str] = set()
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            if _name(node.func) == "_audit" and path.name == "import_jobs.py" and len(node.args) > 1:
                if isinstance(node.args[1], ast.Constant):
                    literal.add(f"import.{node.args[1].value}")
                continue
            if _name(node.func) not in WRITERS:
                continue
            for keyword in node.keywords:
                if keyword.arg != "action":
                    continue
                _collect(keyword.value, literal, built)
    return literal, built


def _collect(value: ast.expr, literal: set[str], built: set[str]) -> None:
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        literal.add(value.value)
    elif isinstance(value, ast.IfExp):
        _collect(value.body, literal, built)
        _collect(value.orelse, literal, built)
    elif isinstance(value, ast.JoinedStr):
        built.add(ast.unparse(value)[2:-1])
    else:
        built.add(ast.unparse(value))


def test_the_scan_finds_the_writers():
    literal, built = written_codes()
    assert {"auth.login", "veteran.reveal_id", "case.view_person", "import.upload", "audit.verify"} <= literal
    assert built


def test_every_literal_action_code_has_a_label():
    literal, _built = written_codes()
    assert sorted(code for code in literal if action_label(code) is None) == []


def test_every_code_built_from_a_declaration_is_of_a_known_family_and_has_a_label():
    _literal, built = written_codes()
    assert built <= FAMILIES, f"a new family of action codes: word it in audit.actions ({built - FAMILIES})"
    codes = {f"{name}.import" for name in REGISTERS} | {export.audit_action for export in EXPORTS.values()}
    for process in PROCESSES.values():
        codes |= {f"{process.key}.open", f"{process.key}.withdraw"}
        codes |= {f"{process.key}.{action.key}" for step in process.steps for action in step.actions}
    assert sorted(code for code in codes if action_label(code) is None) == []


def test_labels_are_in_chinese():
    assert action_label("auth.login") == "登录"
    assert action_label("veteran.reveal_id") == "查看完整身份证号"
    assert action_label("petition.open") == "信访：立案"
    assert action_label("veteran.import") == "退役军人名册：批量导入"
    assert action_label("nothing.known") is None
    assert all(str(label) != code for code, label in LABELS.items())


@pytest.mark.django_db
def test_the_page_shows_the_label_with_the_code_as_its_tooltip(net):
    with transaction.atomic():
        entry = audit_record(actor=None, action="veteran.reveal_id", object_type="t", object_id="1",
                             region_code=net.danghu.code)  # fmt: skip
    client = net.client("auditor")
    listing = client.get("/audit/").content.decode()
    assert '<span title="veteran.reveal_id">查看完整身份证号</span>' in listing
    detail = client.get(f"/audit/{entry.seq}/").content.decode()
    assert "查看完整身份证号" in detail and "<code>veteran.reveal_id</code>" in detail
    item = net.api_client("auditor").get("/api/v1/audit", {"action": "veteran."}).json()["items"][0]
    assert (item["action"], item["action_label"]) == ("veteran.reveal_id", "查看完整身份证号")


@pytest.mark.django_db
def test_a_code_without_words_is_shown_as_it_is(net):
    with transaction.atomic():
        audit_record(actor=None, action="sample.write", object_type="t", object_id="1", region_code=net.danghu.code)
    assert '<span title="sample.write">sample.write</span>' in net.client("auditor").get("/audit/").content.decode()


@pytest.mark.django_db
def test_the_action_filter_offers_the_codes_by_their_words(net):
    page = net.client("auditor").get("/audit/").content.decode()
    assert '<option value="auth.login">登录</option>' in page


@pytest.mark.django_db
def test_the_action_filter_offers_the_codes_built_from_declarations_too(net):
    from audit.actions import action_choices

    codes = {code for _words, code in action_choices()}
    assert {"petition.open", "payment_batch.approve", "entitlement.approve", "veteran.import"} <= codes
    page = net.client("auditor").get("/audit/").content.decode()
    assert '<option value="payment_batch.approve">' in page
