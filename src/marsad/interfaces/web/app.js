// Marsad web UI: vanilla JS over the read-only REST API (/api/...). Hash routing.
// All text goes into the page through text nodes (never parsed as HTML), so article text is inert.
"use strict";

const TYPE_NAMES = { PER: "شخص", ORG: "منظمة", LOC: "مكان" };
const TYPE_PLURALS = { "": "الكل", PER: "أشخاص", ORG: "منظمات", LOC: "أماكن" };
const DATE_SOURCES = { metadata: "من بيانات الصفحة", text: "من نص الصفحة", story: "مستنتج من القصة" };
const REUSE_KINDS = { duplicate: "نسخة مكررة", syndicated: "نص وكالة مشترك" };
const RESOLVED = { explicit: "صريح", published: "نسبةً إلى تاريخ النشر", story: "نسبةً إلى القصة" };

// ---- DOM helpers ----
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function table(attrs, ...children) {
  // A table in a box that scrolls sideways on a narrow screen (the page itself never does).
  return h("div", { class: "scroll" }, h("table", attrs, ...children));
}

function link(href, ...children) {
  return h("a", { href }, ...children);
}

function safeUrl(url) {
  // Only http(s) links leave the app.
  return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
}

function section(title, ...children) {
  return h("section", { class: "card" }, h("h2", {}, title), ...children);
}

function empty(text) {
  return h("p", { class: "muted" }, text);
}

function iso(d) {
  // A date or number beside Arabic text: an isolated left-to-right run (else 2026-03-09 reads reversed).
  return d ? h("bdi", { dir: "ltr", class: "iso" }, String(d)) : null;
}

function dateRange(first, last) {
  if (!first) return "بلا تاريخ";
  return first === last ? iso(first) : h("span", { class: "range" }, iso(first), " ← ", iso(last));
}

function titleOf(a) {
  // Untitled articles show their lead's first words (title_fallback), never their hex id.
  return (a && (a.title || a.title_fallback)) || "(بلا عنوان)";
}

function storyTitle(s) {
  return s.title || `قصة بلا عنوان (${count(s.size || 0, ARTICLES)})`;
}

function count(n, forms) {
  // Arabic number agreement: [one, two, 3–10, 11+ and 0], e.g. مقال واحد، مقالان، 3 مقالات، 11 مقالاً.
  if (n === 1) return forms[0];
  if (n === 2) return forms[1];
  const r = n % 100;
  return `${n} ${r >= 3 && r <= 10 ? forms[2] : forms[3]}`;
}
const ARTICLES = ["مقال واحد", "مقالان", "مقالات", "مقالاً"];
const STORIES = ["قصة واحدة", "قصتان", "قصص", "قصة"];
const MENTIONS = ["إشارة واحدة", "إشارتان", "إشارات", "إشارة"];
const ENTITIES = ["كيان واحد", "كيانان", "كيانات", "كياناً"];
const RESULTS = ["نتيجة واحدة", "نتيجتان", "نتائج", "نتيجة"];
const SOURCES = ["مصدر مستقل واحد", "مصدران مستقلان", "مصادر مستقلة", "مصدراً مستقلاً"];
const CHARS = ["حرف واحد", "حرفان", "أحرف", "حرفاً"];
const PASSAGES = ["مقطع واحد", "مقطعان", "مقاطع", "مقطعاً"];
const OUTLETS = ["منفذ واحد", "منفذان", "منافذ", "منفذاً"];
const QUOTES = ["اقتباس واحد", "اقتباسان", "اقتباسات", "اقتباساً"];

function setStatus(text) {
  document.getElementById("status").textContent = text || "";
}

// ---- API ----
async function api(path) {
  const res = await fetch(path, { headers: { Accept: "application/json" } });
  let body;
  try {
    body = await res.json();
  } catch (e) {
    throw new Error(`استجابة غير صالحة من الخادم (${res.status})`);
  }
  if (!res.ok) throw new Error(body && body.error ? body.error : `خطأ ${res.status}`);
  return body;
}

// ---- router ----
let renderToken = 0;

function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, qs] = raw.split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { parts, params: new URLSearchParams(qs || "") };
}

function hashFor(page, params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== "") p.set(k, String(v));
  const qs = p.toString();
  return `#/${page}${qs ? "?" + qs : ""}`;
}

function offsetOf(params) {
  const n = Number(params.get("offset") || 0);
  return Number.isInteger(n) && n > 0 ? n : 0;
}

function pager(res, hrefFor) {
  // Previous/next links for a paged answer {total, limit, offset}.
  const { total, limit, offset } = res;
  const last = Math.min(offset + limit, total);
  return h("p", { class: "pager" },
    offset > 0 ? link(hrefFor(Math.max(0, offset - limit)), "السابق") : null,
    total > 0 ? h("span", { class: "muted" }, `${offset + 1}–${last} من ${total}${res.total_exact === false ? "+" : ""}`) : null,
    offset + limit < total ? link(hrefFor(offset + limit), "التالي") : null);
}

function marked(text, spans, cls) {
  // Text with <mark> around [start, end) spans; every piece is a text node (inert).
  const out = h("span", { class: cls || null });
  let pos = 0;
  for (const [a, b] of (spans || []).filter((s) => Array.isArray(s) && s[0] >= 0 && s[1] <= text.length && s[0] < s[1])) {
    if (a < pos) continue;
    out.append(text.slice(pos, a), h("mark", {}, text.slice(a, b)));
    pos = b;
  }
  out.append(text.slice(pos));
  return out;
}


function figure(src, alt, caption, table) {
  // A server-drawn SVG chart (an <img>: it runs no script), its caption, and its data as a table.
  return h("figure", { class: "chart" },
    h("img", { src, alt, width: "720", loading: "lazy", class: "chart-img" }),
    h("figcaption", { class: "muted" }, caption),
    table ? h("details", {}, h("summary", {}, "البيانات جدولاً"), table) : null);
}

