"""SQLite storage of the sandbox: one database file, a connection per thread, schema at start."""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

# Tables follow TI's vocabulary; JSON columns hold what TI returns as lists or objects.
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS company (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    subdomain TEXT NOT NULL,
    settings TEXT NOT NULL DEFAULT '{}',          -- AppearanceSettings as JSON
    terms TEXT                                     -- TermsAndConditions.globalTerms
);
CREATE TABLE IF NOT EXISTS languages (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    selector_label TEXT,
    is_custom INTEGER NOT NULL DEFAULT 0,
    position INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS translations (
    id TEXT PRIMARY KEY,
    namespace TEXT NOT NULL CHECK (namespace IN ('lms', 'emails')),
    lang TEXT NOT NULL,
    translations TEXT NOT NULL DEFAULT '{}',       -- JSON object key -> text
    UNIQUE (namespace, lang)
);
CREATE TABLE IF NOT EXISTS clients (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    flags TEXT NOT NULL DEFAULT '{}',             -- the enable* booleans of seed 000 as JSON
    default_language TEXT,
    language_selector_enabled INTEGER NOT NULL DEFAULT 0,
    auto_filter_for_selected_language INTEGER NOT NULL DEFAULT 0,
    languages TEXT NOT NULL DEFAULT '[]',         -- JSON list of BCP 47 tags
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- Access lists of seed 002: list is one of course, learningPath, courseTag,
-- purchasableContent, purchasableTag.
CREATE TABLE IF NOT EXISTS client_access (
    client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    list TEXT NOT NULL CHECK (list IN
        ('course', 'learningPath', 'courseTag', 'purchasableContent', 'purchasableTag')),
    item_id TEXT NOT NULL,
    PRIMARY KEY (client_id, list, item_id)
);
CREATE TABLE IF NOT EXISTS tags (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS locations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tariffs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    price_in_credits REAL NOT NULL DEFAULT 0
);
-- Courses, learning paths and the other content kinds. visibility is seed 004's
-- eCourseVisibility: 1 Public, 2 Hidden, 3 Private, 4 Paid.
CREATE TABLE IF NOT EXISTS content (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'published',
    short_description TEXT,
    description TEXT,
    overview TEXT,
    show_overview INTEGER NOT NULL DEFAULT 0,
    has_community_group INTEGER NOT NULL DEFAULT 0,
    asset TEXT,
    asset_alt_text TEXT,
    banner_asset TEXT,
    price_in_cents INTEGER NOT NULL DEFAULT 0,
    authors TEXT NOT NULL DEFAULT '[]',
    visibility INTEGER NOT NULL DEFAULT 1 CHECK (visibility IN (1, 2, 3, 4)),
    tariff_id TEXT REFERENCES tariffs(id),
    is_active INTEGER NOT NULL DEFAULT 1,
    display_order INTEGER NOT NULL DEFAULT 0,
    group_name TEXT,
    show_in_home_page INTEGER NOT NULL DEFAULT 0,
    location_id TEXT REFERENCES locations(id),
    host_id TEXT,
    waitlisting_enabled INTEGER NOT NULL DEFAULT 0,
    seats_limit INTEGER,
    course_start_date TEXT,
    course_end_date TEXT,
    enrollment_start_date TEXT,
    language TEXT,
    publish_date TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS content_kind ON content (kind);
CREATE TABLE IF NOT EXISTS content_tags (
    content_id TEXT NOT NULL REFERENCES content(id) ON DELETE CASCADE,
    tag_id TEXT NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (content_id, tag_id)
);
CREATE TABLE IF NOT EXISTS learning_path_items (
    path_id TEXT NOT NULL REFERENCES content(id) ON DELETE CASCADE,
    content_id TEXT NOT NULL REFERENCES content(id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (path_id, content_id)
);
CREATE TABLE IF NOT EXISTS licenses (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    label TEXT,
    client_id TEXT REFERENCES clients(id) ON DELETE SET NULL,
    expiration_date TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    first_name TEXT,
    last_name TEXT,
    password_hash TEXT,                            -- argon2; NULL: cannot log in yet
    client_id TEXT REFERENCES clients(id) ON DELETE SET NULL,
    role_key TEXT NOT NULL DEFAULT 'learner',
    lang TEXT,
    preferred_currency TEXT NOT NULL DEFAULT 'USD',
    disabled INTEGER NOT NULL DEFAULT 0,
    must_reset_password INTEGER NOT NULL DEFAULT 0,
    must_verify_email INTEGER NOT NULL DEFAULT 0,
    balance REAL NOT NULL DEFAULT 0,
    active_license_id TEXT REFERENCES licenses(id) ON DELETE SET NULL,
    refs TEXT NOT NULL DEFAULT '{}',               -- ref1..ref10 as JSON
    custom_fields TEXT NOT NULL DEFAULT '{}',
    asset TEXT,
    bio TEXT,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    last_active_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- Learner tokens: only the SHA-256 of the random token is kept.
CREATE TABLE IF NOT EXISTS tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
-- Failed logins per email string (known or not), for the TOO_MANY_ATTEMPTS throttle.
CREATE TABLE IF NOT EXISTS login_attempts (
    email TEXT NOT NULL COLLATE NOCASE,
    attempted_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS login_attempts_email ON login_attempts (email, attempted_at);
-- OAuth2 bearer tokens for course creation (seed 004): role is 'admin' or 'Course-Create'.
CREATE TABLE IF NOT EXISTS admin_tokens (
    token_hash TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    label TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS user_licenses (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    license_id TEXT NOT NULL REFERENCES licenses(id) ON DELETE CASCADE,
    role TEXT NOT NULL DEFAULT 'learner',
    status TEXT NOT NULL DEFAULT 'active',
    PRIMARY KEY (user_id, license_id)
);
-- A learner's relation to a content item. status: notStarted, started, completed.
-- archived_at set: the item is archived (UserArchives / UserArchivedContent).
CREATE TABLE IF NOT EXISTS enrollments (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    content_id TEXT NOT NULL REFERENCES content(id) ON DELETE CASCADE,
    status TEXT NOT NULL DEFAULT 'notStarted',
    progress INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    source TEXT NOT NULL DEFAULT 'assigned',       -- assigned, purchased, redeemed, credits
    enrolled_at TEXT NOT NULL,
    started_at TEXT,
    completed_at TEXT,
    last_viewed_at TEXT,
    due_date TEXT,
    bookmarked INTEGER NOT NULL DEFAULT 0,
    archive_id TEXT UNIQUE,
    archived_at TEXT,
    reinstatable INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (user_id, content_id)
);
CREATE TABLE IF NOT EXISTS waitlist (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    content_id TEXT NOT NULL REFERENCES content(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, content_id)
);
CREATE TABLE IF NOT EXISTS award_types (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    plural_label TEXT NOT NULL,
    icon TEXT NOT NULL DEFAULT 'star',
    include_on_dashboard INTEGER NOT NULL DEFAULT 1,
    is_leaderboard INTEGER NOT NULL DEFAULT 0,     -- the award type BadgeLeaderboard ranks by
    deleted INTEGER NOT NULL DEFAULT 0
);
-- Awards earned: totals per award type feed the leaderboard, badges and award counts.
CREATE TABLE IF NOT EXISTS awards (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    award_type_id TEXT NOT NULL REFERENCES award_types(id) ON DELETE CASCADE,
    resource_id TEXT REFERENCES content(id) ON DELETE SET NULL,
    amount REAL NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS awards_user ON awards (user_id, award_type_id);
CREATE TABLE IF NOT EXISTS badges (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    asset TEXT NOT NULL,
    award_threshold INTEGER NOT NULL,
    award_type_id TEXT REFERENCES award_types(id) ON DELETE SET NULL,
    deleted INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS earned_badges (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    badge_id TEXT NOT NULL REFERENCES badges(id) ON DELETE CASCADE,
    earned_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    UNIQUE (user_id, badge_id)
);
CREATE TABLE IF NOT EXISTS collaborations (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    content_id TEXT NOT NULL REFERENCES content(id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS certificate_templates (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    resource_type TEXT,
    asset TEXT,
    expiration_days INTEGER
);
CREATE TABLE IF NOT EXISTS certificates (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    template_id TEXT REFERENCES certificate_templates(id) ON DELETE SET NULL,
    resource_id TEXT REFERENCES content(id) ON DELETE SET NULL,
    resource_type TEXT,                            -- course or learningPath
    issued_at TEXT NOT NULL,
    expiration_date TEXT,
    recertification_date TEXT,
    identifier TEXT,
    source TEXT,
    is_external INTEGER NOT NULL DEFAULT 0,
    external_resource_title TEXT,
    asset TEXT,
    pdf_asset TEXT,
    progress_was_reset INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS certificates_user ON certificates (user_id);
CREATE TABLE IF NOT EXISTS certificate_fields (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    label TEXT NOT NULL,
    include_on_transcript INTEGER NOT NULL DEFAULT 0,
    include_on_external_certificate INTEGER NOT NULL DEFAULT 0,
    text TEXT,
    date_format TEXT,
    identifier_prefix TEXT,
    identifier_body_length INTEGER,
    award_type_id TEXT REFERENCES award_types(id) ON DELETE SET NULL,
    custom_field_slug TEXT,
    user_custom_field_slug TEXT,
    position INTEGER NOT NULL DEFAULT 0
);
-- Values typed for an uploaded certificate (CertificateUploadField).
CREATE TABLE IF NOT EXISTS certificate_field_values (
    certificate_id TEXT NOT NULL REFERENCES certificates(id) ON DELETE CASCADE,
    field_id TEXT NOT NULL REFERENCES certificate_fields(id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    value TEXT,
    date TEXT,
    award_amount REAL,
    award_type_id TEXT,
    PRIMARY KEY (certificate_id, field_id)
);
-- Redemption and registration codes. kind: redemption or registration.
CREATE TABLE IF NOT EXISTS codes (
    code TEXT PRIMARY KEY COLLATE NOCASE,
    kind TEXT NOT NULL CHECK (kind IN ('redemption', 'registration')),
    content_ids TEXT NOT NULL DEFAULT '[]',       -- JSON list of content ids granted
    license_id TEXT REFERENCES licenses(id) ON DELETE SET NULL,
    credits REAL NOT NULL DEFAULT 0,
    expires_at TEXT,
    max_uses INTEGER NOT NULL DEFAULT 1,
    uses INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
-- A client's own appearance (CompanyDetails(user:) of its learners when enableBranding).
CREATE TABLE IF NOT EXISTS client_appearance (
    client_id TEXT PRIMARY KEY REFERENCES clients(id) ON DELETE CASCADE,
    name TEXT,
    settings TEXT NOT NULL DEFAULT '{}'            -- AppearanceSettings as JSON
);
CREATE TABLE IF NOT EXISTS code_redemptions (
    code TEXT NOT NULL REFERENCES codes(code) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    redeemed_at TEXT NOT NULL,
    PRIMARY KEY (code, user_id)
);
-- Course structure (seed 004 courses, TI's syllabus): sections hold lessons, lessons hold
-- topics (pages). A learner's progress per topic feeds the course's percent complete.
CREATE TABLE IF NOT EXISTS sections (
    id TEXT PRIMARY KEY,
    content_id TEXT NOT NULL REFERENCES content(id) ON DELETE CASCADE,
    slug TEXT NOT NULL,
    title TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS sections_content ON sections (content_id, position);
CREATE TABLE IF NOT EXISTS lessons (
    id TEXT PRIMARY KEY,
    section_id TEXT NOT NULL REFERENCES sections(id) ON DELETE CASCADE,
    slug TEXT NOT NULL,
    title TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS topics (
    id TEXT PRIMARY KEY,
    lesson_id TEXT NOT NULL REFERENCES lessons(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    type TEXT NOT NULL DEFAULT 'text',             -- TopicType
    body TEXT,
    position INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS topic_progress (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    topic_id TEXT NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
    progress INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    views INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user_id, topic_id)
);
-- What completing a content item earns: award amounts per award type.
CREATE TABLE IF NOT EXISTS content_awards (
    content_id TEXT NOT NULL REFERENCES content(id) ON DELETE CASCADE,
    award_type_id TEXT NOT NULL REFERENCES award_types(id) ON DELETE CASCADE,
    amount REAL NOT NULL,
    PRIMARY KEY (content_id, award_type_id)
);
-- Learning path milestones and the content each one asks to complete.
CREATE TABLE IF NOT EXISTS milestones (
    id TEXT PRIMARY KEY,
    path_id TEXT NOT NULL REFERENCES content(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    requirement TEXT NOT NULL DEFAULT 'required' CHECK (requirement IN ('required', 'elective')),
    position INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS milestone_content (
    milestone_id TEXT NOT NULL REFERENCES milestones(id) ON DELETE CASCADE,
    content_id TEXT NOT NULL REFERENCES content(id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (milestone_id, content_id)
);
-- Bookmarks: a learner's folders; a bookmark names a content item and, optionally, a topic.
CREATE TABLE IF NOT EXISTS bookmark_folders (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    default_folder INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS bookmark_folders_user ON bookmark_folders (user_id);
CREATE TABLE IF NOT EXISTS bookmarks (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    folder_id TEXT NOT NULL REFERENCES bookmark_folders(id) ON DELETE CASCADE,
    content_id TEXT NOT NULL REFERENCES content(id) ON DELETE CASCADE,
    topic_id TEXT REFERENCES topics(id) ON DELETE CASCADE,
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS bookmarks_user ON bookmarks (user_id, folder_id);
-- Ribbons an instance pins on catalog items ("New", "Popular"), with their colours.
CREATE TABLE IF NOT EXISTS ribbons (
    slug TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    color TEXT NOT NULL,
    contrast_color TEXT NOT NULL,
    darker_color TEXT NOT NULL
);
-- The meetings of an event's session (TI's Meeting): when and where each part takes place.
CREATE TABLE IF NOT EXISTS meetings (
    id TEXT PRIMARY KEY,
    content_id TEXT NOT NULL REFERENCES content(id) ON DELETE CASCADE,
    title TEXT,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    time_zone TEXT,
    location_id TEXT REFERENCES locations(id) ON DELETE SET NULL,
    instructors TEXT NOT NULL DEFAULT '[]',
    attendee_info TEXT,
    position INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS meetings_content ON meetings (content_id, position);
-- Products of the instance's store (books, kits), and what each is sold alongside:
-- source_id is a content item or another product.
CREATE TABLE IF NOT EXISTS products (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    asset TEXT,
    long_description TEXT,
    price_in_cents INTEGER NOT NULL DEFAULT 0,
    suggested_retail_price_in_cents INTEGER,
    language TEXT,
    status TEXT NOT NULL DEFAULT 'published',
    purchasable INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS product_relations (
    source_id TEXT NOT NULL,
    product_id TEXT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source_id, product_id)
);
-- Subscription bundles; the one shown with the catalog has in_catalog set.
CREATE TABLE IF NOT EXISTS bundles (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    price_in_cents INTEGER,
    annual_price_in_cents INTEGER,
    plan_id TEXT,
    annual_plan_id TEXT,
    in_catalog INTEGER NOT NULL DEFAULT 0
);
-- Items of the RSS feeds the instance's pages show (RssItems reads them; nothing is fetched).
-- link is a path on the instance or an absolute URL.
CREATE TABLE IF NOT EXISTS rss_items (
    id TEXT PRIMARY KEY,
    feed_url TEXT NOT NULL,
    title TEXT NOT NULL,
    link TEXT NOT NULL,
    description TEXT,
    author TEXT,
    categories TEXT NOT NULL DEFAULT '[]',
    published_at TEXT NOT NULL,
    image_url TEXT,
    image_alt_title TEXT
);
CREATE INDEX IF NOT EXISTS rss_items_feed ON rss_items (feed_url, published_at);
-- Helium deployments (`helium deploy`): a key per upload, its archive's size once put, and the
-- job that deployed it.
CREATE TABLE IF NOT EXISTS helium_deployments (
    key TEXT PRIMARY KEY,
    nickname TEXT NOT NULL,
    created_at TEXT NOT NULL,
    uploaded_at TEXT,
    size INTEGER,
    sha256 TEXT,
    job_id TEXT UNIQUE,
    atoms_script_hash TEXT,
    atoms_style_hash TEXT
);
-- The instance's own web sessions (its pages), apart from API tokens; only a hash is kept.
CREATE TABLE IF NOT EXISTS site_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
-- Single sign-on tokens (their jti) already used: each signs a learner in once. Kept until
-- their iat is out of the accepted window, after which they are refused anyway.
CREATE TABLE IF NOT EXISTS sso_used_tokens (
    jti TEXT PRIMARY KEY,
    forget_after TEXT NOT NULL
);
"""
# Columns added after the first release: stores made before get them at start.
ADDED_COLUMNS = {
    "content": {
        "time_zone": "TEXT",  # events: IANA zone of their dates
        "join_url": "TEXT",  # webinars: where attendees join
        "webinar_provider": "TEXT",
        "enrollment_end_date": "TEXT",
        "certificate_template_id": "TEXT REFERENCES certificate_templates(id) ON DELETE SET NULL",
        "ribbon_slug": "TEXT REFERENCES ribbons(slug) ON DELETE SET NULL",
        "rating": "INTEGER",  # average rating in percent (5 stars: 100)
        "ratings_count": "INTEGER NOT NULL DEFAULT 0",
        "session_title": "TEXT",  # events: the title of the session offered
        "sku": "TEXT",
        "meta_title": "TEXT",
        "meta_description": "TEXT",
        "suggested_retail_price_in_cents": "INTEGER",
        "custom_fields": "TEXT NOT NULL DEFAULT '{}'",  # JSON: custom field slug -> value
    },
    "users": {
        "address1": "TEXT",
        "address2": "TEXT",
        "city": "TEXT",
        "state": "TEXT",
        "zip_code": "TEXT",
        "country": "TEXT",
        "telephone": "TEXT",
        "external_customer_id": "TEXT",
    },
    "enrollments": {
        "expires_at": "TEXT",  # when the learner's access ends (a purchase for a year)
    },
    "locations": {
        "address1": "TEXT",
        "address2": "TEXT",
        "city": "TEXT",
        "state": "TEXT",
        "zip_code": "TEXT",
        "country": "TEXT",
        "room": "TEXT",
        "time_zone": "TEXT",
    },
}


def now() -> str:
    """The current time as TI writes it: ISO 8601 in UTC with milliseconds and Z."""
    return iso(datetime.now(UTC))


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


def new_id() -> str:
    return str(uuid.uuid4())


def dumps(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def loads(text: str | None, default=None):
    return default if text is None else json.loads(text)


class Store:
    """The sandbox's database: thread-safe by giving every thread its own connection."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._write_lock = threading.RLock()
        with self.connect() as db:
            db.executescript(SCHEMA)
            for table, columns in ADDED_COLUMNS.items():
                have = {row["name"] for row in db.execute(f"PRAGMA table_info({table})")}
                for name, declaration in columns.items():
                    if name not in have:
                        db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {declaration}")

    def connect(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(
                self.path, timeout=30, isolation_level=None, check_same_thread=False
            )
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA busy_timeout=30000")
            self._local.db = db
        return db

    def query(self, sql: str, *params) -> list[sqlite3.Row]:
        return self.connect().execute(sql, params).fetchall()

    def one(self, sql: str, *params) -> sqlite3.Row | None:
        return self.connect().execute(sql, params).fetchone()

    def scalar(self, sql: str, *params):
        row = self.one(sql, *params)
        return None if row is None else row[0]

    def execute(self, sql: str, *params) -> sqlite3.Cursor:
        with self.transaction() as db:
            return db.execute(sql, params)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; writers queue on a lock so SQLite never answers 'busy'."""
        db = self.connect()
        with self._write_lock:
            if db.in_transaction:  # nested: join the outer transaction
                yield db
                return
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def insert(self, table: str, **values) -> None:
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        self.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", *values.values())

    def get_meta(self, key: str) -> str | None:
        return self.scalar("SELECT value FROM meta WHERE key = ?", key)

    def set_meta(self, key: str, value: str) -> None:
        self.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            key,
            value,
        )

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None
