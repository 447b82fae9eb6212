"""News-register rules applied on top of the CRF, over one sentence of tokens.

* fixed organisation names (``org_names.txt``: حلف شمال الأطلسي، فرانس برس …) → ORG;
* organisation patterns: a head noun in construct (``org_heads.txt``: وزارة، مجلس، وكالة …)
  + a definite complement + modifiers (``org_modifiers.txt``, nationality adjectives) → ORG;
* title/role + name (``titles.txt``, ``role_links.txt``): "المتحدث باسم الكرملين، ديمتري
  بيسكوف" → PER "ديمتري بيسكوف" with role "المتحدث باسم الكرملين";
* places from the gazetteer (``places.txt``) that the model left untagged → LOC;
* a head in construct before a place (``org_place_heads.txt``: منتخب، شرطة، جامعة …) joins it
  into one organisation: "منتخب مصر", "شرطة دبي" → ORG.

Mentions here are token spans ``Span(start, end, type)`` (end exclusive); the word lists are
data files, the patterns are the small functions below.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from marsad.ner import clitics
from marsad.ner.lexicon import Phrases, nationality_stem, norm, phrase_starts, phrases, words, zipf
from marsad.ner.tokenize import is_punct
from marsad.resources import lines
from marsad.text.normalize import strip_diacritics

MAX_NAME = 4  # tokens in a person name found by the title rule
MAX_ROLE = 8  # tokens in a role phrase
COMMON = 4.6  # zipf above which an unlisted word is taken for a common word, not a name
RARE = 2.0  # zipf below which a word after a title is taken for a (foreign) name
PERSON_PROB = 0.15  # model probability of a name that suffices right after a title
MIN_WORD_ZIPF = 3.0
COORDINATED_WORD_ZIPF = 5.0  # و/ف + a word this common inside a person span is not a second name  # a clitic-stripped remainder this frequent is a word, not part of a name


@dataclass
class Span:
    start: int
    end: int
    type: str  # PER, LOC, ORG (MISC spans from the model are kept only to block rules)
    source: str = "model"
    role: tuple[int, int] | None = None


# --- word classes --------------------------------------------------------------------------


@lru_cache(maxsize=100_000)  # every token of every sentence, twice: cache per word type
def article_key(token: str) -> str:
    """Normalised token without conjunction/preposition clitics, article kept."""
    key = norm(token)
    pre, stem = clitics.split(key)
    if pre.endswith("ال") or pre.endswith("لل"):
        return "ال" + stem
    return stem if pre and clitics.mention_skip(token) else key


@lru_cache(maxsize=1)
def _titles() -> frozenset[str]:
    return words("titles")


@lru_cache(maxsize=100_000)
def is_title(token: str) -> bool:
    key = norm(token)
    if key in _titles():
        return True
    pre, stem = clitics.split(key)
    # والمتحدث, ووزير, لرئيس: clitics before a title
    return bool(pre) and (stem in _titles() or ("ال" + stem) in _titles() or key[len(pre) - 2 if pre.endswith("ال") else len(pre):] in _titles())


def is_definite(token: str) -> bool:
    key = norm(token)
    pre, _ = clitics.split(key)
    return pre.endswith("ال") or pre.endswith("لل")


@lru_cache(maxsize=1)
def _stop_forms() -> frozenset[str]:
    # Exact forms, not normalised keys: "على" (on) is a stop word, "علي" (Ali) a name.
    return frozenset(strip_diacritics(w) for w in lines("ner/stop_names.txt"))


def is_stop(token: str) -> bool:
    return strip_diacritics(token) in _stop_forms()


def is_nationality(token: str) -> bool:
    return nationality_stem(norm(token)) is not None


def is_role_link(token: str) -> bool:
    return norm(token) in words("role_links")


@lru_cache(maxsize=100_000)
def is_org_head(token: str) -> bool:
    key = norm(token)
    return key in words("org_heads") or clitics.split(key)[1] in _org_head_stems()


@lru_cache(maxsize=1)
def _org_head_stems() -> frozenset[str]:
    return frozenset(clitics.split(w)[1] for w in words("org_heads"))


def is_adverb(token: str) -> bool:
    """Accusative with tanween (-اً / -ًا: "روسياً", "أوكرانياً"): an adverb, not a name."""
    return token.endswith("\u064b") or token.endswith("\u064bا")


def is_coordinated(token: str) -> bool:
    """Starts with the conjunction و/ف as a clitic ("وزيلينسكي"), not as a letter of the name."""
    return norm(token)[:1] in ("و", "ف") and clitics.mention_skip(token) > 0


def looks_like_name(token: str, model_tag: str, person_prob: float, first: bool) -> bool:
    """Could this token be part of a person's name right after a title?

    Yes when the model tags it PERS, when it is a listed given name, or when the model gives
    it some probability of being a name (``person_prob``) and it is not a common word.
    """
    if is_punct(token) or token[:1].isdigit() or is_stop(token) or is_title(token):
        return False
    if is_nationality(token) or is_org_head(token) or is_adverb(token):
        return False
    if is_coordinated(token) or (first and is_definite(token)) or is_role_link(token):
        return False
    if clitics.mention_skip(token) and not model_tag.endswith("PERS"):
        return False  # "لوكالة", "ببرقية": a preposition starts a new phrase
    if model_tag.endswith("PERS"):
        return True
    key = norm(token)
    if key in words("first_names"):
        return True
    if max(zipf(token), zipf(key)) >= (3.5 if is_definite(token) else COMMON):
        return False
    return person_prob >= PERSON_PROB or zipf(key) < RARE


# --- phrase matching -------------------------------------------------------------------------


def match_phrases(keys: list[str], table: dict[tuple[str, ...], int]) -> list[tuple[int, int]]:
    """Longest non-overlapping matches (at most ``MAX_PHRASE`` tokens) of ``table`` phrases over
    token keys."""
    starts = table.starts if isinstance(table, Phrases) else phrase_starts(table)
    out = []
    i = 0
    while i < len(keys):
        for n in starts.get(keys[i], ()):  # longest first
            if n <= len(keys) - i and tuple(keys[i:i + n]) in table:
                out.append((i, i + n))
                i += n
                break
        else:
            i += 1
    return out


def org_name_spans(keys: list[str]) -> list[Span]:
    return [Span(s, e, "ORG", "org_names") for s, e in match_phrases(keys, phrases("org_names"))]


def place_tail(keys: list[str], span: Span, head: Span) -> bool:
    """``span`` is the fixed name ``head`` followed only by strong places (countries, capitals)."""
    return head.start == span.start and head.end < span.end and all(
        k in words("places") for k in keys[head.end:span.end])


def place_spans(keys: list[str], tokens: list[str]) -> list[Span]:
    """Gazetteer places; a one-word place must not also be a common word ("هوية", "بورصة"):
    the model tags the common places (countries, capitals) itself."""
    out = []
    for s, e in match_phrases(keys, phrases("places")):
        if is_adverb(tokens[e - 1]):
            continue
        if e - s == 1:
            surface = tokens[s][clitics.mention_skip(tokens[s]):]
            if max(zipf(surface), zipf(keys[s])) >= 4.0:
                continue
        out.append(Span(s, e, "LOC", "places"))
    return out


def org_pattern_spans(tokens: list[str]) -> list[Span]:
    """Head noun in construct + definite complement (+ modifiers): "وزارة الخارجية الروسية"."""
    out = []
    i = 0
    while i < len(tokens) - 1:
        if is_org_head(tokens[i]) and not is_definite(tokens[i]) and is_definite(tokens[i + 1]) \
                and not is_title(tokens[i + 1]) and not is_stop(tokens[i + 1]):
            j = i + 2
            while j < len(tokens) and j - i < 6 and (
                norm(tokens[j]) in words("org_modifiers") or (is_definite(tokens[j]) and is_nationality(tokens[j]))
            ):
                j += 1
            if j > i + 2:  # only with a modifier: "مجلس الأمن الروسي", not "حكومة البلاد"
                out.append(Span(i, j, "ORG", "org_pattern"))
            i = j
        else:
            i += 1
    return out


@lru_cache(maxsize=100_000)
def _bare_head(token: str, name: str) -> str | None:
    """The token's stem when it is a head of ``ner/<name>.txt``, else None."""
    stem = clitics.split(norm(token))[1]
    return stem if stem in words(name) else None