function dataTable(headers, rows) {
  return table({}, h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, c))))));
}

function articleHref(id, where) {
  // An article, scrolled to [start, end) when a citation gives the sentence.
  const p = where && Number.isInteger(where.start) ? `?start=${where.start}&end=${where.end}` : "";
  return `#/article/${encodeURIComponent(id)}${p}`;
}

async function route() {
  const token = ++renderToken;
  const { parts, params } = parseHash();
  const view = document.getElementById("view");
  const [page, id] = parts;
  const nav = { "": "home", stories: "stories", story: "stories", article: "articles", articles: "articles",
    entities: "entities", entity: "entities", quotes: "quotes", search: "search" };
  for (const a of document.querySelectorAll("[data-nav]")) {
    const on = a.dataset.nav === (nav[page || ""] || "home");
    a.classList.toggle("active", on);
    if (on) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
  const box = document.getElementById("q");
  if (box && page !== "search") box.value = "";
  setStatus("جارٍ التحميل…");
  try {
    let node;
    if (!page) node = await homeView(params);
    else if (page === "stories") node = await storiesView(params);
    else if (page === "story" && id) node = await storyView(id);
    else if (page === "article" && id) node = await articleView(id, params);
    else if (page === "articles") node = await articlesView(params);
    else if (page === "entities") node = await entitiesView(params);
    else if (page === "entity" && id) node = await entityView(id, params);
    else if (page === "quotes") node = await quotesView(params);
    else if (page === "search") node = await searchView(params);
    else throw new Error("صفحة غير موجودة");
    if (token !== renderToken) return; // a newer navigation won
    view.replaceChildren(node);
    const target = view.querySelector("#cited");
    if (target) {
      target.scrollIntoView({ block: "center" });
      target.focus({ preventScroll: true });
    } else {
      window.scrollTo(0, 0);
      view.focus({ preventScroll: true });
    }
    const h1 = view.querySelector("h1");
    document.title = `${h1 ? h1.textContent + " — " : ""}مرصد`;
    view.dataset.shown = location.hash; // which route the view shows (for tests and tools)
    setStatus("");
  } catch (err) {
    if (token !== renderToken) return;
    view.replaceChildren(h("div", { class: "card error", role: "alert" }, h("h1", {}, "تعذّر العرض"), h("p", {}, err.message),
      link("#/", "العودة إلى الصفحة الرئيسية")));
    view.dataset.shown = location.hash;
    setStatus("");
  }
}

// ---- home ----
function storyList(stories) {
  return h("ul", { class: "stories" }, stories.map((s) =>
    h("li", { class: "story-card" },
      h("h3", {}, link(`#/story/${encodeURIComponent(s.id)}`, storyTitle(s))),
      h("p", { class: "meta" },
        h("span", { class: "pill" }, count(s.size, ARTICLES)),
        h("span", {}, dateRange(s.first_published, s.last_published)),
        h("span", {}, count(s.outlets, OUTLETS))))));
}

async function homeView(params) {
  const since = params.get("since") || "", until = params.get("until") || "";
  const win = {};
  if (since) win.since = since;
  if (until) win.until = until;
  const [health, days] = await Promise.all([api("/api/health"), api(`/api/days?${new URLSearchParams(win)}`)]);
  const range = { since: days.since || "", until: days.until || "" };
  const [latest, largest] = await Promise.all([
    api(`/api/stories?${new URLSearchParams({ sort: "recent", limit: "8", ...(range.until ? range : {}) })}`),
    api(`/api/stories?${new URLSearchParams({ sort: "size", limit: "8", ...(range.until ? range : {}) })}`)]);
  const sinceBox = h("input", { type: "date", id: "since", name: "since", value: range.since, dir: "ltr" });
  const untilBox = h("input", { type: "date", id: "until", name: "until", value: range.until, dir: "ltr" });
  const picker = h("form", { class: "filters", "aria-label": "الفترة",
    onsubmit: (e) => { e.preventDefault(); location.hash = hashFor("", { since: sinceBox.value, until: untilBox.value }); } },
    h("label", { for: "since" }, "من"), sinceBox, h("label", { for: "until" }, "إلى"), untilBox,
    h("button", { type: "submit" }, "عرض"));
  const total = days.days.reduce((n, d) => n + d.articles, 0);
  const chart = days.days.length
    ? h("div", {},
        figure(`/charts/days.svg?${new URLSearchParams(range)}`, `عدد المقالات في كل يوم من ${range.since} إلى ${range.until}`,
          h("span", {}, `${count(total, ARTICLES)} في الفترة: المقالات في اليوم.`)),
        figure(`/charts/days.svg?${new URLSearchParams({ ...range, what: "outlets" })}`, `عدد المنافذ التي نشرت في كل يوم من ${range.since} إلى ${range.until}`,
          "المنافذ التي نشرت في اليوم.",
          dataTable(["اليوم", "المقالات", "المنافذ"], days.days.map((d) => [iso(d.date), String(d.articles), String(d.outlets)]))))
    : empty("لا مقالات مؤرخة في هذه الفترة.");
  return h("div", {},
    h("h1", {}, "مرصد الأخبار"),
    h("p", { class: "muted" }, `في المخزن ${count(health.articles, ARTICLES)} في ${count(health.stories, STORIES)}، و${count(health.entities, ENTITIES)}.`),
    h("section", { class: "card", "aria-labelledby": "h-days" }, h("h2", { id: "h-days" }, "المقالات والمنافذ في اليوم"), picker, chart),
    h("div", { class: "columns" },
      h("section", { class: "card", "aria-labelledby": "h-latest" }, h("h2", { id: "h-latest" }, "أحدث القصص"),
        latest.stories.length ? storyList(latest.stories) : empty("لا قصص في هذه الفترة."),
        link(hashFor("stories", { sort: "recent" }), "كل القصص حسب الأحدث")),
      h("section", { class: "card", "aria-labelledby": "h-largest" }, h("h2", { id: "h-largest" }, "أكبر القصص"),
        largest.stories.length ? storyList(largest.stories) : empty("لا قصص في هذه الفترة."),
        link(hashFor("stories", { sort: "size" }), "كل القصص حسب الحجم"))));
}

// ---- stories ----
async function storiesView(params) {
  const sort = params.get("sort") === "recent" ? "recent" : "size";
  const offset = offsetOf(params);
  const res = await api(`/api/stories?${new URLSearchParams({ sort, limit: "50", offset: String(offset) })}`);
  const tabs = h("p", { class: "tabs" },
    h("a", { href: hashFor("stories", { sort: "size" }), class: sort === "size" ? "tab active" : "tab" }, "الأكبر"),
    h("a", { href: hashFor("stories", { sort: "recent" }), class: sort === "recent" ? "tab active" : "tab" }, "الأحدث"));
  return h("div", {},
    h("h1", {}, "القصص"), tabs,
    res.stories.length ? h("div", { class: "card" }, storyList(res.stories)) : empty("لا قصص بعد. أضف مقالات بالأمر marsad ingest."),
    pager(res, (off) => hashFor("stories", { sort, offset: off })));
}

const MAX_CITES = 12; // citation links shown per item; the rest are counted
const MAX_ITEMS = 12; // claims, disagreements drawn before "show more"

function citer(members) {
  // Citation links [n] numbered by the article's place in the story; with the sentence's offsets
  // when known, a citation opens the article at that sentence.
  const index = new Map(members.map((m, i) => [m.id, i + 1]));
  const byId = new Map(members.map((m) => [m.id, m]));
  return (ids, sentences) => {
    const where = new Map();
    for (const s of sentences || []) if (s && !where.has(s.article)) where.set(s.article, s);
    const all = ids || [];
    const shown = all.slice(0, MAX_CITES);
    return h("span", { class: "cites" }, shown.map((id) => {
      const m = byId.get(id);
      const label = m ? `${m.outlet || "؟"} — ${titleOf(m)}` : id;
      return h("a", { href: articleHref(id, where.get(id)), class: "cite", title: label, "aria-label": `المصدر: ${label}` },
        `[${index.get(id) || "؟"}]`);
    }), all.length > shown.length ? h("span", { class: "muted" }, ` +${all.length - shown.length}`) : null);
  };
}

function capped(items, max, draw, more) {
  // The first `max` items drawn now; the rest behind a <details>, drawn when it is opened
  // (a story with hundreds of disagreements must not cost the page its first second).
  const head = items.slice(0, max).map(draw);
  if (items.length <= max) return head;
  const rest = h("details", { class: "more" }, h("summary", {}, more(items.length - max)));
  rest.addEventListener("toggle", () => {
    if (rest.open && rest.children.length === 1) append(rest, items.slice(max).map(draw));
  });
  return [...head, rest];
}

function timelineVisual(items, cite) {
  // Days as stations on a line; each day's events under it, with how many articles report each.
  const days = new Map();
  for (const t of items) {
    if (!days.has(t.date)) days.set(t.date, []);
    days.get(t.date).push(t);
  }
  return h("ol", { class: "timeline" }, [...days].map(([day, events]) =>
    h("li", { class: "tl-day" },
      h("span", { class: "tl-dot", "aria-hidden": "true" }),
      h("h3", { class: "tl-date" }, h("time", { datetime: day }, iso(day))),
      h("ul", { class: "tl-events" }, events.map((t) =>
        h("li", {}, h("span", { class: "tl-n", title: "عدد المقالات التي تذكره" }, String(t.articles.length)),
          " ", t.text, " ", cite(t.articles, t.sentences)))))));
}

function copiesView(groups, members) {
  // Outlets that carry the same agency copy: who posted first, who re-posted it.
  if (!groups.length) return empty("لا نصوص وكالة مشتركة بين منافذ القصة.");
  const n = new Map(members.map((m, i) => [m.id, i + 1]));
  return h("ul", { class: "copies" }, groups.map((g) => {
    const [first, ...rest] = g.articles;
    const who = (a) => h("span", { class: "copy" }, link(`#/article/${encodeURIComponent(a.id)}`, a.outlet || "؟"),
      n.has(a.id) ? h("span", { class: "muted" }, ` [${n.get(a.id)}]`) : null, a.published ? [" ", h("span", { class: "muted" }, iso(a.published))] : null);
    return h("li", { class: "copy-group" },
      h("p", { class: "meta" }, h("span", { class: "pill" }, g.agencies.length ? `نص ${g.agencies.join("، ")}` : (REUSE_KINDS[g.kinds[0]] || "نص مشترك")),
        h("span", {}, count(g.outlets.length, OUTLETS)), h("span", {}, count(g.articles.length, ARTICLES))),
      h("p", {}, "نشره أولاً: ", who(first)),
      rest.length ? h("p", {}, "وأعاد نشره: ", rest.map((a, i) => [i ? "، " : "", who(a)])) : null);
  }));
}

function quoteGroups(speakers, cite) {
  if (!speakers.length) return empty("لا اقتباسات.");
  return h("div", { class: "speakers" }, capped(speakers, MAX_ITEMS, (g) =>
    h("section", { class: "speaker" },
      h("h3", {}, g.speaker ? link(`#/entity/${encodeURIComponent(g.speaker)}`, g.name || "؟") : (g.name || "متحدث غير معروف"),
        h("span", { class: "muted" }, ` — ${count(g.quotes.length, QUOTES)}`)),
      h("ul", { class: "quotes" }, capped(g.quotes, 6, (q) => quoteItem(q, cite), (n) => `عرض البقية (${n})`))),
    (n) => `متحدثون آخرون (${n})`));
}

function quoteItem(q, cite) {
  // One quotation once; wire copies carried by other outlets as "and N outlets".
  const others = (q.outlets || []).slice(1);
  return h("li", {},
    h("q", { class: q.direct ? "said" : "said reported" }, q.text), " ",
    cite ? cite(q.copies.map((c) => c.article), q.copies) : link(articleHref(q.copies[0].article, q.copies[0]), `[${q.outlets && q.outlets[0] || "المقال"}]`),
    others.length ? h("span", { class: "muted", title: others.join("، ") }, ` — نقلته أيضاً ${count(others.length, OUTLETS)}`) : null);
}

async function storyView(id) {
  const sid = encodeURIComponent(id);
  const [s, copies, quotes] = await Promise.all([api(`/api/stories/${sid}`), api(`/api/stories/${sid}/copies`),
    api(`/api/stories/${sid}/quotes`)]);
  const cite = citer(s.members);
  const dated = s.members.filter((m) => m.published).length;
  const coverage = figure(`/charts/stories/${sid}/coverage.svg`,
    `عدد مقالات القصة في كل يوم حسب المنفذ، من ${s.first_published || "؟"} إلى ${s.last_published || "؟"}`,
    dated < s.members.length ? `مقالات بلا تاريخ لا تظهر في الرسم: ${s.members.length - dated}` : "المقالات في اليوم حسب المنفذ",
    dataTable(["التاريخ", "المنفذ", "المقال"], s.members.filter((m) => m.published)
      .map((m) => [iso(m.published), m.outlet || "—", link(`#/article/${encodeURIComponent(m.id)}`, titleOf(m))])));
  const summary = s.summary.length
    ? h("ul", { class: "summary" }, s.summary.map((x) => h("li", {}, x.text, " ", cite(x.articles, x.sentence ? [x.sentence] : []))))
    : empty("لا ملخص.");
  const claims = s.claims.length
    ? h("ul", { class: "claims" }, capped(s.claims, MAX_ITEMS * 2, (c) =>
        h("li", {},
          h("span", { class: `pill ${c.independent_sources > 1 ? "ok" : "warn"}`, title: "المنافذ التي تنقل نص الوكالة نفسه تُحسب مصدراً واحداً" },
            count(c.independent_sources, SOURCES)),
          " ", c.text, " ", cite(c.articles, c.sentences)), (n) => `عرض البقية (${n})`))
    : empty("لا ادعاءات.");
  const disagreements = s.disagreements.length
    ? h("div", {}, capped(s.disagreements, MAX_ITEMS, (d) =>
        h("div", { class: "disagreement" },
          h("h3", {}, d.about),
          h("div", { class: "sides" }, d.positions.map((p) =>
            h("div", { class: "side" },
              p.value !== undefined && p.value !== null
                ? h("p", { class: "side-value" }, h("bdi", { dir: "ltr" }, String(p.value)), p.unit ? " " + p.unit : "") : null,
              (p.speakers && p.speakers.length) ? h("p", { class: "muted" }, p.speakers.join("، ")) : null,
              h("p", {}, p.text), h("p", { class: "side-src" }, "المصادر: ", cite(p.articles, p.sentences)))))),
        (n) => `عرض البقية (${n})`))
    : empty("لا تعارض بين المصادر.");
  const members = table({ class: "members" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "#"), h("th", { scope: "col" }, "العنوان"), h("th", { scope: "col" }, "المنفذ"),
      h("th", { scope: "col" }, "التاريخ"), h("th", { scope: "col" }, "الوكالات"))),
    h("tbody", {}, s.members.map((m, i) =>
      h("tr", {}, h("td", {}, `[${i + 1}]`), h("td", {}, link(`#/article/${encodeURIComponent(m.id)}`, titleOf(m))),
        h("td", {}, m.outlet || "—"), h("td", { class: "nowrap" }, m.published ? iso(m.published) : "—"), h("td", {}, (m.wire || []).join("، ") || "—")))));
  const within = h("input", { type: "search", id: "in-story", maxlength: "200", placeholder: "كلمة أو اسم في مقالات القصة" });
  const searchStory = h("form", { class: "search", role: "search",
    onsubmit: (e) => { e.preventDefault(); const v = within.value.trim(); if (v) location.hash = hashFor("search", { q: v, story: s.id }); } },
    h("label", { for: "in-story", class: "sr-only" }, "ابحث في هذه القصة"), within, h("button", { type: "submit" }, "ابحث في القصة"));
  return h("div", {},
    h("nav", { class: "crumbs", "aria-label": "المسار" }, link("#/", "الرئيسية"), " › ", link("#/stories", "القصص")),
    h("h1", {}, storyTitle(s)),
    h("p", { class: "meta" }, h("span", { class: "pill" }, count(s.size, ARTICLES)),
      h("span", {}, dateRange(s.first_published, s.last_published)), h("span", {}, s.outlet_names.join("، "))),
    searchStory,
    section("التغطية", coverage),
    section("الملخص", summary),
    section("التسلسل الزمني", s.timeline.length ? timelineVisual(s.timeline, cite) : empty("لا أحداث مؤرخة.")),
    section("الادعاءات", claims),
    section("نقاط الخلاف", disagreements),
    section("الأقوال حسب المتحدث", quoteGroups(quotes.speakers, cite)),
    section("من نقل عن من: نصوص الوكالات", copiesView(copies.groups, s.members)),
    section("المقالات", members, s.members_total > s.members.length
      ? link(hashFor("articles", { story: s.id }), `كل المقالات (${s.members_total})`) : null));
}

