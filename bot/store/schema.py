"""The database schema, as an append-only list of migrations.

``PRAGMA user_version`` records how many have run. Never edit a shipped migration: add one.
Guild id 0 marks global rows (the shipped knowledge base).

Migration 3: ``facts.revision`` counts a fact's writes, so a write based on an older
version is refused (compare-and-set); ``changes`` is the change feed other processes on
the same database follow. Triggers fill it, so no write path can forget to.
Migration 4: ``answer_channels``, where a server's moderators let plain questions be
answered. Migration 5: ``questions.message_id``, the message that asked, so that a reply
still follows its question's edits after a restart. Migration 6: ``votes`` replaces
``feedback``: a 👍 or 👎 belongs to the question whose answer it judged (``feedback`` was
keyed by the reply, which moves to the edited question when a member edits theirs).
Migration 7: ``moderator_roles``, the roles a server's admins let curate. Migration 8:
``sources.removed``: a server's moderators take back a document no fact of theirs cites
(who and when in ``updated_by`` / ``updated_at``); its sentences stay.
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
    """
    CREATE TABLE answer_channels (
        guild_id   INTEGER NOT NULL,
        channel_id INTEGER NOT NULL,
        removed    INTEGER NOT NULL DEFAULT 0,
        updated_by TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (guild_id, channel_id)
    );
    CREATE TRIGGER answer_channel_added AFTER INSERT ON answer_channels BEGIN
        INSERT INTO changes (guild_id, kind, key) VALUES (new.guild_id, 'channels', '');
    END;
    CREATE TRIGGER answer_channel_changed AFTER UPDATE ON answer_channels BEGIN
        INSERT INTO changes (guild_id, kind, key) VALUES (new.guild_id, 'channels', '');
    END;
    """,
    """
    ALTER TABLE questions ADD COLUMN message_id INTEGER;
    CREATE INDEX questions_by_message ON questions (message_id);
    """,
    """
    CREATE TABLE votes (
        question_id INTEGER NOT NULL REFERENCES questions (id),
        user_id     INTEGER NOT NULL,
        vote        INTEGER NOT NULL CHECK (vote IN (-1, 1)),
        at          TEXT NOT NULL,
        PRIMARY KEY (question_id, user_id)
    );
    INSERT INTO votes (question_id, user_id, vote, at)
        SELECT q.id, f.user_id, f.vote, f.at
        FROM feedback f JOIN questions q ON q.reply_id = f.reply_id;
    DROP TABLE feedback;
    """,
    """
    CREATE TABLE moderator_roles (
        guild_id   INTEGER NOT NULL,
        role_id    INTEGER NOT NULL,
        removed    INTEGER NOT NULL DEFAULT 0,
        updated_by TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (guild_id, role_id)
    );
    CREATE TRIGGER moderator_role_added AFTER INSERT ON moderator_roles BEGIN
        INSERT INTO changes (guild_id, kind, key) VALUES (new.guild_id, 'roles', '');
    END;
    CREATE TRIGGER moderator_role_changed AFTER UPDATE ON moderator_roles BEGIN
        INSERT INTO changes (guild_id, kind, key) VALUES (new.guild_id, 'roles', '');
    END;
    """,
    """
    ALTER TABLE sources ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sources ADD COLUMN updated_by TEXT;
    ALTER TABLE sources ADD COLUMN updated_at TEXT;
    """,
)

POSTGRES_SCHEMA_VERSION = 6
"""PostgreSQL schemas are numbered on their own, in ``meta`` (key ``schema``): version 1
holds what SQLite's migrations 1–3 built, in PostgreSQL's types (Discord ids need BIGINT);
each later version is :data:`POSTGRES_UPGRADES`' script of that number."""