def place_org_spans(tokens: list[str], spans: list[Span]) -> list[Span]:
    """``spans`` with a place right after a head in construct (``org_place_heads.txt``) made one
    organisation with it: "منتخب مصر", "شرطة دبي", "جامعة باث" → ORG."""
    taken = {i for s in spans for i in range(s.start, s.end)}
    out = []
    for s in spans:
        h = s.start - 1
        if s.type == "LOC" and h >= 0 and h not in taken and not is_definite(tokens[h]) \
                and _bare_head(tokens[h], "org_place_heads"):
            s = Span(h, s.end, "ORG", "place_org")
        out.append(s)
    return out


# --- titles and roles ------------------------------------------------------------------------


def role_end(tokens: list[str], tags: list[str], head: int, covered: set[int]) -> int:
    """Index just past the role phrase that starts at the title ``head``.

    The phrase goes on over chained titles (نائب رئيس), definite words, nationality adjectives,
    linking words (باسم، في، العام), organisation/place tokens (``covered``) and a short
    parenthesis "(ناتو)"; it stops before a likely name, a stop word or punctuation.
    """
    j = head + 1
    n = len(tokens)
    while j < n and j - head < MAX_ROLE:
        t = tokens[j]
        if t == "(":
            close = next((k for k in range(j + 1, min(n, j + 5)) if tokens[k] == ")"), None)
            if close is None:
                break
            j = close + 1
            continue
        if is_punct(t) or is_stop(t) and not is_role_link(t):
            break
        if j in covered or is_title(t) or is_role_link(t) or is_nationality(t) or is_org_head(t):
            j += 1
            continue
        if is_definite(t) and not tags[j].endswith("PERS") and not is_coordinated(t):
            j += 1
            continue
        break
    return j