// ---- article ----
function highlighted(text, spans, cited) {
  // Split the text at every span boundary; each piece carries the classes of the spans over it.
  spans = spans.filter((s) => Number.isInteger(s.start) && Number.isInteger(s.end) &&
    s.start >= 0 && s.end <= text.length && s.start < s.end);
  const cuts = new Set([0, text.length]);
  for (const s of spans) { cuts.add(s.start); cuts.add(s.end); }
  if (cited) { cuts.add(cited.start); cuts.add(cited.end); }
  const points = [...cuts].sort((a, b) => a - b);
  const out = h("div", { class: "article-text", dir: "rtl" });
  let citedNode = null;
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i], b = points[i + 1];
    const over = spans.filter((s) => s.start <= a && s.end >= b);
    let node = document.createTextNode(text.slice(a, b));
    const m = over.find((s) => s.kind === "m");
    if (m) {
      const attrs = { class: `m m-${m.type}`, title: `${TYPE_NAMES[m.type] || m.type}${m.entity_name ? ": " + m.entity_name : ""}` };
      node = m.entity ? h("a", { ...attrs, href: `#/entity/${encodeURIComponent(m.entity)}` }, node) : h("mark", attrs, node);
    }
    for (const s of over) {
      if (s.kind === "n") node = h("span", { class: "num", title: `عدد: ${s.value}${s.unit ? " " + s.unit : ""}` }, node);
      if (s.kind === "d") node = h("span", { class: "date", title: `تاريخ: ${s.date}` }, node);
    }
    const q = over.find((s) => s.kind === "q");
    if (q) node = h("span", { class: q.direct ? "q" : "q q-indirect", title: `${q.direct ? "اقتباس مباشر" : "كلام منقول"}${q.speaker_name || q.speaker_text ? " — " + (q.speaker_name || q.speaker_text) : ""}` }, node);
    if (cited && a >= cited.start && b <= cited.end) {
      if (!citedNode) { citedNode = h("mark", { class: "cited", id: "cited", tabindex: "-1", title: "الجملة المستشهد بها" }); out.appendChild(citedNode); }
      citedNode.appendChild(node);
    } else out.appendChild(node);
  }
  return out;
}

