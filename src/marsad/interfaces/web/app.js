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

function dateRange(first, last) {
  if (!first) return "بلا تاريخ";
  return first === last ? first : `${first} ← ${last}`;
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

async function route() {
  const token = ++renderToken;
  const { parts, params } = parseHash();
  const view = document.getElementById("view");
  const [page, id] = parts;
  const nav = { story: "stories", article: "articles", articles: "articles", entities: "entities", entity: "entities",
    quotes: "quotes", search: "search" };
  for (const a of document.querySelectorAll("[data-nav]")) {
    a.classList.toggle("active", a.dataset.nav === (nav[page] || "stories"));
  }
  const box = document.getElementById("q");
  if (box && page !== "search") box.value = "";
  setStatus("جارٍ التحميل…");
  try {
    let node;
    if (!page) node = await storiesView(params);
    else if (page === "story" && id) node = await storyView(id);
    else if (page === "article" && id) node = await articleView(id);
    else if (page === "articles") node = await articlesView(params);
    else if (page === "entities") node = await entitiesView(params);
    else if (page === "entity" && id) node = await entityView(id, params);
    else if (page === "quotes") node = await quotesView(params);
    else if (page === "search") node = await searchView(params);
    else throw new Error("صفحة غير موجودة");
    if (token !== renderToken) return; // a newer navigation won
    view.replaceChildren(node);
    window.scrollTo(0, 0);
    setStatus("");
  } catch (err) {
    if (token !== renderToken) return;
    view.replaceChildren(h("div", { class: "card error" }, h("h2", {}, "تعذّر العرض"), h("p", {}, err.message),
      link("#/", "العودة إلى القصص")));
    setStatus("");
  }
}

// ---- stories ----
async function storiesView(params) {
  const sort = params.get("sort") === "recent" ? "recent" : "size";
  const offset = offsetOf(params);
  const [res, health] = await Promise.all([
    api(`/api/stories?${new URLSearchParams({ sort, limit: "50", offset: String(offset) })}`), api("/api/health")]);
  const list = h("ul", { class: "stories" }, res.stories.map((s) =>
    h("li", { class: "card story-card" },
      h("h2", {}, link(`#/story/${encodeURIComponent(s.id)}`, s.title || s.id)),
      h("p", { class: "meta" },
        h("span", { class: "pill" }, count(s.size, ARTICLES)),
        h("span", {}, dateRange(s.first_published, s.last_published)),
        h("span", {}, count(s.outlets, OUTLETS))))));
  const tabs = h("p", { class: "tabs" },
    h("a", { href: hashFor("", { sort: "size" }), class: sort === "size" ? "tab active" : "tab" }, "الأكبر"),
    h("a", { href: hashFor("", { sort: "recent" }), class: sort === "recent" ? "tab active" : "tab" }, "الأحدث"));
  return h("div", {},
    h("h1", {}, "القصص"),
    h("p", { class: "muted" }, `في المخزن ${count(health.articles, ARTICLES)} في ${count(health.stories, STORIES)}، و${count(health.entities, ENTITIES)}.`),
    tabs,
    res.stories.length ? list : empty("لا قصص بعد. أضف مقالات بالأمر marsad ingest."),
    pager(res, (off) => hashFor("", { sort, offset: off })));
}

function citer(members) {
  // Citation links [n] numbered by the article's place in the story.
  const index = new Map(members.map((m, i) => [m.id, i + 1]));
  const byId = new Map(members.map((m) => [m.id, m]));
  return (ids) => h("span", { class: "cites" }, (ids || []).map((id) => {
    const m = byId.get(id);
    const label = m ? `${m.outlet || "؟"} — ${m.title || id}` : id;
    return h("a", { href: `#/article/${encodeURIComponent(id)}`, class: "cite", title: label },
      `[${index.get(id) || "؟"}]`);
  }));
}

async function storyView(id) {
  const s = await api(`/api/stories/${encodeURIComponent(id)}`);
  const cite = citer(s.members);
  const title = new Map(s.members.map((m) => [m.id, m]));
  const articleRef = (aid) => {
    const m = title.get(aid);
    return link(`#/article/${encodeURIComponent(aid)}`, m ? `${m.outlet || "؟"}: ${m.title || aid}` : aid);
  };

  const timeline = s.timeline.length
    ? h("ol", { class: "timeline" }, s.timeline.map((t) =>
        h("li", {}, h("time", {}, t.date), h("p", {}, t.text, " ", cite(t.articles)))))
    : empty("لا أحداث مؤرخة.");
  const summary = s.summary.length
    ? h("ul", { class: "summary" }, s.summary.map((x) => h("li", {}, x.text, " ", cite(x.articles))))
    : empty("لا ملخص.");
  const claims = s.claims.length
    ? h("ul", { class: "claims" }, s.claims.map((c) =>
        h("li", {},
          h("span", { class: `pill ${c.independent_sources > 1 ? "ok" : "warn"}`, title: "المنافذ التي تنقل نص الوكالة نفسه تُحسب مصدراً واحداً" },
            count(c.independent_sources, SOURCES)),
          " ", c.text, " ", cite(c.articles))))
    : empty("لا ادعاءات.");
  const disagreements = s.disagreements.length
    ? h("div", {}, s.disagreements.map((d) =>
        h("div", { class: "disagreement" },
          h("h3", {}, d.about),
          h("ul", {}, d.positions.map((p) =>
            h("li", {},
              p.value !== undefined && p.value !== null
                ? h("span", { class: "pill warn" }, `${p.value}${p.unit ? " " + p.unit : ""}`) : null,
              " ", p.text, " ", cite(p.articles)))))))
    : empty("لا تعارض بين المصادر.");
  const members = h("table", {},
    h("thead", {}, h("tr", {}, h("th", {}, "#"), h("th", {}, "العنوان"), h("th", {}, "المنفذ"),
      h("th", {}, "التاريخ"), h("th", {}, "الوكالات"))),
    h("tbody", {}, s.members.map((m, i) =>
      h("tr", {}, h("td", {}, `[${i + 1}]`), h("td", {}, link(`#/article/${encodeURIComponent(m.id)}`, m.title || m.id)),
        h("td", {}, m.outlet || "—"), h("td", {}, m.published || "—"), h("td", {}, (m.wire || []).join("، ") || "—")))));
  const reuse = s.reuse.length
    ? h("ul", { class: "reuse" }, s.reuse.map((p) =>
        h("li", {}, h("span", { class: "pill" }, REUSE_KINDS[p.kind] || p.kind),
          p.agency ? ` (${p.agency}) ` : " ",
          articleRef(p.a), " ⟷ ", articleRef(p.b),
          h("span", { class: "muted" }, ` — ${count(p.shared_chars, CHARS)} مشتركة في ${count(p.passages.length, PASSAGES)}`))))
    : empty("لا نصوص مشتركة بين مقالات القصة.");

  return h("div", {},
    h("p", { class: "crumbs" }, link("#/", "القصص"), " › "),
    h("h1", {}, s.title),
    h("p", { class: "meta" }, h("span", { class: "pill" }, count(s.size, ARTICLES)),
      h("span", {}, dateRange(s.first_published, s.last_published)), h("span", {}, s.outlet_names.join("، ")),
      link(hashFor("quotes", { story: s.id }), "اقتباسات القصة")),
    section("الملخص", summary),
    section("التسلسل الزمني", timeline),
    section("الادعاءات", claims),
    section("نقاط الخلاف", disagreements),
    section("المقالات", members, s.members_total > s.members.length
      ? link(hashFor("articles", { story: s.id }), `كل المقالات (${s.members_total})`) : null),
    section("النصوص المشتركة", reuse));
}

// ---- article ----
function highlighted(text, spans) {
  // Split the text at every span boundary; each piece carries the classes of the spans over it.
  spans = spans.filter((s) => Number.isInteger(s.start) && Number.isInteger(s.end) &&
    s.start >= 0 && s.end <= text.length && s.start < s.end);
  const cuts = new Set([0, text.length]);
  for (const s of spans) { cuts.add(s.start); cuts.add(s.end); }
  const points = [...cuts].sort((a, b) => a - b);
  const out = h("div", { class: "article-text", dir: "rtl" });
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
    out.appendChild(node);
  }
  return out;
}