def name_span(tokens: list[str], tags: list[str], probs: list[float], start: int) -> int:
    """Index just past the name that starts at ``start`` (``start`` when there is none)."""
    j = start
    while j < len(tokens) and j - start < MAX_NAME and looks_like_name(tokens[j], tags[j], probs[j], j == start):
        j += 1
        if j - start >= 1 and j < len(tokens) and tags[j].startswith("B-"):
            break  # the model starts another entity here
    return j


def title_person_spans(tokens: list[str], tags: list[str], probs: list[float], covered: set[int]) -> list[Span]:
    """Persons named right after a title/role, each with its role token span."""
    out = []
    i = 0
    while i < len(tokens):
        if not is_title(tokens[i]) or i in covered:
            i += 1
            continue
        end = role_end(tokens, tags, i, covered)
        start = end + 1 if end < len(tokens) and tokens[end] in ("،", ",") else end
        stop = name_span(tokens, tags, probs, start)
        if stop > start:
            out.append(Span(start, stop, "PER", "title", role=(i, end)))
            i = stop
        else:
            i = max(end, i + 1)
    return out


def first_name_spans(tokens: list[str], tags: list[str], probs: list[float]) -> list[Span]:
    """A listed given name followed by one or two rare words: "أوليه كيبر", "مكسيم رومانتسيف"."""
    out = []
    i = 0
    while i < len(tokens) - 1:
        if norm(tokens[i]) in words("first_names") and not is_coordinated(tokens[i]) and not is_stop(tokens[i]):
            j = i + 1
            while j < len(tokens) and j - i <= 2 and not is_definite(tokens[j]) \
                    and looks_like_name(tokens[j], tags[j], probs[j], False) and zipf(norm(tokens[j])) < RARE:
                j += 1
            if j > i + 1:
                out.append(Span(i, j, "PER", "first_name"))
                i = j
                continue
        i += 1
    return out