async function articleView(id, params) {
  const a = await api(`/api/articles/${encodeURIComponent(id)}`);
  const start = Number(params.get("start")), end = Number(params.get("end"));
  const cited = Number.isInteger(start) && Number.isInteger(end) && params.has("start") && start >= 0 && end <= a.text.length && start < end
    ? { start, end } : null;
  const spans = [
    ...a.mentions.map((m) => ({ ...m, kind: "m" })),
    ...a.quotes.map((q) => ({ ...q, kind: "q" })),
  ];
  const showNumbers = h("input", { type: "checkbox", id: "show-num" });
  const showDates = h("input", { type: "checkbox", id: "show-date" });
  const holder = h("div", {});
  const draw = () => holder.replaceChildren(highlighted(a.text, [
    ...spans,
    ...(showNumbers.checked ? a.numbers.map((n) => ({ ...n, kind: "n" })) : []),
    ...(showDates.checked ? a.dates.map((d) => ({ ...d, kind: "d" })) : []),
  ], cited));
  showNumbers.addEventListener("change", draw);
  showDates.addEventListener("change", draw);
  draw();

  const url = safeUrl(a.url) || safeUrl(a.source);
  const meta = h("dl", { class: "meta-grid" },
    h("dt", {}, "المنفذ"), h("dd", {}, a.outlet ? link(hashFor("articles", { outlet: a.outlet }), a.outlet) : "—"),
    h("dt", {}, "الكاتب"), h("dd", {}, a.author || "—"),
    h("dt", {}, "التاريخ"), h("dd", {}, a.published ? iso(a.published) : "—",
      a.published_source ? h("span", { class: "muted" }, ` (${DATE_SOURCES[a.published_source] || a.published_source})`) : null),
    h("dt", {}, "الوكالات"), h("dd", {}, (a.wire || []).join("، ") || "—"),
    h("dt", {}, "القصة"), h("dd", {}, a.story ? link(`#/story/${encodeURIComponent(a.story)}`, "عرض القصة") : "—"),
    h("dt", {}, "المصدر"), h("dd", { dir: "ltr", class: "ltr" }, url ? h("a", { href: url, rel: "noopener noreferrer", target: "_blank" }, url) : a.source));

  const legend = h("p", { class: "legend" },
    h("span", { class: "m m-PER" }, "شخص"), " ", h("span", { class: "m m-ORG" }, "منظمة"), " ",
    h("span", { class: "m m-LOC" }, "مكان"), " ", h("span", { class: "q" }, "اقتباس مباشر"), " ",
    h("span", { class: "q q-indirect" }, "كلام منقول"), " ",
    h("label", {}, showNumbers, " الأعداد"), " ", h("label", {}, showDates, " التواريخ"));

  const quotes = a.quotes.length
    ? h("ul", { class: "quotes" }, a.quotes.map((q) =>
        h("li", {}, h("strong", {}, q.speaker ? link(`#/entity/${encodeURIComponent(q.speaker)}`, q.speaker_name || q.speaker_text || "؟") : (q.speaker_text || "متحدث غير معروف")),
          h("span", { class: "muted" }, q.direct ? " (مباشر): " : " (منقول): "), q.text)))
    : empty("لا اقتباسات.");
  const numbers = a.numbers.length
    ? table({}, h("thead", {}, h("tr", {}, h("th", {}, "النص"), h("th", {}, "القيمة"), h("th", {}, "الوحدة"))),
        h("tbody", {}, a.numbers.map((n) => h("tr", {}, h("td", {}, n.text), h("td", {}, iso(String(n.value))), h("td", {}, n.unit || "—")))))
    : empty("لا أعداد.");
  const dates = a.dates.length
    ? table({}, h("thead", {}, h("tr", {}, h("th", {}, "النص"), h("th", {}, "التاريخ"), h("th", {}, "الاستنتاج"))),
        h("tbody", {}, a.dates.map((d) => h("tr", {}, h("td", {}, d.text), h("td", { class: "nowrap" }, iso(d.date)), h("td", {}, RESOLVED[d.resolved_from] || d.resolved_from || "—")))))
    : empty("لا تواريخ.");
  const reuse = a.reuse.length
    ? h("ul", {}, a.reuse.map((p) => h("li", {}, h("span", { class: "pill" }, REUSE_KINDS[p.kind] || p.kind),
        p.agency ? ` (${p.agency}) ` : " ",
        link(`#/article/${encodeURIComponent(p.other.id)}`, `${p.other.outlet || "؟"}: ${titleOf(p.other)}`),
        h("span", { class: "muted" }, ` — ${count(p.shared_chars, CHARS)} مشتركة`))))
    : null;
  const removed = a.removed.length
    ? h("details", { class: "card" }, h("summary", {}, `أسطر حُذفت بوصفها حشواً (${a.removed.length})`),
        h("ul", { class: "removed" }, a.removed.map((r) => h("li", {}, r))))
    : null;

  return h("div", {},
    h("nav", { class: "crumbs", "aria-label": "المسار" }, link("#/", "الرئيسية"), " › ",
      a.story ? link(`#/story/${encodeURIComponent(a.story)}`, "القصة") : link("#/articles", "المقالات")),
    h("h1", {}, a.title || (a.title_fallback ? a.title_fallback : fallbackTitle(a.text))),
    a.title ? null : h("p", { class: "muted" }, "المقال بلا عنوان: هذه كلماته الأولى."),
    h("div", { class: "card" }, meta),
    h("div", { class: "card" }, legend, holder),
    section("الاقتباسات", quotes),
    reuse ? section("نصوص مشتركة مع مقالات أخرى", reuse) : null,
    section("الأعداد", numbers),
    section("التواريخ", dates),
    removed);
}

