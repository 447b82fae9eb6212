"""Linear time on hostile text: each stage (clean, segment, every extractor) on pathological
inputs at two sizes; the ratio of times should stay near the ratio of sizes (4x here).

    PYTHONPATH=src python bench/scaling.py [--small 50000] [--factor 4] [--only NAME]

A ratio far above the size ratio is a superlinear step. Results: docs/reliability.md.
"""
from __future__ import annotations

import argparse
import time

from marsad.ingest.clean import clean_page
from marsad.ingest.read import IngestError, RawDoc
from marsad.pipeline import article_components
from marsad.ingest.build import build_article
from marsad.text.normalize import normalize, normalize_with_map
from marsad.text.segment import clauses, paragraphs, sentences

SENT = "قال الرئيس الأمريكي دونالد ترامب إن وزير الخارجية سيزور موسكو في 3 ديسمبر 2025، وفق وكالة رويترز."

# name -> text of about n characters
SHAPES = {
    "prose": lambda n: (SENT + " ") * (n // len(SENT)),
    "one sentence, no marks": lambda n: (SENT.replace(".", "").replace("،", "") + " و") * (n // len(SENT)),
    "one word": lambda n: "ا" * n,
    "open quotes": lambda n: ("«" + SENT[:40] + " ") * (n // 42),
    "straight quotes": lambda n: ('"' + SENT[:30] + " ") * (n // 32),
    "dots": lambda n: "." * n,
    "digits": lambda n: ("123.456,789 " * (n // 12)),
    "names": lambda n: ("دونالد ترامب وفلاديمير بوتين " * (n // 30)),
    "said": lambda n: ("وقال بوتين إن " * (n // 14)),
    "short lines": lambda n: ("سطر قصير\n" * (n // 9)),
    "dates": lambda n: ("3 ديسمبر 2025 " * (n // 14)),
}


def run_stages(components, text: str) -> dict[str, float]:
    """Seconds per stage on ``text``: the text primitives, then build and each component in
    pipeline order on the same article."""
    times = {}
    for name, fn in (
        ("clean", clean_page), ("normalize", normalize), ("normalize_with_map", normalize_with_map),
        ("segment", lambda t: [clauses(t, s.start, s.end) for p in paragraphs(t) for s in sentences(t, p.start, p.end)]),
    ):
        t0 = time.perf_counter()
        fn(text)
        times[name] = time.perf_counter() - t0
    t0 = time.perf_counter()
    item = build_article(RawDoc("x.txt", "text", "عنوان الخبر هنا اليوم\n\n" + text))
    times["build"] = time.perf_counter() - t0
    for c in components:
        if isinstance(item, IngestError):
            break
        t0 = time.perf_counter()
        item = c(item)
        times[type(c).__name__] = time.perf_counter() - t0
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", type=int, default=50_000)
    ap.add_argument("--factor", type=int, default=4)
    ap.add_argument("--only")
    args = ap.parse_args()
    components = article_components()
    run_stages(components, SENT * 3)  # load models
    print(f"| input | stage | {args.small:,} chars (s) | {args.small * args.factor:,} chars (s) | ratio |")
    print("|---|---|---|---|---|")
    for shape, make in SHAPES.items():
        if args.only and args.only not in shape:
            continue
        small = run_stages(components, make(args.small))
        big = run_stages(components, make(args.small * args.factor))
        for name in small:
            a, b = small[name], big.get(name, 0.0)
            flag = " ⚠" if b > 0.05 and b / max(a, 1e-3) > args.factor * 2 else ""
            print(f"| {shape} | {name} | {a:.3f} | {b:.3f} | {b / max(a, 1e-3):.1f}{flag} |", flush=True)


if __name__ == "__main__":
    main()
