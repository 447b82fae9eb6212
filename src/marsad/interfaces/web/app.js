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

async function route() {
  const token = ++renderToken;
  const { parts, params } = parseHash();
  const view = document.getElementById("view");
  const [page, id] = parts;
  const nav = { story: "stories", article: "articles", articles: "articles", entities: "entities", entity: "entities" };
  for (const a of document.querySelectorAll("[data-nav]")) {
    a.classList.toggle("active", a.dataset.nav === (nav[page] || "stories"));
  }
  setStatus("جارٍ التحميل…");
  const slow = setTimeout(() => setStatus("جارٍ إعداد التقرير… (أول طلب بعد تغيّر المخزن قد يستغرق ثواني)"), 1500);
  try {
    let node;
    if (!page) node = await storiesView();
    else if (page === "story" && id) node = await storyView(id);
    else if (page === "article" && id) node = await articleView(id);
    else if (page === "articles") node = await articlesView(params);
    else if (page === "entities") node = await entitiesView(params);
    else if (page === "entity" && id) node = await entityView(id);
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
  } finally {
    clearTimeout(slow);
  }
}

// ---- stories ----
async function storiesView() {
  const [{ stories }, health] = await Promise.all([api("/api/stories"), api("/api/health")]);
  const list = h("ul", { class: "stories" }, stories.map((s) =>
    h("li", { class: "card story-card" },
      h("h2", {}, link(`#/story/${encodeURIComponent(s.id)}`, s.title)),
      h("p", { class: "meta" },
        h("span", { class: "pill" }, count(s.articles, ARTICLES)),
        h("span", {}, dateRange(s.first_date, s.last_date)),
        h("span", {}, s.outlets.join("، ") || "منفذ غير معروف")))));
  return h("div", {},
    h("h1", {}, "القصص"),
    h("p", { class: "muted" }, `في المخزن ${count(health.articles, ARTICLES)} في ${count(stories.length, STORIES)}.`),
    stories.length ? list : empty("لا قصص بعد. أضف مقالات بالأمر marsad ingest."));
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
    h("p", { class: "meta" }, h("span", { class: "pill" }, count(s.articles.length, ARTICLES)),
      h("span", {}, dateRange(s.first_date, s.last_date)), h("span", {}, s.outlets.join("، "))),
    section("الملخص", summary),
    section("التسلسل الزمني", timeline),
    section("الادعاءات", claims),
    section("نقاط الخلاف", disagreements),
    section("المقالات", members),
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
async function articlesView(params) {
  const q = params.get("q") || "";
  const offset = Number(params.get("offset") || 0) || 0;
  const limit = 50;
  const qs = new URLSearchParams({ limit: String(limit), offset: String(offset) });
  if (q) qs.set("q", q);
  if (params.get("story")) qs.set("story", params.get("story"));
  if (params.get("outlet")) qs.set("outlet", params.get("outlet"));
  const res = await api(`/api/articles?${qs}`);
  const input = h("input", { type: "search", value: q, placeholder: "ابحث في العناوين والنصوص…", "aria-label": "بحث" });
  const form = h("form", { class: "search", onsubmit: (e) => {
    e.preventDefault();
    location.hash = `#/articles?${new URLSearchParams(input.value.trim() ? { q: input.value.trim() } : {})}`;
  } }, input, h("button", { type: "submit" }, "بحث"));
  const page = (off) => {
    const p = new URLSearchParams(params);
    p.set("offset", String(off));
    return `#/articles?${p}`;
  };
  return h("div", {},
    h("h1", {}, "المقالات"), form,
    h("p", { class: "muted" }, count(res.total, RESULTS)),
    res.articles.length
      ? h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "العنوان"), h("th", {}, "المنفذ"), h("th", {}, "التاريخ"), h("th", {}, "القصة"))),
          h("tbody", {}, res.articles.map((a) => h("tr", {},
            h("td", {}, link(`#/article/${encodeURIComponent(a.id)}`, a.title || a.id)),
            h("td", {}, a.outlet || "—"), h("td", {}, a.published || "—"),
            h("td", {}, a.story ? link(`#/story/${encodeURIComponent(a.story)}`, "القصة") : "—")))))
      : empty("لا نتائج."),
    h("p", { class: "pager" },
      offset > 0 ? link(page(Math.max(0, offset - limit)), "السابق") : null, " ",
      offset + limit < res.total ? link(page(offset + limit), "التالي") : null));
}