function fallbackTitle(text) {
  const words = (text || "").replace(/\s+/g, " ").trim().split(" ");
  return words.length ? words.slice(0, 12).join(" ") + (words.length > 12 ? "…" : "") : "(بلا عنوان)";
}

// ---- articles list ----
const ARTICLE_FILTERS = ["story", "outlet", "entity", "since", "until"];

async function articlesView(params) {
  const offset = offsetOf(params);
  const filters = {};
  for (const k of ARTICLE_FILTERS) if (params.get(k)) filters[k] = params.get(k);
  const res = await api(`/api/articles?${new URLSearchParams({ ...filters, limit: "50", offset: String(offset) })}`);
  const labels = { story: "القصة", outlet: "المنفذ", entity: "الكيان", since: "من", until: "إلى" };
  const active = Object.entries(filters).map(([k, v]) =>
    h("span", { class: "pill" }, `${labels[k]}: `, h("bdi", {}, v), " ", link(hashFor("articles", { ...filters, [k]: null }), "✕")));
  return h("div", {},
    h("h1", {}, "المقالات"),
    active.length ? h("p", { class: "meta" }, active) : null,
    h("p", { class: "muted" }, count(res.total, ARTICLES)),
    res.articles.length ? articleTable(res.articles) : empty("لا نتائج."),
    pager(res, (off) => hashFor("articles", { ...filters, offset: off })));
}

