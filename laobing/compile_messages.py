"""Compile the .po catalogues to .mo with polib, so setup needs no GNU gettext.

Enumeration labels whose Chinese term is declared beside the code
(``veterans.choices``) are written into the zh-hans catalogue first, so the
term lives in one place and the catalogue cannot drift from it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
ZH_PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def declared_terms() -> list[tuple[str, str]]:
    sys.path.insert(0, str(ROOT))
    from veterans import choices

    tables = [value for name, value in vars(choices).items() if name.isupper() and isinstance(value, list)]
    return [(en, zh) for table in tables for row in table if isinstance(row, tuple) and len(row) == 3
            for _code, en, zh in [row]]  # fmt: skip


def sync_terms(po_path: Path = ZH_PO) -> int:
    """Add or correct the zh-hans entry of every declared enumeration label; return how many changed."""
    catalogue = polib.pofile(str(po_path))
    changed = 0
    for english, chinese in declared_terms():
        entry = catalogue.find(english)
        if entry is None:
            catalogue.append(polib.POEntry(msgid=english, msgstr=chinese, comment="veterans/choices.py"))
            changed += 1
        elif entry.msgstr != chinese or "fuzzy" in entry.flags:
            entry.msgstr = chinese
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            changed += 1
    if changed:
        catalogue.save(str(po_path))
    return changed


def duplicates(catalogue: polib.POFile) -> list[str]:
    """The messages a catalogue translates twice (GNU msgfmt refuses such a file; polib would keep the last)."""
    seen: set[tuple[str, str]] = set()
    twice = []
    for entry in catalogue:
        key = (entry.msgctxt or "", entry.msgid)
        if key in seen:
            twice.append(entry.msgid)
        seen.add(key)
    return twice


def main() -> int:
    if ZH_PO.exists():
        sync_terms()
    count = 0
    for po_path in sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po")):
        catalogue = polib.pofile(str(po_path))
        twice = duplicates(catalogue)
        if twice:
            print(f"{po_path}: translated twice: " + "; ".join(twice[:10]), file=sys.stderr)
            return 1
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        catalogue.save_as_mofile(str(mo_path))
        count += 1
    if count:
        print(f"compiled {count} message catalogue(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