async function articleView(id) {
  const a = await api(`/api/articles/${encodeURIComponent(id)}`);
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
  ]));
  showNumbers.addEventListener("change", draw);
  showDates.addEventListener("change", draw);
  draw();

  const url = safeUrl(a.url) || safeUrl(a.source);
  const meta = h("dl", { class: "meta-grid" },
    h("dt", {}, "المنفذ"), h("dd", {}, a.outlet || "—"),
    h("dt", {}, "الكاتب"), h("dd", {}, a.author || "—"),
    h("dt", {}, "التاريخ"), h("dd", {}, a.published || "—",
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
    ? h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "النص"), h("th", {}, "القيمة"), h("th", {}, "الوحدة"))),
        h("tbody", {}, a.numbers.map((n) => h("tr", {}, h("td", {}, n.text), h("td", { class: "ltr" }, String(n.value)), h("td", {}, n.unit || "—")))))
    : empty("لا أعداد.");
  const dates = a.dates.length
    ? h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "النص"), h("th", {}, "التاريخ"), h("th", {}, "الاستنتاج"))),
        h("tbody", {}, a.dates.map((d) => h("tr", {}, h("td", {}, d.text), h("td", { class: "ltr" }, d.date), h("td", {}, RESOLVED[d.resolved_from] || d.resolved_from)))))
    : empty("لا تواريخ.");
  const reuse = a.reuse.length
    ? h("ul", {}, a.reuse.map((p) => h("li", {}, h("span", { class: "pill" }, REUSE_KINDS[p.kind] || p.kind),
        p.agency ? ` (${p.agency}) ` : " ",
        link(`#/article/${encodeURIComponent(p.other.id)}`, `${p.other.outlet || "؟"}: ${p.other.title || p.other.id}`),
        h("span", { class: "muted" }, ` — ${count(p.shared_chars, CHARS)} مشتركة`))))
    : null;
  const removed = a.removed.length
    ? h("details", { class: "card" }, h("summary", {}, `أسطر حُذفت بوصفها حشواً (${a.removed.length})`),
        h("ul", { class: "removed" }, a.removed.map((r) => h("li", {}, r))))
    : null;

  return h("div", {},
    h("p", { class: "crumbs" }, link("#/", "القصص"), " › ",
      a.story ? link(`#/story/${encodeURIComponent(a.story)}`, "القصة") : null),
    h("h1", {}, a.title || "(بلا عنوان)"),
    h("div", { class: "card" }, meta),
    h("div", { class: "card" }, legend, holder),
    section("الاقتباسات", quotes),
    reuse ? section("نصوص مشتركة مع مقالات أخرى", reuse) : null,
    section("الأعداد", numbers),
    section("التواريخ", dates),
    removed);
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
    h("span", { class: "pill" }, `${labels[k]}: ${v} `, link(hashFor("articles", { ...filters, [k]: null }), "✕")));
  return h("div", {},
    h("h1", {}, "المقالات"),
    active.length ? h("p", { class: "meta" }, active) : null,
    h("p", { class: "muted" }, count(res.total, ARTICLES)),
    res.articles.length ? articleTable(res.articles) : empty("لا نتائج."),
    pager(res, (off) => hashFor("articles", { ...filters, offset: off })));
}