function articleTable(rows) {
  return table({}, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "العنوان"), h("th", { scope: "col" }, "المنفذ"),
      h("th", { scope: "col" }, "التاريخ"), h("th", { scope: "col" }, "القصة"))),
    h("tbody", {}, rows.map((a) => h("tr", {},
      h("td", {}, link(`#/article/${encodeURIComponent(a.id)}`, titleOf(a))),
      h("td", {}, a.outlet ? link(hashFor("articles", { outlet: a.outlet }), a.outlet) : "—"),
      h("td", { class: "nowrap" }, a.published ? iso(a.published) : "—"),
      h("td", {}, a.story ? link(`#/story/${encodeURIComponent(a.story)}`, "القصة") : "—")))));
}

// ---- search ----
const SEARCH_FILTERS = ["since", "until", "outlet", "story", "type"];

async function searchView(params) {
  const q = (params.get("q") || "").trim();
  const offset = offsetOf(params);
  const filters = {};
  for (const k of SEARCH_FILTERS) if (params.get(k)) filters[k] = params.get(k);
  const box = document.getElementById("q");
  if (box) box.value = q;
  const input = h("input", { type: "search", id: "sq", name: "q", value: q, maxlength: "200", placeholder: "اسم، كلمة، عبارة…" });
  const since = h("input", { type: "date", id: "s-since", value: filters.since || "", dir: "ltr" });
  const until = h("input", { type: "date", id: "s-until", value: filters.until || "", dir: "ltr" });
  const outlet = h("input", { type: "text", id: "s-outlet", value: filters.outlet || "", placeholder: "اسم المنفذ" });
  const type = h("select", { id: "s-type" }, Object.entries(TYPE_PLURALS).map(([t, label]) =>
    h("option", { value: t, selected: (filters.type || "") === t }, label)));
  const form = h("form", { class: "filters search-page", role: "search",
    onsubmit: (e) => {
      e.preventDefault();
      const v = input.value.trim();
      if (v) location.hash = hashFor("search", { q: v, since: since.value, until: until.value, outlet: outlet.value.trim(), story: filters.story, type: type.value });
    } },
    h("label", { for: "sq", class: "wide" }, "ابحث في المقالات والكيانات والأقوال", input),
    h("label", { for: "s-since" }, "من ", since), h("label", { for: "s-until" }, "إلى ", until),
    h("label", { for: "s-outlet" }, "المنفذ ", outlet), h("label", { for: "s-type" }, "نوع الكيان ", type),
    h("button", { type: "submit" }, "بحث"));
  const storyPill = filters.story ? h("p", { class: "meta" }, h("span", { class: "pill" }, "في القصة: ",
    link(`#/story/${encodeURIComponent(filters.story)}`, "عرضها"), " ", link(hashFor("search", { q, ...filters, story: null }), "✕"))) : null;
  append(form, [storyPill]);
  if (!q) return h("div", {}, h("h1", {}, "البحث"), form, empty("اكتب كلمة أو اسماً: يجد البحث صيغ الكتابة الأخرى (ترامب، ترمب)."));
  const where = {};
  for (const k of ["since", "until", "outlet", "story"]) if (filters[k]) where[k] = filters[k];
  const entQs = new URLSearchParams({ prefix: q, limit: "12" });
  if (filters.type) entQs.set("type", filters.type);
  const [res, ents, said] = await Promise.all([
    api(`/api/search?${new URLSearchParams({ q, ...where, limit: "20", offset: String(offset) })}`),
    offset ? Promise.resolve({ entities: [] }) : api(`/api/entities?${entQs}`),
    offset ? Promise.resolve({ quotes: [] }) : api(`/api/search/quotes?${new URLSearchParams({ q, ...where, limit: "10" })}`)]);
  const entities = [...ents.entities];
  for (const e of res.entities || []) if (!filters.type || e.type === filters.type) if (!entities.some((x) => x.id === e.id)) entities.push(e);
  const results = h("ol", { class: "results", start: String(offset + 1) }, res.results.map((r) =>
    h("li", { class: "card" },
      h("h3", {}, h("a", { href: `#/article/${encodeURIComponent(r.id)}` }, r.title ? marked(r.title, r.title_highlights) : titleOf(r))),
      h("p", { class: "meta" }, h("span", {}, r.outlet || "منفذ غير معروف"), h("span", {}, r.published ? iso(r.published) : "بلا تاريخ"),
        r.story ? link(`#/story/${encodeURIComponent(r.story)}`, "القصة") : null),
      h("p", { class: "snippet" }, r.snippet_start > 0 ? "… " : "", marked(r.snippet, r.highlights), " …"))));
  const entityList = entities.length
    ? section(`الكيانات (${entities.length})`, h("ul", { class: "chips" }, entities.map((e) =>
        h("li", {}, h("a", { href: `#/entity/${encodeURIComponent(e.id)}`, class: `m m-${e.type}` }, e.name),
          h("span", { class: "muted" }, ` ${TYPE_NAMES[e.type] || e.type}، ${count(e.mentions, MENTIONS)}`)))))
    : null;
  const quotes = said.quotes.length
    ? section(`الأقوال (${said.quotes.length})`, h("ul", { class: "quotes" }, said.quotes.map((x) => h("li", {},
        h("strong", {}, x.speaker ? link(`#/entity/${encodeURIComponent(x.speaker)}`, x.speaker_name || x.speaker_text || "؟") : (x.speaker_text || "متحدث غير معروف")), ": ",
        h("q", {}, marked(x.text, x.highlights)), " ",
        link(articleHref(x.copies[0].article, x.copies[0]), `[${x.outlets[0] || "المقال"}]`),
        x.outlets.length > 1 ? h("span", { class: "muted" }, ` — نقلته أيضاً ${count(x.outlets.length - 1, OUTLETS)}`) : null))))
    : null;
  const spellings = res.searched.length > 1
    ? h("p", { class: "muted" }, "بحثنا أيضاً عن: ", res.searched.slice(1).map((w, i) => [i ? "، " : "", h("bdi", {}, w)])) : null;
  return h("div", {},
    h("h1", {}, "نتائج البحث: ", h("bdi", {}, q)),
    form, spellings, entityList,
    section(`المقالات (${res.total}${res.total_exact ? "" : "+"})`,
      res.results.length ? results : empty("لا نتائج."),
      pager(res, (off) => hashFor("search", { q, ...filters, offset: off }))),
    quotes);
}

