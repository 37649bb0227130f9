"""The translation catalogue translates each message once (GNU msgfmt refuses a file that does not)."""

from __future__ import annotations

import polib

from laobing.compile_messages import ZH_PO, duplicates


def test_the_catalogue_translates_each_message_once() -> None:
    assert duplicates(polib.pofile(str(ZH_PO))) == []


def test_a_message_translated_twice_is_found() -> None:
    catalogue = polib.POFile()
    for text in ("甲", "乙"):
        catalogue.append(polib.POEntry(msgid="Program", msgstr=text))
    catalogue.append(polib.POEntry(msgid="Program", msgstr="丙", msgctxt="menu"))
    assert duplicates(catalogue) == ["Program"]
