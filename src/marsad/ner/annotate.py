"""Tooling for the in-domain NER set: select articles, pre-fill work files, convert corrections.

    python -m marsad.ner.annotate select            # writes data/ner/indomain/selection.jsonl
    python -m marsad.ner.annotate prefill WORKDIR   # writes WORKDIR/batch_*.jsonl (with text)
    python -m marsad.ner.annotate convert FILE…     # corrected work files → ids + offsets
    python -m marsad.ner.annotate check FILE…       # convert without writing: every error listed

Work files carry article text, so they live outside the repository; the repository gets ids,
offsets and types only (:mod:`marsad.ner.indomain`). Guidelines: docs/models/annotation.md.

A work record shows the title and the text region with the pre-filled spans inline,
``[[PER#3 زيلينسكي]]``. An annotator corrects it either

* by editing ``title_inline`` / ``text_inline`` (move, add or delete ``[[TYPE text]]`` marks;
  the ``#n`` is optional; the text outside the marks must stay exactly as it is), or
* by adding ``"edits": [...]`` to the record, applied to the numbered pre-filled spans:
  ``"-3"`` delete span 3; ``"3=ORG"`` retype it; ``"3>بوتين"`` shrink or grow it to the given
  surface at the same place; ``"+PER زيلينسكي"`` add a span at every word-aligned occurrence
  (title first, then text) not already inside a span; ``"+PER زيلينسكي @2"`` only at the 2nd
  such occurrence. ``"edits": []`` accepts the pre-fill as it is.

Every span is verified against the corpus text: it must read exactly its surface, start at a
word start or after proclitics only (و ف ب ل ك س, "لل"), end at a word end, not overlap another.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import random
import re
import sys
from collections import defaultdict

from marsad.ner import indomain
from marsad.ner.indomain import FIELDS, TYPES, region_end, sha1
from marsad.resources import data_path

SEED = 14
N_ANT, N_SNN = 400, 100
MIN_TEXT = 500  # an article shorter than this gives too small a region to be worth reading
SPLITS = (("train", 0.60), ("dev", 0.15), ("test", 0.25))
N_A = 200  # ANT items 0..199 are annotator A's; 200..399 and all SNN annotator B's
N_SECOND = 50  # items of A's share that B re-annotates independently
BATCH = 25
_MARK = re.compile(r"\[\[(PER|ORG|LOC)(?:#\d+)? ((?:(?!\]\]).)+?)\]\]")
_PROCLITICS = set("وفبلكسـ")  # with the tatweel of "لـ"


def selection_path() -> str:
    return str(data_path("ner/indomain/selection.jsonl"))


# ---------------------------------------------------------------- selection

def _quotas(keys: list, total: int) -> dict:
    """``total`` spread evenly over ``keys`` (sorted), the remainder to the first ones."""
    q, r = divmod(total, len(keys))
    return {k: q + (1 if i < r else 0) for i, k in enumerate(sorted(keys))}


def _sample(strata: dict, total: int, seed: str) -> list[dict]:
    """An even stratified sample: each stratum gets its quota (capped at its size); what a small
    stratum cannot give goes to the others in turn."""
    quotas = _quotas(list(strata), total)
    short = sum(max(0, quotas[k] - len(v)) for k, v in strata.items())
    for k in sorted(strata, key=lambda k: -len(strata[k])):
        if short <= 0:
            break
        room = len(strata[k]) - quotas[k]
        if room > 0:
            add = min(room, short)
            quotas[k] += add
            short -= add
    out = []
    for k in sorted(strata):
        items = sorted(strata[k], key=lambda r: r["id"])
        out += random.Random(f"{seed}:{k}").sample(items, min(quotas[k], len(items)))
    return out


def _candidates(path: str, key) -> dict:
    """Records long enough, one per title and per opening (syndicated copies are dropped),
    grouped by ``key(record)``."""
    strata: dict = defaultdict(list)
    seen: set = set()
    for rec in indomain.read_records(path):
        text, title = rec.get("text") or "", (rec.get("title") or "").strip()
        if len(text) < MIN_TEXT or not title:
            continue
        opening = re.sub(r"\W+", "", text[:300])
        if title in seen or opening in seen:
            continue
        seen.update((title, opening))
        strata[key(rec)].append({"id": rec["id"], "title": rec.get("title") or "", "text": text})
    return strata


def select(corpus_dir: str = indomain.DEFAULT_CORPUS_DIR) -> list[dict]:
    """The deterministic selection: 400 ANT articles (80 per outlet, evenly over its sections)
    and 100 SaudiNewsNet articles (evenly over outlets), each with its region, hashes, split,
    annotator and whether it is in the second pass."""
    out = []
    for corpus, n, key in (
        ("ant", N_ANT, None),
        ("snn", N_SNN, lambda r: r["outlet"]),
    ):
        path = os.path.join(corpus_dir, indomain.CORPORA[corpus])
        if corpus == "ant":
            by_outlet: dict = defaultdict(dict)
            for k, v in _candidates(path, lambda r: (r["outlet"], r["section"])).items():
                by_outlet[k[0]][k[1]] = v
            picked = []
            for outlet, q in _quotas(list(by_outlet), n).items():
                picked += _sample(by_outlet[outlet], q, f"{SEED}:{outlet}")
        else:
            picked = _sample(_candidates(path, key), n, f"{SEED}:snn")
        random.Random(f"{SEED}:order:{corpus}").shuffle(picked)
        order = list(range(len(picked)))
        random.Random(f"{SEED}:split:{corpus}").shuffle(order)
        split_of = {}
        lo = 0
        for name, share in SPLITS:
            hi = len(order) if name == SPLITS[-1][0] else lo + round(share * len(order))
            for i in order[lo:hi]:
                split_of[i] = name
            lo = hi
        second = set(random.Random(f"{SEED}:second").sample(range(N_A), N_SECOND)) if corpus == "ant" else set()
        for i, rec in enumerate(picked):
            end = region_end(rec["text"])
            out.append({
                "corpus": corpus, "id": rec["id"], "n": i, "split": split_of[i],
                "annotator": "A" if corpus == "ant" and i < N_A else "B",
                "second_pass": i in second,
                "region_end": end, "text_sha1": sha1(rec["text"][:end]), "title_sha1": sha1(rec["title"]),
            })
    return out


# ---------------------------------------------------------------- inline form

def to_inline(text: str, spans: list[dict]) -> str:
    parts, pos = [], 0
    for s in sorted(spans, key=lambda s: s["start"]):
        parts += [text[pos:s["start"]], f"[[{s['type']}#{s['n']} {text[s['start']:s['end']]}]]"]
        pos = s["end"]
    return "".join(parts + [text[pos:]])


def from_inline(inline: str) -> tuple[str, list[tuple[int, int, str]]]:
    """(plain text, [(start, end, type)]) of an inline-marked string."""
    parts, spans, pos, n = [], [], 0, 0
    for m in _MARK.finditer(inline):
        parts.append(inline[pos:m.start()])
        n += m.start() - pos
        surface = m.group(2)
        spans.append((n, n + len(surface), m.group(1)))
        parts.append(surface)
        n += len(surface)
        pos = m.end()
    parts.append(inline[pos:])
    return "".join(parts), spans


# ---------------------------------------------------------------- verification

def _word_bounds(text: str) -> tuple[set[int], set[int]]:
    """(allowed span starts, allowed span ends) in ``text``."""
    from marsad.ner.tokenize import tokenize

    starts, ends = set(), set()
    for t in tokenize(text):
        ends.add(t.end)
        starts.add(t.start)
        if t.text.startswith("#"):
            starts.add(t.start + 1)
        # after proclitics only: "وبوتين" → "بوتين", "للكرملين" → "كرملين"
        for i in range(1, min(4, len(t.text) - 1)):
            if t.text[i - 1] not in _PROCLITICS:
                break
            starts.add(t.start + i)
    return starts, ends


def verify(text: str, spans: list[tuple[int, int, str]], where: str) -> list[str]:
    """Problems with ``spans`` on ``text`` (empty when all is well)."""
    errors = []
    starts, ends = _word_bounds(text)
    last_end = -1
    for s, e, t in sorted(spans):
        surface = text[s:e]
        label = f"{where}: {t} {surface!r} [{s}:{e}]"
        if t not in TYPES:
            errors.append(f"{label}: unknown type")
        if not surface or surface != surface.strip():
            errors.append(f"{label}: empty or spaces at an edge")
        if s not in starts:
            errors.append(f"{label}: does not start at a word start (or after proclitics)")
        if e not in ends:
            errors.append(f"{label}: does not end at a word end")
        if s < last_end:
            errors.append(f"{label}: overlaps the previous span")
        last_end = max(last_end, e)
    return errors


# ---------------------------------------------------------------- edits

_EDIT = re.compile(r"^(?:-(\d+)|(\d+)=(PER|ORG|LOC)|(\d+)>(.+)|\+(PER|ORG|LOC) (.+?)(?: @(\d+))?)$")


def apply_edits(fields: dict[str, str], prefill: list[dict], edits: list[str], where: str):
    """Spans per field after ``edits`` on the numbered ``prefill``; (spans, errors)."""
    by_n = {s["n"]: dict(s) for s in prefill}
    errors, adds = [], []
    for raw in edits:
        m = _EDIT.match(raw.strip())
        if not m:
            errors.append(f"{where}: cannot read edit {raw!r}")
            continue
        d, rn, rt, xn, xs, at, asurf, ak = m.groups()
        n = int(d or rn or xn or -1)
        if (d or rn or xn) and n not in by_n:
            errors.append(f"{where}: edit {raw!r}: no span #{n}")
            continue
        if d:
            del by_n[n]
        elif rn:
            by_n[n]["type"] = rt
        elif xn:
            s = by_n[n]
            text = fields[s["field"]]
            hits = [i for i in _finds(text, xs.strip()) if i < s["end"] and s["start"] < i + len(xs.strip())]
            if not hits:
                errors.append(f"{where}: edit {raw!r}: {xs.strip()!r} does not overlap span #{n}")
                continue
            i = min(hits, key=lambda i: abs(i - s["start"]))
            s["start"], s["end"] = i, i + len(xs.strip())
        else:
            adds.append((at, asurf.strip(), int(ak) if ak else None, raw))
    spans = {f: [(s["start"], s["end"], s["type"]) for s in by_n.values() if s["field"] == f] for f in FIELDS}
    for t, surface, k, raw in adds:
        found = []
        for f in FIELDS:
            text = fields[f]
            starts, ends = _word_bounds(text)
            for i in _finds(text, surface):
                j = i + len(surface)
                if i in starts and j in ends and not any(a < j and i < b for a, b, _ in spans[f]):
                    found.append((f, i, j))
        if not found or (k is not None and k > len(found)):
            errors.append(f"{where}: edit {raw!r}: no free word-aligned occurrence"
                          + (f" number {k}" if k else ""))
            continue
        for f, i, j in ([found[k - 1]] if k else found):
            spans[f].append((i, j, t))
    return spans, errors


def _finds(text: str, sub: str):
    i = text.find(sub)
    while i >= 0:
        yield i
        i = text.find(sub, i + 1)


# ---------------------------------------------------------------- prefill / convert

def _selection() -> list[dict]:
    with open(selection_path(), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _records(sel: list[dict], corpus_dir: str) -> dict:
    recs = {}
    for corpus in indomain.CORPORA:
        ids = {s["id"] for s in sel if s["corpus"] == corpus}
        if ids:
            for r in indomain.read_records(os.path.join(corpus_dir, indomain.CORPORA[corpus]), ids):
                recs[(corpus, r["id"])] = r
    return recs


def _batches(sel: list[dict]) -> dict[str, list[dict]]:
    ant_a = [s for s in sel if s["corpus"] == "ant" and s["annotator"] == "A"]
    ant_b = [s for s in sel if s["corpus"] == "ant" and s["annotator"] == "B"]
    snn = [s for s in sel if s["corpus"] == "snn"]
    second = [s for s in ant_a if s["second_pass"]]
    out = {}
    for prefix, items, start in (("batch_A", ant_a, 1), ("batch_B", ant_b + snn, 1), ("second_pass_", second, 1)):
        for b, i in enumerate(range(0, len(items), BATCH), start):
            out[f"{prefix}{b:02d}"] = items[i:i + BATCH]
    return out


def prefill(workdir: str, corpus_dir: str = indomain.DEFAULT_CORPUS_DIR) -> dict[str, int]:
    from marsad.extract.entities import EntityTagger

    sel = _selection()
    recs = _records(sel, corpus_dir)
    tagger = EntityTagger(model="crf")
    os.makedirs(workdir, exist_ok=True)
    sizes = {}
    for name, items in _batches(sel).items():
        with open(os.path.join(workdir, name + ".jsonl"), "w", encoding="utf-8") as f:
            for s in items:
                rec = recs[(s["corpus"], s["id"])]
                fields = {"title": rec.get("title") or "", "text": rec["text"][: s["region_end"]]}
                spans, n = [], 0
                for fname, full in (("title", fields["title"]), ("text", rec["text"])):
                    for m in tagger.mentions(full):
                        if m["end"] <= len(fields[fname]):
                            spans.append({"n": n, "field": fname, "start": m["start"], "end": m["end"],
                                          "type": m["type"], "text": m["text"]})
                            n += 1
                out = {"key": f"{s['corpus']}:{s['id']}", "corpus": s["corpus"], "id": s["id"], "n": s["n"],
                       "outlet": rec.get("outlet"), "section": rec.get("section"),
                       "title_inline": to_inline(fields["title"], [x for x in spans if x["field"] == "title"]),
                       "text_inline": to_inline(fields["text"], [x for x in spans if x["field"] == "text"]),
                       "prefill": spans}
                f.write(json.dumps(out, ensure_ascii=False) + "\n")
        sizes[name] = len(items)
    return sizes


def convert_record(rec: dict, sel_item: dict, corpus_rec: dict) -> tuple[list, list[str]]:
    """Verified spans ``[[field, start, end, type], …]`` of one corrected work record, and the
    problems found."""
    where = rec.get("key", rec.get("id"))
    fields = {"title": corpus_rec.get("title") or "", "text": corpus_rec["text"][: sel_item["region_end"]]}
    errors = []
    if "edits" in rec:
        spans, errors = apply_edits(fields, rec["prefill"], rec["edits"], where)
    else:
        spans = {}
        for f in FIELDS:
            plain, spans[f] = from_inline(rec[f + "_inline"])
            if plain != fields[f]:
                i = next((i for i, (a, b) in enumerate(zip(plain, fields[f])) if a != b), min(len(plain), len(fields[f])))
                errors.append(f"{where} {f}: text outside the marks differs from the corpus at {i}: "
                              f"{plain[max(0, i - 20):i + 20]!r} vs {fields[f][max(0, i - 20):i + 20]!r}")
    out = []
    for f in FIELDS:
        errors += verify(fields[f], spans.get(f, []), f"{where} {f}")
        out += [[f, s, e, t] for s, e, t in sorted(spans.get(f, []))]
    return out, errors


def convert(files: list[str], corpus_dir: str = indomain.DEFAULT_CORPUS_DIR) -> tuple[list[dict], list[str]]:
    sel = {(s["corpus"], s["id"]): s for s in _selection()}
    work = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            for i, line in enumerate(f, 1):
                if line.strip():
                    try:
                        work.append(json.loads(line))
                    except json.JSONDecodeError as e:
                        raise SystemExit(f"{path}:{i}: not JSON ({e})")
    items = [sel[(w["corpus"], w["id"])] for w in work]
    recs = _records(items, corpus_dir)
    out, errors = [], []
    for w, s in zip(work, items):
        spans, errs = convert_record(w, s, recs[(s["corpus"], s["id"])])
        errors += errs
        out.append({k: s[k] for k in ("corpus", "id", "n", "split", "region_end", "text_sha1", "title_sha1")}
                   | {"spans": spans})
    return out, errors


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus-dir", default=indomain.DEFAULT_CORPUS_DIR)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("select")
    p = sub.add_parser("prefill")
    p.add_argument("workdir")
    for name in ("convert", "check"):
        c = sub.add_parser(name)
        c.add_argument("files", nargs="+")
        if name == "convert":
            c.add_argument("--out", default=indomain.annotations_path(),
                           help="annotations file to update (records keyed by corpus and id)")
    args = ap.parse_args(argv)
    if args.cmd == "select":
        sel = select(args.corpus_dir)
        with open(selection_path(), "w", encoding="utf-8") as f:
            for s in sel:
                f.write(json.dumps(s, ensure_ascii=False) + "\n")
        print(f"{len(sel)} articles → {selection_path()}")
        return 0
    if args.cmd == "prefill":
        for name, n in prefill(args.workdir, args.corpus_dir).items():
            print(f"{name}: {n}")
        return 0
    files = sorted(f for pat in args.files for f in glob.glob(pat))
    out, errors = convert(files, args.corpus_dir)
    for e in errors:
        print(e, file=sys.stderr)
    n_spans = sum(len(r["spans"]) for r in out)
    print(f"{len(out)} records, {n_spans} spans, {len(errors)} problems")
    if errors:
        return 1
    if args.cmd == "convert":
        keep = {}
        if os.path.exists(args.out):
            keep = {(r["corpus"], r["id"]): r for r in indomain.read_annotations(args.out)}
        keep.update({(r["corpus"], r["id"]): r for r in out})
        with open(args.out, "w", encoding="utf-8") as f:
            for r in sorted(keep.values(), key=lambda r: (r["corpus"], r["n"])):
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(f"{len(keep)} records in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