// ---- entities ----
async function entitiesView(params) {
  const type = params.get("type") || "";
  const prefix = params.get("prefix") || params.get("q") || "";
  const offset = offsetOf(params);
  const qs = new URLSearchParams({ limit: "50", offset: String(offset) });
  if (type) qs.set("type", type);
  if (prefix) qs.set("prefix", prefix);
  const res = await api(`/api/entities?${qs}`);
  const go = (t, p, off) => hashFor("entities", { type: t, prefix: p, offset: off || null });
  const input = h("input", { type: "search", id: "ent-prefix", value: prefix, placeholder: "بداية اسم أو صيغة…" });
  const form = h("form", { class: "search", onsubmit: (e) => { e.preventDefault(); location.hash = go(type, input.value.trim()); } },
    h("label", { for: "ent-prefix", class: "sr-only" }, "بحث في الكيانات"), input, h("button", { type: "submit" }, "بحث"));
  const tabs = h("p", { class: "tabs" }, Object.entries(TYPE_PLURALS).map(([t, label]) =>
    h("a", { href: go(t, prefix), class: t === type ? "tab active" : "tab" }, label)));
  return h("div", {},
    h("h1", {}, "الكيانات"), tabs, form,
    h("p", { class: "muted" }, count(res.total, ENTITIES)),
    res.entities.length
      ? table({}, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "الاسم"), h("th", { scope: "col" }, "بالحروف اللاتينية"),
          h("th", { scope: "col" }, "النوع"), h("th", { scope: "col" }, "الصيغ"), h("th", { scope: "col" }, "الإشارات"))),
          h("tbody", {}, res.entities.map((e) => h("tr", {},
            h("td", {}, link(`#/entity/${encodeURIComponent(e.id)}`, e.name)),
            h("td", { dir: "ltr", class: "ltr" }, e.latin || "—"),
            h("td", {}, h("span", { class: `m m-${e.type}` }, TYPE_NAMES[e.type] || e.type)),
            h("td", {}, e.variants.slice(0, 6).join("، ")),
            h("td", {}, `${count(e.mentions, MENTIONS)} في ${count(e.articles, ARTICLES)}`)))))
      : empty("لا كيانات."),
    pager(res, (off) => go(type, prefix, off)));
}