// ---- entities ----
async function entitiesView(params) {
  const type = params.get("type") || "";
  const q = params.get("q") || "";
  const qs = new URLSearchParams();
  if (type) qs.set("type", type);
  if (q) qs.set("q", q);
  const res = await api(`/api/entities?${qs}`);
  const go = (t, query) => {
    const p = new URLSearchParams();
    if (t) p.set("type", t);
    if (query) p.set("q", query);
    return `#/entities?${p}`;
  };
  const input = h("input", { type: "search", value: q, placeholder: "ابحث عن اسم أو صيغة…", "aria-label": "بحث" });
  const form = h("form", { class: "search", onsubmit: (e) => { e.preventDefault(); location.hash = go(type, input.value.trim()); } },
    input, h("button", { type: "submit" }, "بحث"));
  const tabs = h("p", { class: "tabs" }, Object.entries(TYPE_PLURALS).map(([t, label]) =>
    h("a", { href: go(t, q), class: t === type ? "tab active" : "tab" }, label)));
  return h("div", {},
    h("h1", {}, "الكيانات"), tabs, form,
    h("p", { class: "muted" }, count(res.total, ENTITIES)),
    res.entities.length
      ? h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "الاسم"), h("th", {}, "بالحروف اللاتينية"), h("th", {}, "النوع"),
          h("th", {}, "الصيغ"), h("th", {}, "الصفات"), h("th", {}, "الإشارات"))),
          h("tbody", {}, res.entities.map((e) => h("tr", {},
            h("td", {}, link(`#/entity/${encodeURIComponent(e.id)}`, e.name)),
            h("td", { dir: "ltr", class: "ltr" }, e.latin || "—"),
            h("td", {}, h("span", { class: `m m-${e.type}` }, TYPE_NAMES[e.type] || e.type)),
            h("td", {}, e.variants.join("، ")),
            h("td", {}, e.roles.join("، ") || "—"),
            h("td", {}, `${count(e.mentions, MENTIONS)} في ${count(e.articles, ARTICLES)}`)))))
      : empty("لا كيانات."));
}

async function entityView(id) {
  const e = await api(`/api/entities/${encodeURIComponent(id)}`);
  return h("div", {},
    h("p", { class: "crumbs" }, link("#/entities", "الكيانات"), " › "),
    h("h1", {}, e.name, " ", h("span", { class: `m m-${e.type}` }, TYPE_NAMES[e.type] || e.type)),
    h("div", { class: "card" }, h("dl", { class: "meta-grid" },
      h("dt", {}, "بالحروف اللاتينية"), h("dd", { dir: "ltr", class: "ltr" }, e.latin || "—"),
      h("dt", {}, "الصيغ"), h("dd", {}, e.variants.join("، ")),
      h("dt", {}, "الصفات"), h("dd", {}, (e.roles || []).join("، ") || "—"),
      h("dt", {}, "الإشارات"), h("dd", {}, String(e.mentions.length)))),
    section("المقالات", h("ul", {}, e.articles.map((a) => h("li", {},
      link(`#/article/${encodeURIComponent(a.id)}`, a.title || a.id),
      h("span", { class: "muted" }, ` — ${a.outlet || "؟"}، ${a.published || "بلا تاريخ"}، ${count(a.mentions, MENTIONS)}`))))),
    section("أقواله", e.quotes.length
      ? h("ul", { class: "quotes" }, e.quotes.map((q) => h("li", {}, q.text, " ",
          link(`#/article/${encodeURIComponent(q.article)}`, "[المقال]"))))
      : empty("لا اقتباسات منسوبة.")));
}

window.addEventListener("hashchange", route);
window.addEventListener("DOMContentLoaded", route);