POSTGRES_SCHEMA = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE sources (
    id        TEXT PRIMARY KEY,
    guild_id  BIGINT NOT NULL DEFAULT 0,
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
    guild_id     BIGINT NOT NULL,
    id           TEXT NOT NULL,
    answer       TEXT NOT NULL,
    keywords     TEXT NOT NULL DEFAULT '[]',
    removed      INTEGER NOT NULL DEFAULT 0,
    shipped_hash TEXT,
    edited       INTEGER NOT NULL DEFAULT 0,
    updated_at   TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    revision     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, id)
);
CREATE TABLE phrasings (
    guild_id BIGINT NOT NULL,
    fact_id  TEXT NOT NULL,
    position INTEGER NOT NULL,
    text     TEXT NOT NULL,
    PRIMARY KEY (guild_id, fact_id, position),
    FOREIGN KEY (guild_id, fact_id) REFERENCES facts (guild_id, id) ON DELETE CASCADE
);
CREATE TABLE citations (
    guild_id    BIGINT NOT NULL,
    fact_id     TEXT NOT NULL,
    position    INTEGER NOT NULL,
    source_id   TEXT NOT NULL,
    sentence_id TEXT NOT NULL,
    PRIMARY KEY (guild_id, fact_id, position),
    FOREIGN KEY (guild_id, fact_id) REFERENCES facts (guild_id, id) ON DELETE CASCADE,
    FOREIGN KEY (source_id, sentence_id) REFERENCES sentences (source_id, id)
);
CREATE TABLE fact_history (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guild_id BIGINT NOT NULL,
    fact_id  TEXT NOT NULL,
    action   TEXT NOT NULL,
    actor    TEXT NOT NULL,
    at       TEXT NOT NULL,
    before   TEXT,
    after    TEXT
);
CREATE INDEX fact_history_by_fact ON fact_history (guild_id, fact_id, id);
CREATE TABLE questions (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guild_id   BIGINT NOT NULL,
    channel_id BIGINT,
    question   TEXT NOT NULL,
    fact_id    TEXT,
    answered   INTEGER NOT NULL,
    confidence DOUBLE PRECISION NOT NULL,
    reply_id   BIGINT,
    asked_at   TEXT NOT NULL
);
CREATE INDEX questions_by_guild ON questions (guild_id, answered);
CREATE INDEX questions_by_fact ON questions (guild_id, fact_id);
CREATE UNIQUE INDEX questions_by_reply ON questions (reply_id);
CREATE TABLE feedback (
    reply_id BIGINT NOT NULL,
    user_id  BIGINT NOT NULL,
    vote     INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    at       TEXT NOT NULL,
    PRIMARY KEY (reply_id, user_id)
);
CREATE TABLE out_of_scope (
    guild_id BIGINT NOT NULL,
    question TEXT NOT NULL,
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL,
    removed  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, question)
);
CREATE TABLE guild_settings (
    guild_id     BIGINT PRIMARY KEY,
    shipped_pack INTEGER NOT NULL DEFAULT 1,
    updated_by   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE TABLE changes (
    seq      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guild_id BIGINT NOT NULL,
    kind     TEXT NOT NULL,
    key      TEXT NOT NULL
);
-- One function for every table's trigger: TG_ARGV[0] is the kind of change; the key is
-- the row's id where it has one. The advisory lock (held to commit) keeps the feed's
-- numbers in commit order; NOTIFY tells the listening processes at commit.
CREATE FUNCTION factbot_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(1178682196);
    INSERT INTO changes (guild_id, kind, key)
    VALUES (NEW.guild_id, TG_ARGV[0], coalesce(to_jsonb(NEW) ->> 'id', ''));
    PERFORM pg_notify('factbot_changes', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER fact_changed AFTER INSERT OR UPDATE ON facts
    FOR EACH ROW EXECUTE FUNCTION factbot_record_change('fact');
CREATE TRIGGER source_changed AFTER INSERT OR UPDATE ON sources
    FOR EACH ROW EXECUTE FUNCTION factbot_record_change('source');
CREATE TRIGGER out_of_scope_changed AFTER INSERT OR UPDATE ON out_of_scope
    FOR EACH ROW EXECUTE FUNCTION factbot_record_change('out_of_scope');
CREATE TRIGGER settings_changed AFTER INSERT OR UPDATE ON guild_settings
    FOR EACH ROW EXECUTE FUNCTION factbot_record_change('settings');
"""

POSTGRES_UPGRADES: dict[int, str] = {
    2: """
CREATE TABLE answer_channels (
    guild_id   BIGINT NOT NULL,
    channel_id BIGINT NOT NULL,
    removed    INTEGER NOT NULL DEFAULT 0,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, channel_id)
);
CREATE TRIGGER answer_channels_changed AFTER INSERT OR UPDATE ON answer_channels
    FOR EACH ROW EXECUTE FUNCTION factbot_record_change('channels');
""",
    3: """
ALTER TABLE questions ADD COLUMN message_id BIGINT;
CREATE INDEX questions_by_message ON questions (message_id);
""",
    4: """
CREATE TABLE votes (
    question_id BIGINT NOT NULL REFERENCES questions (id),
    user_id     BIGINT NOT NULL,
    vote        INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    at          TEXT NOT NULL,
    PRIMARY KEY (question_id, user_id)
);
INSERT INTO votes (question_id, user_id, vote, at)
    SELECT q.id, f.user_id, f.vote, f.at
    FROM feedback f JOIN questions q ON q.reply_id = f.reply_id;
DROP TABLE feedback;
""",
    5: """
CREATE TABLE moderator_roles (
    guild_id   BIGINT NOT NULL,
    role_id    BIGINT NOT NULL,
    removed    INTEGER NOT NULL DEFAULT 0,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, role_id)
);
CREATE TRIGGER moderator_roles_changed AFTER INSERT OR UPDATE ON moderator_roles
    FOR EACH ROW EXECUTE FUNCTION factbot_record_change('roles');
""",
    6: """
ALTER TABLE sources ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN updated_by TEXT;
ALTER TABLE sources ADD COLUMN updated_at TEXT;
""",
}
"""Never edit a shipped upgrade: add one (SQLite's migration of the same change beside)."""