def trim_person(tokens: list[str], probs: list[float], span: Span) -> Span:
    """Drop leading titles ("الأميرة ألِس" → "ألِس": a title is a role, not part of the name)
    and trailing words that cannot end a name (a preposition-prefixed word, a stop word, a
    title or nationality), which the model sometimes runs into: "بيسكوف لوكالة". Words the
    model is sure of are kept at the end ("ديفيد لامي", not a preposition + "امي")."""
    while span.end - span.start > 1 and is_title(tokens[span.start]):
        span.start += 1
    end = span.end
    while end - span.start > 1:
        t = tokens[end - 1]
        key = norm(t)
        # "ويطالب بوتين كييف": a surname followed by a capital; the model is often sure of
        # these, so the place test comes first ("جورج واشنطن" keeps its given name's surname)
        place = key in words("places") and key not in words("first_names") \
            and norm(tokens[end - 2]) not in words("first_names")
        # a future verb "ميركل ستزور": without its س it is a common verb form ("تزور"); names
        # that start the same way are not ("ستانلي" → "تانلي", "سيرغي" → "يرغي")
        future = len(t) > 3 and t[0] == "س" and t[1] in "يتنأ" and zipf(t[1:]) >= 3.6 \
            and key not in words("first_names")
        if probs and probs[end - 1] >= 0.8 and not (place or future):
            break
        verb = future or (t.startswith("ي") and zipf(t) >= 3.5)  # "ترمب يشيد"
        # a preposition before a known word ("لوكالة"), not a foreign name that starts with
        # the letter ("بالديز", "بيريرا": "الديز" and "يريرا" are no words)
        preposition = clitics.mention_skip(t) and zipf(t[clitics.mention_skip(t):]) >= MIN_WORD_ZIPF
        if preposition or is_stop(t) or is_role_link(t) or is_title(t) or is_nationality(t) \
                or place or verb:
            end -= 1
        else:
            break
    span.end = end
    return span


def split_person(tokens: list[str], span: Span) -> list[Span]:
    """Split a person span the model ran over two names: at a coordinated word ("ويتكوف
    وكوشنر") or where a foreign given name starts a second name ("دونالد ترامب ستيف")."""
    cuts = []
    for i in range(span.start + 1, span.end):
        t = tokens[i]
        # "و"/"ف" + a name starts a second person; "و"/"ف" + a common word is more likely the
        # first letter of a foreign name ("آري فولد": "ولد" is a word, "كوشنر" is not)
        if is_coordinated(t) and zipf(t[1:]) < COORDINATED_WORD_ZIPF:
            cuts.append(i)
        elif i - span.start >= 2 and norm(t) in words("first_names") and zipf(t) < 4.5 \
                and norm(tokens[i - 1]) not in words("first_names") and zipf(tokens[i - 1]) < 4.5:
            cuts.append(i)
    if not cuts:
        return [span]
    bounds = [span.start, *cuts, span.end]
    parts = [Span(a, b, span.type, span.source) for a, b in zip(bounds, bounds[1:])]
    parts[0].role = span.role
    return parts


