"""The database schema, as an append-only list of migrations.

``PRAGMA user_version`` records how many have run. Never edit a shipped migration: add one.
Guild id 0 marks global rows (the shipped knowledge base).

Migration 3: ``facts.revision`` counts a fact's writes, so a write based on an older
version is refused (compare-and-set); ``changes`` is the change feed other processes on
the same database follow. Triggers fill it, so no write path can forget to.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE sources (
        id        TEXT PRIMARY KEY,
        guild_id  INTEGER NOT NULL DEFAULT 0,
        title     TEXT NOT NULL,
        publisher TEXT NOT NULL DEFAULT 'unknown',
        url       TEXT,
        date      TEXT,
        added_by  TEXT NOT NULL,
        added_at  TEXT NOT NULL
    );
    CREATE TABLE sentences (
        source_id TEXT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
        id        TEXT NOT NULL,
        position  INTEGER NOT NULL,
        text      TEXT NOT NULL,
        PRIMARY KEY (source_id, id)
    );
    CREATE TABLE facts (
        guild_id     INTEGER NOT NULL,
        id           TEXT NOT NULL,
        answer       TEXT NOT NULL,
        keywords     TEXT NOT NULL DEFAULT '[]',
        removed      INTEGER NOT NULL DEFAULT 0,
        shipped_hash TEXT,
        edited       INTEGER NOT NULL DEFAULT 0,
        updated_at   TEXT NOT NULL,
        updated_by   TEXT NOT NULL,
        PRIMARY KEY (guild_id, id)
    );
    CREATE TABLE phrasings (
        guild_id INTEGER NOT NULL,
        fact_id  TEXT NOT NULL,
        position INTEGER NOT NULL,
        text     TEXT NOT NULL,
        PRIMARY KEY (guild_id, fact_id, position),
        FOREIGN KEY (guild_id, fact_id) REFERENCES facts (guild_id, id) ON DELETE CASCADE
    );
    CREATE TABLE citations (
        guild_id    INTEGER NOT NULL,
        fact_id     TEXT NOT NULL,
        position    INTEGER NOT NULL,
        source_id   TEXT NOT NULL,
        sentence_id TEXT NOT NULL,
        PRIMARY KEY (guild_id, fact_id, position),
        FOREIGN KEY (guild_id, fact_id) REFERENCES facts (guild_id, id) ON DELETE CASCADE,
        FOREIGN KEY (source_id, sentence_id) REFERENCES sentences (source_id, id)
    );
    CREATE TABLE fact_history (
        id       INTEGER PRIMARY KEY,
        guild_id INTEGER NOT NULL,
        fact_id  TEXT NOT NULL,
        action   TEXT NOT NULL,
        actor    TEXT NOT NULL,
        at       TEXT NOT NULL,
        before   TEXT,
        after    TEXT
    );
    CREATE INDEX fact_history_by_fact ON fact_history (guild_id, fact_id, id);
    CREATE TABLE questions (
        id         INTEGER PRIMARY KEY,
        guild_id   INTEGER NOT NULL,
        channel_id INTEGER,
        question   TEXT NOT NULL,
        fact_id    TEXT,
        answered   INTEGER NOT NULL,
        confidence REAL NOT NULL,
        reply_id   INTEGER,
        asked_at   TEXT NOT NULL
    );
    CREATE INDEX questions_by_guild ON questions (guild_id, answered);
    CREATE INDEX questions_by_fact ON questions (guild_id, fact_id);
    CREATE UNIQUE INDEX questions_by_reply ON questions (reply_id);
    CREATE TABLE feedback (
        reply_id INTEGER NOT NULL,
        user_id  INTEGER NOT NULL,
        vote     INTEGER NOT NULL CHECK (vote IN (-1, 1)),
        at       TEXT NOT NULL,
        PRIMARY KEY (reply_id, user_id)
    );
    """,
    """
    CREATE TABLE out_of_scope (
        guild_id INTEGER NOT NULL,
        question TEXT NOT NULL,
        added_by TEXT NOT NULL,
        added_at TEXT NOT NULL,
        removed  INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (guild_id, question)
    );
    CREATE TABLE guild_settings (
        guild_id     INTEGER PRIMARY KEY,
        shipped_pack INTEGER NOT NULL DEFAULT 1,
        updated_by   TEXT NOT NULL,
        updated_at   TEXT NOT NULL
    );
    """,
    """
    ALTER TABLE facts ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE changes (
        seq      INTEGER PRIMARY KEY AUTOINCREMENT,
        guild_id INTEGER NOT NULL,
        kind     TEXT NOT NULL,
        key      TEXT NOT NULL
    );
    CREATE TRIGGER fact_added AFTER INSERT ON facts BEGIN
        INSERT INTO changes (guild_id, kind, key) VALUES (new.guild_id, 'fact', new.id);
    END;
    CREATE TRIGGER fact_changed AFTER UPDATE ON facts BEGIN
        INSERT INTO changes (guild_id, kind, key) VALUES (new.guild_id, 'fact', new.id);
    END;
    CREATE TRIGGER source_added AFTER INSERT ON sources BEGIN
        INSERT INTO changes (guild_id, kind, key) VALUES (new.guild_id, 'source', new.id);
    END;
    CREATE TRIGGER source_changed AFTER UPDATE ON sources BEGIN
        INSERT INTO changes (guild_id, kind, key) VALUES (new.guild_id, 'source', new.id);
    END;
    CREATE TRIGGER out_of_scope_added AFTER INSERT ON out_of_scope BEGIN
        INSERT INTO changes (guild_id, kind, key) VALUES (new.guild_id, 'out_of_scope', '');
    END;
    CREATE TRIGGER out_of_scope_changed AFTER UPDATE ON out_of_scope BEGIN
        INSERT INTO changes (guild_id, kind, key) VALUES (new.guild_id, 'out_of_scope', '');
    END;
    CREATE TRIGGER settings_added AFTER INSERT ON guild_settings BEGIN
        INSERT INTO changes (guild_id, kind, key) VALUES (new.guild_id, 'settings', '');
    END;
    CREATE TRIGGER settings_changed AFTER UPDATE ON guild_settings BEGIN
        INSERT INTO changes (guild_id, kind, key) VALUES (new.guild_id, 'settings', '');
    END;
    """,
)