function articleTable(rows) {
  return h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "العنوان"), h("th", {}, "المنفذ"), h("th", {}, "التاريخ"), h("th", {}, "القصة"))),
    h("tbody", {}, rows.map((a) => h("tr", {},
      h("td", {}, link(`#/article/${encodeURIComponent(a.id)}`, a.title || a.id)),
      h("td", {}, a.outlet ? link(hashFor("articles", { outlet: a.outlet }), a.outlet) : "—"),
      h("td", {}, a.published || "—"),
      h("td", {}, a.story ? link(`#/story/${encodeURIComponent(a.story)}`, "القصة") : "—")))));
}

// ---- search ----
async function searchView(params) {
  const q = (params.get("q") || "").trim();
  const offset = offsetOf(params);
  const box = document.getElementById("q");
  if (box) box.value = q;
  if (!q) return h("div", {}, h("h1", {}, "البحث"), empty("اكتب كلمة أو اسماً في مربع البحث أعلى الصفحة."));
  const res = await api(`/api/search?${new URLSearchParams({ q, limit: "20", offset: String(offset) })}`);
  const results = h("ol", { class: "results", start: String(offset + 1) }, res.results.map((r) =>
    h("li", { class: "card" },
      h("h2", {}, h("a", { href: `#/article/${encodeURIComponent(r.id)}` }, marked(r.title || r.id, r.title_highlights))),
      h("p", { class: "meta" }, h("span", {}, r.outlet || "منفذ غير معروف"), h("span", {}, r.published || "بلا تاريخ"),
        r.story ? link(`#/story/${encodeURIComponent(r.story)}`, "القصة") : null),
      h("p", { class: "snippet" }, r.snippet_start > 0 ? "… " : "", marked(r.snippet, r.highlights), " …"))));
  const entities = res.entities.length
    ? h("p", { class: "meta" }, "كيانات: ", res.entities.map((e) =>
        h("a", { href: `#/entity/${encodeURIComponent(e.id)}`, class: `m m-${e.type}` }, e.name)))
    : null;
  const quotes = res.quotes.length
    ? section("أقوال", h("ul", { class: "quotes" }, res.quotes.map((x) => h("li", {},
        h("strong", {}, link(`#/entity/${encodeURIComponent(x.speaker)}`, x.speaker_name || "؟")), ": ", x.text, " ",
        link(`#/article/${encodeURIComponent(x.article)}`, "[المقال]")))))
    : null;
  const spellings = res.searched.length > 1
    ? h("p", { class: "muted" }, "بحثنا أيضاً عن: ", res.searched.slice(1).join("، ")) : null;
  return h("div", {},
    h("h1", {}, "نتائج البحث: ", h("bdi", {}, q)),
    h("p", { class: "muted" }, `${count(res.total, RESULTS)}${res.total_exact ? "" : " أو أكثر"}`),
    spellings, entities,
    res.results.length ? results : empty("لا نتائج."),
    pager(res, (off) => hashFor("search", { q, offset: off })),
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
  const input = h("input", { type: "search", value: prefix, placeholder: "بداية اسم أو صيغة…", "aria-label": "بحث في الكيانات" });
  const form = h("form", { class: "search", onsubmit: (e) => { e.preventDefault(); location.hash = go(type, input.value.trim()); } },
    input, h("button", { type: "submit" }, "بحث"));
  const tabs = h("p", { class: "tabs" }, Object.entries(TYPE_PLURALS).map(([t, label]) =>
    h("a", { href: go(t, prefix), class: t === type ? "tab active" : "tab" }, label)));
  return h("div", {},
    h("h1", {}, "الكيانات"), tabs, form,
    h("p", { class: "muted" }, count(res.total, ENTITIES)),
    res.entities.length
      ? h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "الاسم"), h("th", {}, "بالحروف اللاتينية"), h("th", {}, "النوع"),
          h("th", {}, "الصيغ"), h("th", {}, "الإشارات"))),
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
  const e = await api(`/api/entities/${encodeURIComponent(id)}?${new URLSearchParams({ limit: "50", offset: String(offset) })}`);
  const ml = e.mention_list;
  return h("div", {},
    h("p", { class: "crumbs" }, link("#/entities", "الكيانات"), " › "),
    h("h1", {}, e.name, " ", h("span", { class: `m m-${e.type}` }, TYPE_NAMES[e.type] || e.type)),
    e.merged_from ? h("p", { class: "muted" }, `دُمج فيه الكيان ${e.merged_from}.`) : null,
    h("div", { class: "card" }, h("dl", { class: "meta-grid" },
      h("dt", {}, "بالحروف اللاتينية"), h("dd", { dir: "ltr", class: "ltr" }, e.latin || "—"),
      h("dt", {}, "الصيغ"), h("dd", {}, e.variants.join("، ")),
      h("dt", {}, "الصفات"), h("dd", {}, (e.roles || []).join("، ") || "—"),
      h("dt", {}, "الإشارات"), h("dd", {}, `${count(e.mentions, MENTIONS)} في ${count(e.articles, ARTICLES)}`),
      h("dt", {}, "الفترة"), h("dd", {}, dateRange(e.first_published, e.last_published)))),
    section("القصص", e.stories.length
      ? h("ul", {}, e.stories.map((s) => h("li", {}, link(`#/story/${encodeURIComponent(s.id)}`, s.title || s.id),
          h("span", { class: "muted" }, ` — ${count(s.articles_with_entity, ARTICLES)} من ${s.size}`))))
      : empty("لا قصص.")),
    section("أقواله", e.quotes.length
      ? h("div", {}, h("ul", { class: "quotes" }, e.quotes.map((q) => h("li", {}, q.text, " ",
          link(`#/article/${encodeURIComponent(q.article)}`, `[${q.outlet || "المقال"}${q.published ? "، " + q.published : ""}]`)))),
          e.quotes_total > e.quotes.length ? link(hashFor("quotes", { speaker: e.id }), `كل الأقوال (${e.quotes_total})`) : null)
      : empty("لا اقتباسات منسوبة.")),
    section("الإشارات", h("ul", {}, ml.items.map((m) => h("li", {},
      link(`#/article/${encodeURIComponent(m.article)}`, m.title || m.article),
      h("span", { class: "muted" }, ` — «${m.text}»، ${m.outlet || "؟"}، ${m.published || "بلا تاريخ"}`)))),
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
          link(`#/article/${encodeURIComponent(q.article)}`, `[${q.outlet || "المقال"}${q.published ? "، " + q.published : ""}]`))))
      : empty("لا اقتباسات."),
    pager(res, (off) => hashFor("quotes", { ...filters, offset: off })));
}

function setupSearch() {
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