def join_name_tail(tokens: list[str], spans: list[Span]) -> list[Span]:
    """Join a one-word person span to the person right before it when it cannot start a name of
    its own: "كيم يونغ" + "أون" is one name. A given name, a coordinated word or a word with
    a clitic starts another person ("دونالد ترامب ستيف ويتكوف", "ويتكوف وكوشنر")."""
    out: list[Span] = []
    for s in spans:
        prev = out[-1] if out else None
        if prev is not None and prev.type == s.type == "PER" and prev.end == s.start and s.end - s.start == 1 \
                and prev.end - prev.start >= 2 and not is_coordinated(tokens[s.start]) \
                and not clitics.mention_skip(tokens[s.start]) and norm(tokens[s.start]) not in words("first_names"):
            prev.end = s.end
            continue
        out.append(s)
    return out


def role_before(tokens: list[str], tags: list[str], person: Span, covered: set[int]) -> tuple[int, int] | None:
    """The role phrase that ends right before ``person`` (a comma may sit between), if any."""
    end = person.start
    if end > 0 and tokens[end - 1] in ("،", ","):
        end -= 1
    if is_coordinated(tokens[person.start]):
        return None
    for head in range(end - 1, max(-1, end - 1 - MAX_ROLE), -1):
        t = tokens[head]
        if is_punct(t) and t not in "()":
            return None
        if is_title(t):
            # take the earliest of chained titles (نائب رئيس مجلس الأمن)
            while head > 0 and is_title(tokens[head - 1]) and not is_punct(tokens[head - 1]):
                head -= 1
            if role_end(tokens, tags, head, covered) >= end:
                return head, end
            # a genitive person inside the role: "مساعد بوتين يوري أوشاكوف"
            if head + 1 < end and tags[head + 1].endswith("PERS") and \
                    role_end(tokens, tags, head, covered | set(range(head + 1, end))) >= end:
                return head, end
            return None
    return None


# --- document consistency ------------------------------------------------------------------


def propagate(doc_tokens: list[list[str]], doc_spans: list[list[Span]]) -> None:
    """Tag the other mentions of a name found once in the same document: an article names
    "أوليه كيبر" once and then says "وأضاف كيبر". A person's surname (the last word of a
    two- or three-word name) counts too. Common words are never propagated. In place."""
    from collections import Counter, defaultdict

    votes: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    surnames = set()
    for tokens, spans in zip(doc_tokens, doc_spans):
        for s in spans:
            if s.type not in ("PER", "LOC", "ORG"):
                continue
            keys = tuple(article_key(t) for t in tokens[s.start:s.end])
            votes[keys][s.type] += 1
            if s.type == "PER" and 2 <= len(keys) <= 3:
                votes[keys[-1:]]["PER"] += 1
                surnames.add(keys[-1:])
    table: dict[tuple[str, ...], str] = {}
    for keys, counter in votes.items():
        (kind, n), *rest = counter.most_common()
        if rest and rest[0][1] == n:
            continue
        common = 3.5 if keys in surnames else 4.0  # a surname alone: stricter ("رالف سائق")
        if len(keys) == 1 and (zipf(keys[0]) >= common or keys[0] in words("stop_names") or len(keys[0]) < 3):
            continue
        table[keys] = kind
    if not table:
        return
    lengths = {k: len(k) for k in table}
    for tokens, spans in zip(doc_tokens, doc_spans):
        keys = [article_key(t) for t in tokens]
        # a one-word name the document mostly types otherwise takes the majority type: the
        # subhead "هجوم على لوغانسك" beside three "منطقة لوغانسك"
        for s in spans:
            one = (keys[s.start],) if s.end - s.start == 1 else None
            kind = table.get(one) if one else None
            if kind and kind != s.type and s.type in ("PER", "LOC", "ORG") \
                    and votes[one][kind] >= 2 * votes[one][s.type]:
                s.type = kind
                s.role = None
        taken = {i for s in spans for i in range(s.start, s.end)}
        for start, end in match_phrases(keys, lengths):
            if not taken.intersection(range(start, end)) and not is_adverb(tokens[end - 1]):
                spans.append(Span(start, end, table[tuple(keys[start:end])], "document"))
        spans.sort(key=lambda s: s.start)