async function entityView(id, params) {
  const offset = offsetOf(params);
  const eid = encodeURIComponent(id);
  const [e, related, quotes] = await Promise.all([
    api(`/api/entities/${eid}?${new URLSearchParams({ limit: "50", offset: String(offset) })}`),
    api(`/api/entities/${eid}/related`), api(`/api/entities/${eid}/quotes`)]);
  const ml = e.mention_list;
  const quoteList = (items, withSpeaker) => h("ul", { class: "quotes" }, items.map((q) => h("li", {},
    withSpeaker ? [h("strong", {}, q.speaker ? link(`#/entity/${encodeURIComponent(q.speaker)}`, q.speaker_name || q.speaker_text || "؟") : (q.speaker_text || "متحدث غير معروف")), ": "] : null,
    h("q", {}, q.text), " ",
    link(articleHref(q.copies[0].article, q.copies[0]), "[", q.copies[0].outlet || "المقال", q.copies[0].published ? ["، ", iso(q.copies[0].published)] : null, "]"),
    q.outlets.length > 1 ? h("span", { class: "muted", title: q.outlets.slice(1).join("، ") }, ` — نقلته أيضاً ${count(q.outlets.length - 1, OUTLETS)}`) : null)));
  return h("div", {},
    h("nav", { class: "crumbs", "aria-label": "المسار" }, link("#/", "الرئيسية"), " › ", link("#/entities", "الكيانات")),
    h("h1", {}, e.name, " ", h("span", { class: `m m-${e.type}` }, TYPE_NAMES[e.type] || e.type)),
    e.merged_from ? h("p", { class: "muted" }, "دُمج فيه الكيان ", h("bdi", {}, e.merged_from), ".") : null,
    h("div", { class: "card" }, h("dl", { class: "meta-grid" },
      h("dt", {}, "بالحروف اللاتينية"), h("dd", { dir: "ltr", class: "ltr" }, e.latin || "—"),
      h("dt", {}, "الصيغ"), h("dd", {}, e.variants.join("، ")),
      h("dt", {}, "الصفات"), h("dd", {}, (e.roles || []).join("، ") || "—"),
      h("dt", {}, "الإشارات"), h("dd", {}, `${count(e.mentions, MENTIONS)} في ${count(e.articles, ARTICLES)}`),
      h("dt", {}, "الفترة"), h("dd", {}, dateRange(e.first_published, e.last_published)))),
    section("الإشارات عبر الزمن", figure(`/charts/entities/${eid}/mentions.svg`, `عدد الإشارات إلى ${e.name} في كل يوم`,
      "الإشارات في اليوم (أو في الأسبوع أو الشهر على مدى طويل)")),
    section("يُذكر معه", related.related.length
      ? h("ul", { class: "chips" }, related.related.map((r) => h("li", {},
          h("a", { href: `#/entity/${encodeURIComponent(r.id)}`, class: `m m-${r.type}` }, r.name),
          h("span", { class: "muted" }, ` ${count(r.shared_articles, ARTICLES)}`))))
      : empty("لا كيانات أخرى في مقالاته.")),
    section("القصص", e.stories.length
      ? h("ul", {}, e.stories.map((s) => h("li", {}, link(`#/story/${encodeURIComponent(s.id)}`, storyTitle(s)),
          h("span", { class: "muted" }, ` — ${count(s.articles_with_entity, ARTICLES)} من ${s.size}، `), dateRange(s.first_published, s.last_published))))
      : empty("لا قصص.")),
    section("أقواله", quotes.by.length
      ? h("div", {}, quoteList(quotes.by, false),
          e.quotes_total > quotes.by.length ? link(hashFor("quotes", { speaker: e.id }), `كل الأقوال (${e.quotes_total})`) : null)
      : empty("لا اقتباسات منسوبة.")),
    section("أقوال عنه", quotes.about.length ? quoteList(quotes.about, true) : empty("لا أقوال تذكره.")),
    section("الإشارات", h("ul", {}, ml.items.map((m) => h("li", {},
      link(articleHref(m.article, { start: m.start, end: m.end }), titleOf(m)),
      h("span", { class: "muted" }, ` — «${m.text}»، ${m.outlet || "؟"}، `), m.published ? iso(m.published) : "بلا تاريخ"))),
      pager(ml, (off) => hashFor(`entity/${encodeURIComponent(e.id)}`, { offset: off })),
      link(hashFor("articles", { entity: e.id }), "المقالات التي تذكره")));
}

// ---- quotes ----
async function quotesView(params) {
  const offset = offsetOf(params);
  const filters = {};
  for (const k of ["speaker", "story"]) if (params.get(k)) filters[k] = params.get(k);
  const res = await api(`/api/quotes?${new URLSearchParams({ ...filters, limit: "50", offset: String(offset) })}`);
  return h("div", {},
    h("h1", {}, "الاقتباسات"),
    Object.keys(filters).length ? h("p", { class: "meta" }, link("#/quotes", "كل الاقتباسات"),
      filters.story ? link(`#/story/${encodeURIComponent(filters.story)}`, "القصة") : null) : null,
    h("p", { class: "muted" }, count(res.total, QUOTES)),
    res.quotes.length
      ? h("ul", { class: "quotes" }, res.quotes.map((q) => h("li", { class: "card" },
          h("strong", {}, q.speaker ? link(`#/entity/${encodeURIComponent(q.speaker)}`, q.speaker_name || q.speaker_text || "؟")
            : (q.speaker_text || "متحدث غير معروف")),
          h("span", { class: "muted" }, q.direct ? " (مباشر): " : " (منقول): "), q.text, " ",
          link(articleHref(q.article, q), "[", q.outlet || "المقال", q.published ? ["، ", iso(q.published)] : null, "]"))))
      : empty("لا اقتباسات."),
    pager(res, (off) => hashFor("quotes", { ...filters, offset: off })));
}

function setupSearch() {
  // The skip link moves the focus to the content without changing the route (#/...).
  const skip = document.querySelector("a.skip");
  if (skip) skip.addEventListener("click", (e) => { e.preventDefault(); document.getElementById("view").focus(); });
  const form = document.getElementById("search-form");
  if (!form) return;
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const q = document.getElementById("q").value.trim();
    if (q) location.hash = hashFor("search", { q });
  });
}

window.addEventListener("hashchange", route);
window.addEventListener("DOMContentLoaded", () => { setupSearch(); route(); });
