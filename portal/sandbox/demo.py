"""Deterministic demo instance of the sandbox: Northwind Academy, its content and learners."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from faker import Faker

from . import demo_texts
from .courses import mint_admin_token
from .demo_storefront import build_storefront
from .mail import clear_outbox
from .store import Store, dumps, iso

CORE_LOGINS = {
    "busy": ("avery@example.com", "learn-avery-1"),  # Avery Johnson, many certs etc.
    "new": ("noah@example.com", "learn-noah-1"),  # Noah Patel, almost nothing
    "multilingual": ("camille@example.com", "learn-camille-1"),  # Camille Dubois, fr, en/fr/de
}
# Lena Weber, of Lakeside Health: its own colours, logo and languages (de, en); built last.
BRANDED_LOGIN = ("lena@example.com", "learn-lena-1")
DEMO_LOGINS = {**CORE_LOGINS, "branded": BRANDED_LOGIN}
DEMO_NAMES = {
    "busy": ("Avery", "Johnson"),
    "new": ("Noah", "Patel"),
    "multilingual": ("Camille", "Dubois"),
}
DEFAULT_BASE_URL = "http://127.0.0.1:8765"
LEARNER_COUNT = 60  # the three demo learners included

# Codes for Validate*Code and RedeemRegistrationAndRedemptionCodes: valid, used, expired.
DEMO_CODES = {
    "redemption": {"valid": "NORTHWIND-WELCOME", "used": "NORTHWIND-USED", "expired": "NW-2024"},
    "registration": {"valid": "JOIN-NORTHWIND", "used": "JOIN-USED", "expired": "JOIN-EXPIRED"},
}

# Labels the portal's dashboard may take from CompanyTranslations (namespace lms).
TRANSLATIONS = {
    "en": {
        "dashboard.title": "My learning",
        "dashboard.contentItems": "My content",
        "dashboard.completedItems": "Completed",
        "dashboard.certificates": "Certificates",
        "dashboard.learningPaths": "Learning paths",
        "dashboard.bookmarkFolders": "Bookmarks",
        "dashboard.waitlistedCourses": "Waitlist",
        "dashboard.archivedContentItems": "Archived",
        "dashboard.recentContent": "Continue where you left off",
        "dashboard.leaderboard": "Leaderboard",
        "dashboard.badges": "Badges",
        "nav.catalog": "Course catalog",
        "welcome_message": "Welcome to Northwind Academy",
    },
    "fr": {
        "dashboard.title": "Mon apprentissage",
        "dashboard.contentItems": "Mes contenus",
        "dashboard.completedItems": "Terminés",
        "dashboard.certificates": "Certificats",
        "dashboard.learningPaths": "Parcours",
        "dashboard.bookmarkFolders": "Favoris",
        "dashboard.waitlistedCourses": "Liste d'attente",
        "dashboard.archivedContentItems": "Archivés",
        "dashboard.recentContent": "Reprendre là où vous en étiez",
        "dashboard.leaderboard": "Classement",
        "dashboard.badges": "Badges",
        "nav.catalog": "Catalogue des cours",
        "welcome_message": "Bienvenue à la Northwind Academy",
    },
    "de": {
        "dashboard.title": "Mein Lernen",
        "dashboard.contentItems": "Meine Inhalte",
        "dashboard.completedItems": "Abgeschlossen",
        "dashboard.certificates": "Zertifikate",
        "dashboard.learningPaths": "Lernpfade",
        "dashboard.bookmarkFolders": "Lesezeichen",
        "dashboard.waitlistedCourses": "Warteliste",
        "dashboard.archivedContentItems": "Archiviert",
        "dashboard.recentContent": "Dort weitermachen, wo Sie aufgehört haben",
        "dashboard.leaderboard": "Bestenliste",
        "dashboard.badges": "Abzeichen",
        "nav.catalog": "Kurskatalog",
        "welcome_message": "Willkommen an der Northwind Academy",
    },
}

GROUPS = ("Leadership", "Data & Analytics", "Compliance", "Customer Success", "Wellbeing")
TAGS = (
    "Premium Package", "Leadership", "Data", "Compliance", "Onboarding",
    "Wellbeing", "Sales", "Security", "Communication", "Python",
)  # fmt: skip
# (title, group, visibility, tags): visibility as seed 004 names it.
COURSES = (
    ("Foundations of Leadership", "Leadership", "Public", ("Leadership",)),
    ("Coaching Conversations", "Leadership", "Public", ("Leadership", "Communication")),
    ("Leading Remote Teams", "Leadership", "Public", ("Leadership",)),
    ("Giving Feedback That Lands", "Leadership", "Public", ("Communication",)),
    ("Strategic Thinking for Managers", "Leadership", "Paid", ("Leadership", "Premium Package")),
    ("Executive Presence", "Leadership", "Private", ("Leadership", "Premium Package")),
    ("Spreadsheet Essentials", "Data & Analytics", "Public", ("Data",)),
    ("Python for Analysts", "Data & Analytics", "Public", ("Data", "Python")),
    ("SQL from Zero", "Data & Analytics", "Public", ("Data",)),
    ("Data Storytelling", "Data & Analytics", "Public", ("Data", "Communication")),
    ("Machine Learning Basics", "Data & Analytics", "Paid", ("Data", "Premium Package")),
    ("Dashboard Design", "Data & Analytics", "Hidden", ("Data",)),
    ("Information Security Awareness", "Compliance", "Public", ("Compliance", "Security")),
    ("Data Protection and GDPR", "Compliance", "Public", ("Compliance", "Security")),
    ("Anti-Bribery and Corruption", "Compliance", "Public", ("Compliance",)),
    ("Workplace Health and Safety", "Compliance", "Public", ("Compliance",)),
    ("Insider Trading Rules", "Compliance", "Private", ("Compliance",)),
    ("Export Control Essentials", "Compliance", "Private", ("Compliance",)),
    ("Customer Discovery Calls", "Customer Success", "Public", ("Sales", "Communication")),
    ("Handling Difficult Customers", "Customer Success", "Public", ("Communication",)),
    ("Negotiation Masterclass", "Customer Success", "Paid", ("Sales", "Premium Package")),
    ("Onboarding New Accounts", "Customer Success", "Hidden", ("Onboarding", "Sales")),
    ("Mindful Work Habits", "Wellbeing", "Public", ("Wellbeing",)),
    ("Sleep, Energy and Focus", "Wellbeing", "Public", ("Wellbeing",)),
    ("Resilience at Work", "Wellbeing", "Public", ("Wellbeing",)),
    ("Legacy Time Management", "Wellbeing", "Public", ("Wellbeing",)),  # inactive
)
# Courses taught in French or German, for the language filter of the multilingual client.
COURSE_LANGUAGES = {"Data Protection and GDPR": "de", "Resilience at Work": "fr"}
LEARNING_PATHS = (
    ("New Manager Journey", "Leadership", (0, 1, 3, 2)),
    ("Data Analyst Track", "Data & Analytics", (6, 8, 7, 9)),
    ("Annual Compliance", "Compliance", (12, 13, 14, 15)),
    ("Customer Champion", "Customer Success", (18, 19, 21)),
    ("Healthy Habits", "Wellbeing", (22, 23, 24)),
    ("Leadership Premium Bundle", "Leadership", (4, 5, 10)),
)
OTHER_CONTENT = (
    ("webinar", "Live Q&A: Leading Through Change", "Leadership"),
    ("webinar", "Quarterly Data Clinic", "Data & Analytics"),
    ("webinar", "Compliance Update 2026", "Compliance"),
    ("webinar", "Customer Success Roundtable", "Customer Success"),
    ("article", "Ten Habits of Effective Managers", "Leadership"),
    ("article", "Reading a Confusion Matrix", "Data & Analytics"),
    ("article", "Phishing: What to Look For", "Compliance"),
    ("video", "Five-Minute Breathing Break", "Wellbeing"),
    ("video", "Pivot Tables in Two Minutes", "Data & Analytics"),
    ("video", "Active Listening in Practice", "Customer Success"),
)


class Demo:
    """State shared by the steps of one demo build."""

    def __init__(self, app, base_url: str):
        self.app = app
        self.settings = app.extensions["sandbox"]
        self.store: Store = self.settings.store
        self.http = app.test_client()
        self.rng = random.Random(2026)
        self.fake = Faker(["en_US"])
        self.fake.seed_instance(2026)
        self.base_url = base_url.rstrip("/")
        self.moment = datetime.now(UTC).replace(microsecond=0)
        self.content: dict[str, str] = {}  # title -> id
        self.tags: dict[str, str] = {}
        self.clients: dict[str, str] = {}
        self.licenses: dict[str, str] = {}
        self.users: dict[str, str] = {}  # email -> id
        self.award_types: dict[str, str] = {}
        self.notes: list[str] = []

    # -- helpers --
    def id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def at(self, **delta) -> str:
        return iso(self.moment + timedelta(**delta))

    def asset(self, name: str, ext: str = "png") -> str:
        return f"{self.base_url}/assets/{name}.{ext}"

    def insert(self, table: str, **values) -> None:
        self.store.insert(table, **values)

    def rest(self, method: str, path: str, body: dict) -> dict:
        response = self.http.open(
            path,
            method=method,
            json=body,
            headers={"Authorization": f"Bearer {self.settings.api_key}"},
        )
        if response.status_code != 200:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.get_data()!r}")
        return response.get_json()


def reset(store: Store) -> None:
    """Empty every table; the API key survives so a running portal keeps working."""
    tables = [
        row[0]
        for row in store.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    with store.transaction() as db:
        db.execute("PRAGMA defer_foreign_keys = ON")
        for table in tables:
            if table == "meta":
                db.execute("DELETE FROM meta WHERE key != 'api_key'")
            else:
                db.execute(f'DELETE FROM "{table}"')


def build_company(demo: Demo) -> None:
    settings = {
        "id": demo.id(),
        "logoAsset": demo.asset("northwind-logo", "svg"),
        "accentColor": "#1D4E89",
        "secondaryColor": "#F2A541",
        "linkColor": "#17406F",
        "font": "Inter",
        "altFont": "Merriweather",
        "favicon": demo.asset("nw", "svg"),
        "backgroundAsset": demo.asset("northwind-background"),
        "backgroundAssetTiled": False,
        "retinaLogo": True,
        "customCss": ".site-header { border-bottom: 4px solid #F2A541; }",
        "globalNavigationLinks": [
            {"label": "Home", "href": "/"},
            {"label": "Catalog", "href": "/catalog"},
            {"label": "Help centre", "href": "https://help.example.com/northwind"},
        ],
    }
    terms = (
        "By using Northwind Academy you agree to use its content for your own learning only. "
        "Course materials may not be redistributed. Progress and results are shared with your "
        "organisation's learning administrators."
    )
    demo.insert(
        "company",
        id=demo.id(),
        name="Northwind Academy",
        subdomain="northwind",
        settings=dumps(settings),
        terms=terms,
    )
    for position, (code, label, selector) in enumerate(
        (("en", "English", "English"), ("fr", "French", "Français"), ("de", "German", "Deutsch"))
    ):
        demo.insert(
            "languages",
            id=demo.id(),
            code=code,
            label=label,
            selector_label=selector,
            is_custom=0,
            position=position,
        )
    for lang, texts in TRANSLATIONS.items():
        demo.insert(
            "translations", id=demo.id(), namespace="lms", lang=lang, translations=dumps(texts)
        )
    demo.insert(
        "translations",
        id=demo.id(),
        namespace="emails",
        lang="en",
        translations=dumps({"welcome.subject": "Welcome to Northwind Academy"}),
    )


def build_clients(demo: Demo) -> None:
    """Both clients through POST /incoming/v2/clients, as an administrator would."""
    flags = {
        "enableSegmentation": True,
        "enableEcommerce": True,
        "enableBranding": True,
        "enableOnboardingSurvey": False,
        "enableGlobalLinks": True,
        "enableNavLinks": True,
        "enableDiscussions": True,
        "enableCreditPurchasing": True,
    }
    corporate = demo.rest(
        "POST",
        "/incoming/v2/clients",
        {
            "name": "Northwind Corporate",
            "slug": "northwind-corporate",
            "schoolName": "Northwind Corporate University",
            **flags,
            "defaultLanguage": "en",
            "languageSelectorEnabled": False,
            "languages": ["en"],
        },
    )
    europe = demo.rest(
        "POST",
        "/incoming/v2/clients",
        {
            "name": "Northwind Europe",
            "slug": "northwind-europe",
            **flags,
            "enableLicenseDashboards": True,
            "defaultLanguage": "fr",
            "languageSelectorEnabled": True,
            "autoFilterForSelectedLanguage": False,
            "languages": ["en", "fr", "de"],
        },
    )
    demo.clients["corporate"] = corporate["data"]["CreateClient"]["id"]
    demo.clients["europe"] = europe["data"]["CreateClient"]["id"]
    for key, name, client, days in (
        ("sales", "Sales Enablement", "corporate", 300),
        ("engineering", "Engineering Academy", "corporate", 500),
        ("europe", "Europe Standard", "europe", 365),
    ):
        demo.licenses[key] = demo.id()
        demo.insert(
            "licenses",
            id=demo.licenses[key],
            name=name,
            label=f"{name} licence",
            client_id=demo.clients[client],
            expiration_date=demo.at(days=days),
            created_at=demo.at(days=-120),
        )


def build_catalog(demo: Demo) -> dict:
    """Courses through POST /api/content/courses; other kinds straight into the store."""
    for label in TAGS:
        demo.tags[label] = demo.id()
        demo.insert("tags", id=demo.tags[label], label=label)
    locations = {"online": demo.id(), "london": demo.id()}
    demo.insert("locations", id=locations["online"], name="Northwind Online Campus")
    demo.insert("locations", id=locations["london"], name="Northwind London")
    tariffs = {"premium": demo.id()}
    demo.insert("tariffs", id=tariffs["premium"], name="Premium Plan", price_in_credits=40)
    token = mint_admin_token(demo.store, "admin", label="demo build")
    host = demo.id()
    for order, (title, group, visibility, _) in enumerate(COURSES):
        body = {
            "LocationId": locations["online" if order % 5 else "london"],
            "HostId": host,
            "Title": title,
            "DisplayOrder": order * 10,
            "Visibility": visibility,
            "ShortDescription": demo_texts.short_description(title),
            "Description": demo_texts.description(title),
            "ShowOverview": order % 2 == 0,
            "HasCommunityGroup": order % 3 == 0,
            "Overview": demo_texts.description(title),
            "ThumbnailImageUrl": demo.asset(f"course-{order + 1}"),
            "BannerImageUrl": demo.asset(f"banner-{order + 1}"),
            "Active": title != "Legacy Time Management",
            "GroupName": group,
            "ShowInHomePage": order in (0, 7, 13, 22),
        }
        if visibility == "Paid":
            body["TariffId"] = tariffs["premium"]
        response = demo.http.post(
            "/api/content/courses", json=body, headers={"Authorization": f"Bearer {token}"}
        )
        if response.status_code != 200:
            raise RuntimeError(f"create course {title}: {response.get_data()!r}")
        demo.content[title] = response.get_json()["Value"]["Id"]
    with demo.store.transaction() as db:
        for title, _group, visibility, tags in COURSES:
            content_id = demo.content[title]
            db.execute(
                "UPDATE content SET language = ?, authors = ?, price_in_cents = ?, "
                "asset_alt_text = ? WHERE id = ?",
                (
                    COURSE_LANGUAGES.get(title, "en"),
                    dumps([demo.fake.name()]),
                    4900 if visibility == "Paid" else 0,
                    f"Illustration for {title}",
                    content_id,
                ),
            )
            db.executemany(
                "INSERT INTO content_tags (content_id, tag_id) VALUES (?, ?)",
                [(content_id, demo.tags[label]) for label in tags],
            )
        for number, (kind, title, group) in enumerate(OTHER_CONTENT):
            add_content(demo, db, title, kind, group, 300 + number * 10)
        for number, (title, group, items) in enumerate(LEARNING_PATHS):
            path_id = add_content(demo, db, title, "learningPath", group, 500 + number * 10)
            if title == "Leadership Premium Bundle":
                db.execute("UPDATE content SET visibility = 3 WHERE id = ?", (path_id,))
            db.executemany(
                "INSERT INTO learning_path_items (path_id, content_id, position) VALUES (?, ?, ?)",
                [
                    (path_id, demo.content[COURSES[index][0]], position)
                    for position, index in enumerate(items)
                ],
            )
        # Webinars: dates ahead; two are full so that learners wait for a seat.
        for number, title in enumerate(
            title for kind, title, _ in OTHER_CONTENT if kind == "webinar"
        ):
            full = number < 2
            db.execute(
                "UPDATE content SET course_start_date = ?, course_end_date = ?, "
                "enrollment_start_date = ?, waitlisting_enabled = ?, seats_limit = ? WHERE id = ?",
                (
                    demo.at(days=10 + number * 7),
                    demo.at(days=10 + number * 7, hours=1),
                    demo.at(days=-20),
                    int(full),
                    20 if full else 100,
                    demo.content[title],
                ),
            )
    return {"token": token, "locations": locations, "tariffs": tariffs}


def add_content(demo: Demo, db, title: str, kind: str, group: str, order: int) -> str:
    content_id = demo.id()
    slug = "-".join("".join(c if c.isalnum() else " " for c in title.lower()).split())
    stamp = demo.at(days=-200 + order // 10)
    db.execute(
        "INSERT INTO content (id, slug, title, kind, status, short_description, description, "
        "asset, asset_alt_text, authors, visibility, display_order, group_name, language, "
        "publish_date, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, 'published', ?, ?, ?, ?, ?, 1, ?, ?, 'en', ?, ?, ?)",
        (
            content_id,
            slug,
            title,
            kind,
            demo_texts.short_description(title),
            demo_texts.description(title),
            demo.asset(f"{kind.lower()}-{order}"),
            f"Illustration for {title}",
            dumps([demo.fake.name()]),
            order,
            group,
            stamp,
            stamp,
            stamp,
        ),
    )
    tag = {"Leadership": "Leadership", "Data & Analytics": "Data", "Compliance": "Compliance"}
    db.execute(
        "INSERT INTO content_tags (content_id, tag_id) VALUES (?, ?)",
        (content_id, demo.tags[tag.get(group, "Communication")]),
    )
    demo.content[title] = content_id
    return content_id


def grant_access(demo: Demo) -> None:
    """Private content through PUT .../updateAccess: corporate in two appends, europe replaced."""
    empty = {"courseTagIds": [], "purchasableContentIds": [], "purchasableTagIds": []}
    corporate = f"/incoming/v2/clients/{demo.clients['corporate']}/updateAccess"
    demo.rest(
        "PUT",
        corporate,
        {**empty, "courseIds": [demo.content["Executive Presence"]], "learningPathIds": []},
    )
    demo.rest(
        "PUT",
        corporate,
        {
            **empty,
            "courseIds": [demo.content["Insider Trading Rules"]],
            "learningPathIds": [demo.content["Leadership Premium Bundle"]],
        },
    )
    europe = f"/incoming/v2/clients/{demo.clients['europe']}/updateAccess"
    demo.rest(
        "PUT",
        europe,
        {
            "courseIds": [demo.content["Export Control Essentials"]],
            "courseTagIds": [demo.tags["Compliance"]],
            "learningPathIds": [],
            "purchasableContentIds": [demo.content["Negotiation Masterclass"]],
            "purchasableTagIds": [demo.tags["Premium Package"]],
            "replaceCourseIds": True,
        },
    )


def hash_password(password: str) -> str:
    try:
        from .auth import hash_password as sandbox_hash
    except ImportError:
        from argon2 import PasswordHasher

        return PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1).hash(password)
    return sandbox_hash(password)


def build_learners(demo: Demo) -> None:
    """Learners through the GraphQL CreateLearners mutation; a direct insert if it fails."""
    people = []
    for who, (email, _) in CORE_LOGINS.items():
        first, last = DEMO_NAMES[who]
        client = "europe" if who == "multilingual" else "corporate"
        people.append(
            {"email": email, "firstName": first, "lastName": last, "clientId": demo.clients[client]}
        )
    seen = {person["email"] for person in people}
    while len(people) < LEARNER_COUNT:
        first, last = demo.fake.first_name(), demo.fake.last_name()
        email = f"{first}.{last}@example.com".lower().replace("'", "")
        if email in seen:
            continue
        seen.add(email)
        client = demo.rng.choice(("corporate", "corporate", "europe"))
        people.append(
            {"email": email, "firstName": first, "lastName": last, "clientId": demo.clients[client]}
        )
    created = create_learners_graphql(demo, people)
    if not created:
        demo.notes.append("GraphQL CreateLearners unavailable: learners inserted directly")
        with demo.store.transaction() as db:
            for person in people:
                db.execute(
                    "INSERT INTO users (id, email, first_name, last_name, "
                    "client_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        demo.id(),
                        person["email"],
                        person["firstName"],
                        person["lastName"],
                        person["clientId"],
                        demo.at(days=-90),
                        demo.at(days=-90),
                    ),
                )
    # Ordered, so that everything drawn per learner is the same on every build.
    for row in demo.store.query("SELECT id, email FROM users ORDER BY email"):
        demo.users[row["email"].lower()] = row["id"]
    with demo.store.transaction() as db:
        for who, (email, password) in CORE_LOGINS.items():
            db.execute(
                "UPDATE users SET password_hash = ?, lang = ?, last_active_at = ? WHERE id = ?",
                (
                    hash_password(password),
                    "fr" if who == "multilingual" else "en",
                    demo.at(hours=-2),
                    demo.users[email],
                ),
            )
        for email, user_id in demo.users.items():
            if email not in {login for login, _ in CORE_LOGINS.values()}:
                db.execute(
                    "UPDATE users SET lang = 'en', last_active_at = ? WHERE id = ?",
                    (demo.at(days=-demo.rng.randint(0, 60)), user_id),
                )


def create_learners_graphql(demo: Demo, people: list[dict]) -> bool:
    query = (
        "mutation CreateLearners($learners: [LearnerInput!]!) "
        "{ CreateLearners(learners: $learners) { id email } }"
    )
    try:
        response = demo.http.post(
            f"/helium?apiKey={demo.settings.api_key}",
            json={"query": query, "variables": {"learners": people}},
        )
    except Exception as exc:  # the GraphQL side must never stop a demo build
        demo.notes.append(f"CreateLearners raised {exc!r}")
        return False
    body = response.get_json(silent=True) or {}
    created = (body.get("data") or {}).get("CreateLearners") or []
    if response.status_code != 200 or body.get("errors") or len(created) != len(people):
        if created:  # partly created: start again from a clean users table
            demo.store.execute("DELETE FROM users")
        return False
    return True


def build_awards(demo: Demo) -> None:
    """Award types, badges, and point totals for a leaderboard with ties."""
    for key, label, plural, icon, dashboard, leaderboard in (
        ("points", "Point", "Points", "star", 1, 1),
        ("cpe", "CPE Credit", "CPE Credits", "checkfile", 1, 0),
        ("completion", "Completion", "Completions", "check", 0, 0),
    ):
        demo.award_types[key] = demo.id()
        demo.insert(
            "award_types",
            id=demo.award_types[key],
            label=label,
            plural_label=plural,
            icon=icon,
            include_on_dashboard=dashboard,
            is_leaderboard=leaderboard,
        )
    badges = []
    for number, (label, threshold) in enumerate(
        (
            ("First Steps", 10),
            ("Getting Going", 25),
            ("Half Century", 50),
            ("Centurion", 100),
            ("High Flyer", 150),
            ("Double Century", 200),
            ("Trailblazer", 300),
            ("Legend", 500),
        )
    ):
        badge_id = demo.id()
        badges.append((badge_id, threshold))
        demo.insert(
            "badges",
            id=badge_id,
            label=label,
            asset=demo.asset(f"badge-{number + 1}", "svg"),
            award_threshold=threshold,
            award_type_id=demo.award_types["points"],
        )
    avery, noah, camille = (demo.users[email] for email, _ in CORE_LOGINS.values())
    totals = {}
    for user_id in demo.users.values():
        totals[user_id] = demo.rng.randrange(20, 400, 5)
    position = {user_id: index for index, user_id in enumerate(demo.users.values())}
    # Ties are broken by email order: ids are random, the demo must not be.
    ranked = sorted(
        ((t, u) for u, t in totals.items() if u not in (avery, noah, camille)),
        key=lambda pair: (pair[0], position[pair[1]]),
    )
    totals[ranked[-2][1]] = ranked[-1][0]  # the top two tie
    totals[avery] = 185
    totals[ranked[len(ranked) // 2][1]] = 185  # Avery shares her rank with someone
    totals[camille] = 60
    totals[noah] = 0
    courses = [demo.content[title] for title, *_ in COURSES]
    with demo.store.transaction() as db:
        for user_id, total in totals.items():
            parts = split_total(demo.rng, total)
            for days, amount in enumerate(parts):
                db.execute(
                    "INSERT INTO awards (id, user_id, award_type_id, resource_id, amount, "
                    "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        demo.id(),
                        user_id,
                        demo.award_types["points"],
                        demo.rng.choice(courses),
                        amount,
                        demo.at(days=-3 - days * 11),
                    ),
                )
            db.executemany(
                "INSERT INTO earned_badges (id, user_id, badge_id, earned_at) VALUES (?, ?, ?, ?)",
                [
                    (demo.id(), user_id, badge_id, demo.at(days=-threshold // 5))
                    for badge_id, threshold in badges
                    if threshold <= total
                ],
            )


def split_total(rng: random.Random, total: int) -> list[int]:
    parts = []
    while total > 0:
        amount = min(total, rng.choice((5, 10, 15, 20, 25, 40)))
        parts.append(amount)
        total -= amount
    return parts


def enroll(db, user_id: str, content_id: str, **values) -> None:
    row = {
        "user_id": user_id,
        "content_id": content_id,
        "status": "notStarted",
        "progress": 0,
        "source": "assigned",
        **values,
    }
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    db.execute(f"INSERT INTO enrollments ({columns}) VALUES ({marks})", tuple(row.values()))


def enroll_completed(demo: Demo, db, user_id: str, content_id: str, days_ago: int, **extra):
    enroll(db, user_id, content_id, **{
        "status": "completed",
        "progress": 100,
        "enrolled_at": demo.at(days=-days_ago - 30),
        "started_at": demo.at(days=-days_ago - 29),
        "completed_at": demo.at(days=-days_ago),
        "last_viewed_at": demo.at(days=-days_ago),
        **extra,
    })  # fmt: skip


def enroll_started(demo: Demo, db, user_id: str, content_id: str, progress: int, viewed: int,
                   **extra):  # fmt: skip
    """Started `progress` percent, last viewed `viewed` days ago."""
    enroll(db, user_id, content_id, **{
        "status": "started",
        "progress": progress,
        "enrolled_at": demo.at(days=-viewed - 20),
        "started_at": demo.at(days=-viewed - 19),
        "last_viewed_at": demo.at(days=-viewed),
        **extra,
    })  # fmt: skip


def build_busy_learner(demo: Demo) -> None:
    """Avery: certificates in every state, badges, waitlists, archives, two licences, credits."""
    user = demo.users[DEMO_LOGINS["busy"][0]]
    c = demo.content
    with demo.store.transaction() as db:
        completed = (
            "Foundations of Leadership",
            "Information Security Awareness",
            "Data Protection and GDPR",
            "Anti-Bribery and Corruption",
            "Spreadsheet Essentials",
            "Workplace Health and Safety",
        )
        for number, title in enumerate(completed):
            enroll(
                db,
                user,
                c[title],
                status="completed",
                progress=100,
                enrolled_at=demo.at(days=-400 + number * 30),
                started_at=demo.at(days=-390 + number * 30),
                completed_at=demo.at(days=-300 + number * 40),
                last_viewed_at=demo.at(days=-300 + number * 40),
            )
        started = (
            ("Coaching Conversations", 65, -3, -1),
            ("Python for Analysts", 40, 5, -2),
            ("SQL from Zero", 15, 20, -4),
            ("Customer Discovery Calls", 80, None, -6),
            ("Mindful Work Habits", 30, None, -9),
            ("Executive Presence", 10, 45, -12),
        )
        for number, (title, progress, due, viewed) in enumerate(started):
            enroll(
                db,
                user,
                c[title],
                status="started",
                progress=progress,
                enrolled_at=demo.at(days=-60 + number),
                started_at=demo.at(days=-50 + number),
                last_viewed_at=demo.at(days=viewed, hours=-number),
                due_date=None if due is None else demo.at(days=due),
                bookmarked=int(number in (0, 1, 4)),
            )
        for title, due in (("Leading Remote Teams", 30), ("Data Storytelling", None)):
            enroll(
                db,
                user,
                c[title],
                enrolled_at=demo.at(days=-5),
                due_date=None if due is None else demo.at(days=due),
            )
        enroll_started(
            demo, db, user, c["Strategic Thinking for Managers"], 20, 8, source="credits"
        )
        enroll(
            db,
            user,
            c["New Manager Journey"],
            status="started",
            progress=50,
            enrolled_at=demo.at(days=-70),
            started_at=demo.at(days=-69),
            last_viewed_at=demo.at(days=-1, hours=-3),
            due_date=demo.at(days=60),
        )
        enroll_completed(demo, db, user, c["Annual Compliance"], 200)
        enroll(db, user, c["Compliance Update 2026"], enrolled_at=demo.at(days=-2))
        enroll_completed(demo, db, user, c["Ten Habits of Effective Managers"], 3, bookmarked=1)
        for number, (title, reinstatable) in enumerate(
            (
                ("Giving Feedback That Lands", 1),
                ("Handling Difficult Customers", 1),
                ("Legacy Time Management", 0),  # inactive now: cannot come back
            )
        ):
            enroll(
                db,
                user,
                c[title],
                status="started",
                progress=25,
                enrolled_at=demo.at(days=-150),
                started_at=demo.at(days=-149),
                last_viewed_at=demo.at(days=-100),
                archive_id=demo.id(),
                archived_at=demo.at(days=-30 - number * 5),
                reinstatable=reinstatable,
            )
        for title in ("Live Q&A: Leading Through Change", "Quarterly Data Clinic"):
            db.execute(
                "INSERT INTO waitlist (user_id, content_id, created_at) VALUES (?, ?, ?)",
                (user, c[title], demo.at(days=-4)),
            )
        for number in range(3):
            db.execute(
                "INSERT INTO collaborations (id, user_id, content_id, body, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    demo.id(),
                    user,
                    c["Coaching Conversations"],
                    demo_texts.COLLABORATIONS[number],
                    demo.at(days=-number - 1),
                ),
            )
        for license_key in ("sales", "engineering"):
            db.execute(
                "INSERT INTO user_licenses (user_id, license_id) VALUES (?, ?)",
                (user, demo.licenses[license_key]),
            )
        db.execute(
            "UPDATE users SET balance = 120, active_license_id = ?, bio = ? WHERE id = ?",
            (demo.licenses["sales"], "Team lead in Customer Success.", user),
        )
        # CPE credits on courses of a learning path: award totals per resource.
        for title, amount in (
            ("Foundations of Leadership", 2),
            ("Coaching Conversations", 1.5),
            ("Giving Feedback That Lands", 1),
            ("Information Security Awareness", 3),
        ):
            db.execute(
                "INSERT INTO awards (id, user_id, award_type_id, resource_id, amount, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (demo.id(), user, demo.award_types["cpe"], c[title], amount, demo.at(days=-40)),
            )
    build_certificates(demo, user)


def build_certificates(demo: Demo, user: str) -> None:
    templates = {}
    for key, title, resource_type, days in (
        ("course", "Course Completion", "course", 365),
        ("path", "Learning Path Achievement", "learningPath", None),
        ("compliance", "Compliance Certificate", "course", 365),
    ):
        templates[key] = demo.id()
        demo.insert(
            "certificate_templates",
            id=templates[key],
            title=title,
            resource_type=resource_type,
            asset=demo.asset(f"certificate-{key}"),
            expiration_days=days,
        )
    fields = [
        ("nameLabel", "Learner name", 1, 1, {}),
        ("courseLabel", "Course", 1, 1, {}),
        ("dateLabel", "Issued on", 1, 1, {"date_format": "usLong"}),
        ("expirationDateLabel", "Valid until", 1, 0, {"date_format": "usLong"}),
        ("identifier", "Certificate number", 1, 1, {"identifier_prefix": "NWA-",
                                                     "identifier_body_length": 8}),
        ("awardLabel", "CPE credits", 1, 1, {"award_type_id": demo.award_types["cpe"]}),
        ("textLabel", "Issuer", 0, 1, {"text": "Northwind Academy"}),
        ("shareToLinkedIn", "Add to LinkedIn", 0, 0, {}),
    ]  # fmt: skip
    field_ids = {}
    for position, (kind, label, transcript, external, extra) in enumerate(fields):
        field_ids[kind] = demo.id()
        demo.insert(
            "certificate_fields",
            id=field_ids[kind],
            type=kind,
            label=label,
            include_on_transcript=transcript,
            include_on_external_certificate=external,
            position=position,
            **extra,
        )
    c = demo.content
    # (title, template, issued days ago, expires in days (None: never)):
    # three expired, two expiring within 30 days, three valid.
    certificates = (
        ("Anti-Bribery and Corruption", "compliance", -600, -235),
        ("Workplace Health and Safety", "compliance", -420, -55),
        ("Annual Compliance", "path", -370, -5),
        ("Information Security Awareness", "compliance", -358, 7),
        ("Data Protection and GDPR", "compliance", -344, 21),
        ("Foundations of Leadership", "course", -300, 65),
        ("Spreadsheet Essentials", "course", -120, 245),
        ("Ten Habits of Effective Managers", "course", -3, None),
    )
    with demo.store.transaction() as db:
        for title, template, issued, expires in certificates:
            db.execute(
                "INSERT INTO certificates (id, user_id, template_id, resource_id, resource_type, "
                "issued_at, expiration_date, recertification_date, identifier, source, asset, "
                "pdf_asset, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'internal', ?, ?, ?)",
                (
                    demo.id(),
                    user,
                    templates[template],
                    c[title],
                    "learningPath" if template == "path" else "course",
                    demo.at(days=issued),
                    None if expires is None else demo.at(days=expires),
                    None if expires is None else demo.at(days=expires - 30),
                    f"NWA-{demo.rng.randrange(16**8):08X}",
                    demo.asset(f"certificate-{template}"),
                    None,
                    demo.at(days=issued),
                ),
            )
        external = demo.id()
        db.execute(
            "INSERT INTO certificates (id, user_id, issued_at, expiration_date, identifier, "
            "source, is_external, external_resource_title, asset, created_at) "
            "VALUES (?, ?, ?, ?, ?, 'upload', 1, ?, ?, ?)",
            (
                external,
                user,
                demo.at(days=-90),
                demo.at(days=640),
                "FA-2291-77",
                "First Aid at Work",
                demo.asset("certificate-upload"),
                demo.at(days=-90),
            ),
        )
        db.execute(
            "INSERT INTO certificate_field_values (certificate_id, field_id, type, value, "
            "award_amount, award_type_id) VALUES (?, ?, 'awardLabel', NULL, 6, ?)",
            (external, field_ids["awardLabel"], demo.award_types["cpe"]),
        )
        db.execute(
            "INSERT INTO certificate_field_values (certificate_id, field_id, type, value) "
            "VALUES (?, ?, 'courseLabel', 'First Aid at Work')",
            (external, field_ids["courseLabel"]),
        )


def build_other_learners(demo: Demo) -> None:
    """Noah has one assigned course; Camille a few items in the multilingual client."""
    c = demo.content
    noah = demo.users[DEMO_LOGINS["new"][0]]
    camille = demo.users[DEMO_LOGINS["multilingual"][0]]
    with demo.store.transaction() as db:
        enroll(db, noah, c["Information Security Awareness"], enrolled_at=demo.at(days=-1))
        enroll_started(demo, db, camille, c["Resilience at Work"], 55, 1)
        enroll_completed(demo, db, camille, c["Data Protection and GDPR"], 60)
        enroll(
            db,
            camille,
            c["Export Control Essentials"],
            enrolled_at=demo.at(days=-7),
            due_date=demo.at(days=14),
        )
        db.execute(
            "INSERT INTO certificates (id, user_id, resource_id, resource_type, issued_at, "
            "expiration_date, identifier, source, asset, created_at) "
            "VALUES (?, ?, ?, 'course', ?, ?, ?, 'internal', ?, ?)",
            (
                demo.id(),
                camille,
                c["Data Protection and GDPR"],
                demo.at(days=-60),
                demo.at(days=305),
                f"NWA-{demo.rng.randrange(16**8):08X}",
                demo.asset("certificate-compliance"),
                demo.at(days=-60),
            ),
        )
        db.execute(
            "INSERT INTO user_licenses (user_id, license_id) VALUES (?, ?)",
            (camille, demo.licenses["europe"]),
        )
        db.execute(
            "UPDATE users SET balance = 30, active_license_id = ? WHERE id = ?",
            (demo.licenses["europe"], camille),
        )
        # A little activity for the others, so that catalogs and counts are not empty.
        others = [
            uid for email, uid in demo.users.items()
            if email not in {login for login, _ in CORE_LOGINS.values()}
        ]  # fmt: skip
        public = [c[title] for title, _, visibility, _ in COURSES if visibility == "Public"]
        for user_id in others:
            for content_id in demo.rng.sample(public, 2):
                done = demo.rng.random() < 0.5
                enroll(
                    db,
                    user_id,
                    content_id,
                    status="completed" if done else "started",
                    progress=100 if done else demo.rng.randrange(5, 95, 5),
                    enrolled_at=demo.at(days=-100),
                    started_at=demo.at(days=-99),
                    completed_at=demo.at(days=-demo.rng.randint(1, 90)) if done else None,
                    last_viewed_at=demo.at(days=-demo.rng.randint(1, 30)),
                )


def build_codes(demo: Demo) -> None:
    c = demo.content
    avery = demo.users[DEMO_LOGINS["busy"][0]]
    specs = (
        ("redemption", "valid", [c["Machine Learning Basics"]], None, 25, 90, 100, 0),
        ("redemption", "used", [c["Negotiation Masterclass"]], None, 0, 90, 1, 1),
        ("redemption", "expired", [c["Dashboard Design"]], None, 0, -30, 100, 0),
        ("registration", "valid", [c["SQL from Zero"]], "sales", 10, 180, 50, 0),
        ("registration", "used", [], "engineering", 0, 180, 1, 1),
        ("registration", "expired", [], "sales", 0, -10, 50, 0),
    )
    with demo.store.transaction() as db:
        for kind, state, content, license_key, credits, days, max_uses, uses in specs:
            code = DEMO_CODES[kind][state]
            db.execute(
                "INSERT INTO codes (code, kind, content_ids, license_id, credits, expires_at, "
                "max_uses, uses, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    code,
                    kind,
                    dumps(content),
                    demo.licenses.get(license_key) if license_key else None,
                    credits,
                    demo.at(days=days),
                    max_uses,
                    uses,
                    demo.at(days=-200),
                ),
            )
            if uses:
                db.execute(
                    "INSERT INTO code_redemptions (code, user_id, redeemed_at) VALUES (?, ?, ?)",
                    (code, avery, demo.at(days=-20)),
                )


def build_branded_client(demo: Demo) -> None:
    """Lakeside Health: a client with its own colours, logo and languages, and Lena Weber in it.

    Built after everything else, so that the rest of the demo stays as it was.
    """
    created = demo.rest(
        "POST",
        "/incoming/v2/clients",
        {
            "name": "Lakeside Health",
            "slug": "lakeside-health",
            "enableSegmentation": True,
            "enableEcommerce": False,
            "enableBranding": True,
            "enableOnboardingSurvey": False,
            "enableGlobalLinks": True,
            "enableNavLinks": True,
            "defaultLanguage": "de",
            "languageSelectorEnabled": True,
            "autoFilterForSelectedLanguage": True,
            "languages": ["de", "en"],
        },
    )
    client_id = demo.clients["lakeside"] = created["data"]["CreateClient"]["id"]
    demo.insert(
        "client_appearance",
        client_id=client_id,
        name="Lakeside Health Academy",
        settings=dumps(
            {
                "id": demo.id(),
                "logoAsset": demo.asset("lakeside-health", "svg"),
                "accentColor": "#0B6E4F",
                "secondaryColor": "#F4D35E",
                "linkColor": "#08543C",
                "favicon": demo.asset("lh", "svg"),
                "globalNavigationLinks": [
                    {"label": "Lakeside intranet", "href": "https://intranet.example.com/"}
                ],
            }
        ),
    )
    demo.licenses["lakeside"] = demo.id()
    demo.insert(
        "licenses",
        id=demo.licenses["lakeside"],
        name="Lakeside Clinical",
        label="Lakeside Clinical licence",
        client_id=client_id,
        expiration_date=demo.at(days=365),
        created_at=demo.at(days=-30),
    )
    email, password = BRANDED_LOGIN
    user_id = demo.users[email] = demo.id()
    demo.insert(
        "users",
        id=user_id,
        email=email,
        first_name="Lena",
        last_name="Weber",
        password_hash=hash_password(password),
        client_id=client_id,
        lang="de",
        active_license_id=demo.licenses["lakeside"],
        # Her address is not verified yet: the portal asks her to.
        must_verify_email=1,
        created_at=demo.at(days=-3),
        updated_at=demo.at(days=-3),
        last_active_at=demo.at(hours=-5),
    )
    demo.insert("user_licenses", user_id=user_id, license_id=demo.licenses["lakeside"])
    for title in ("Data Protection and GDPR", "Resilience at Work"):
        demo.insert(
            "enrollments",
            user_id=user_id,
            content_id=demo.content[title],
            enrolled_at=demo.at(days=-3),
        )


def build_demo(app, base_url: str | None = None) -> dict:
    """Reset the sandbox's store and fill it with the Northwind Academy demo instance.

    Images point at `base_url` (the sandbox's public address: its /assets/ route serves them);
    by default the address `portal sandbox` listens on.
    """
    settings = app.extensions["sandbox"]
    store = settings.store
    base_url = base_url or store.get_meta("public_url") or DEFAULT_BASE_URL
    # The build goes through the sandbox's own routes: no injected faults or budgets meanwhile.
    saved = (settings.latency_ms, settings.fail_rate, settings.points_per_minute)
    settings.latency_ms, settings.fail_rate, settings.points_per_minute = 0, 0.0, 10**9
    settings.extra["echo_mail"] = False
    try:
        reset(store)
        store.set_meta("public_url", base_url)
        demo = Demo(app, base_url)
        build_company(demo)
        build_clients(demo)
        catalog = build_catalog(demo)
        grant_access(demo)
        build_learners(demo)
        build_awards(demo)
        build_busy_learner(demo)
        build_other_learners(demo)
        build_codes(demo)
        build_learning(demo)
        build_branded_client(demo)
        build_storefront(demo)
        store.set_meta("demo_built_at", demo.at())
        # Welcome mail of the learners created above: nobody reads it, keep the outbox clean.
        clear_outbox(store)
    finally:
        settings.latency_ms, settings.fail_rate, settings.points_per_minute = saved
        settings.extra.pop("echo_mail", None)
    return {
        "logins": dict(DEMO_LOGINS),
        "api_key": settings.api_key,
        "admin_token": catalog["token"],
        "codes": DEMO_CODES,
        "clients": dict(demo.clients),
        "notes": demo.notes,
    }


# The syllabus every course gets: (section, ((topic, TopicType), ...)).
SYLLABUS = (
    ("Introduction", (("Welcome", "text"), ("What you will learn", "text"))),
    ("Core ideas", (("Key concepts", "text"), ("A worked example", "video"))),
    ("Putting it into practice",
     (("Try it yourself", "text"), ("Check your understanding", "quiz"))),
)  # fmt: skip
SHORT_SYLLABUS = {
    "article": (("Article", (("Read the article", "article"),)),),
    "video": (("Video", (("Watch the video", "video"),)),),
    "webinar": (("Session", (("Before the session", "text"),
                             ("Join the session", "meetingInfo"))),),
    "inPersonEvent": (("Event", (("Before you come", "text"),
                                 ("Attend the event", "meetingInfo"))),),
}  # fmt: skip
# (kind, title, group, days from now, hours long, time zone, location key)
EVENTS = (
    ("inPersonEvent", "Leadership Offsite London", "Leadership", 21, 8, "Europe/London", "london"),
    ("inPersonEvent", "Analytics Meetup Manchester", "Data & Analytics", -14, 3, "Europe/London",
     "manchester"),
    ("webinar", "Compliance Briefing 2025", "Compliance", -40, 1, "America/New_York", None),
)  # fmt: skip
WEBINAR_ZONES = ("America/New_York", "Europe/London", "Europe/Berlin", "America/Chicago")
# Milestones of each learning path, by the positions of its items.
MILESTONES = {
    "New Manager Journey": (("Lead yourself", (0,)), ("Lead others", (1, 2, 3))),
}
# Avery's bookmark folders and what is in them: (folder, title, topic title or None, note).
BOOKMARKS = (
    ("Bookmarks", "Coaching Conversations", None, ""),
    ("Bookmarks", "Mindful Work Habits", None, ""),
    ("To revisit", "Python for Analysts", "A worked example", "Redo the pivot example"),
    ("To revisit", "Ten Habits of Effective Managers", None, "Share with the team"),
    ("Team picks", "Machine Learning Basics", None, "Ask about a licence"),
    ("Team picks", "Leadership Offsite London", None, ""),
)


def build_learning(demo: Demo) -> None:
    """Syllabi and progress by topic, events with places and links, milestones, what completion
    earns (points, credits, certificates) and bookmarks. Last step: it draws from the random
    generator after everything else, so the facts built before stay the same."""
    store, c = demo.store, demo.content
    with store.transaction() as db:
        build_events(demo, db)
        for row in db.execute(
            "SELECT id, title, kind FROM content WHERE kind != 'learningPath' ORDER BY title"
        ).fetchall():
            build_syllabus(demo, db, row, SHORT_SYLLABUS.get(row["kind"], SYLLABUS))
        templates = {
            row["title"]: row["id"] for row in db.execute("SELECT * FROM certificate_templates")
        }
        awards = {
            row["label"]: row["id"] for row in db.execute("SELECT id, label FROM award_types")
        }
        for row in db.execute("SELECT id, kind, group_name FROM content").fetchall():
            template, points = None, 5
            if row["kind"] == "learningPath":
                template, points = "Learning Path Achievement", 50
            elif row["kind"] == "course":
                compliance = row["group_name"] == "Compliance"
                template = "Compliance Certificate" if compliance else "Course Completion"
                points = 20
                if compliance:
                    db.execute(
                        "INSERT INTO content_awards (content_id, award_type_id, amount) "
                        "VALUES (?, ?, 2)",
                        (row["id"], awards["CPE Credit"]),
                    )
            db.execute(
                "UPDATE content SET certificate_template_id = ? WHERE id = ?",
                (templates.get(template), row["id"]),
            )
            db.execute(
                "INSERT INTO content_awards (content_id, award_type_id, amount) VALUES (?, ?, ?)",
                (row["id"], awards["Point"], points),
            )
        for title, _group, _items in LEARNING_PATHS:
            build_milestones(demo, db, c[title], MILESTONES.get(title))
        avery = demo.users[DEMO_LOGINS["busy"][0]]
        enroll(db, avery, c["Leadership Offsite London"], enrolled_at=demo.at(days=-3))
        past = (("Analytics Meetup Manchester", 14), ("Compliance Briefing 2025", 40))
        for title, days in past:
            enroll_completed(demo, db, avery, c[title], days)
        seed_topic_progress(demo, db)
        build_bookmarks(demo, db)


def build_events(demo: Demo, db) -> None:
    locations = {row["name"]: row["id"] for row in db.execute("SELECT id, name FROM locations")}
    london = locations["Northwind London"]
    db.execute(
        "UPDATE locations SET address1 = '10 Finsbury Square', city = 'London', "
        "zip_code = 'EC2A 1AF', country = 'GB', room = 'Thames Room', "
        "time_zone = 'Europe/London' WHERE id = ?",
        (london,),
    )
    manchester = demo.id()
    db.execute(
        "INSERT INTO locations (id, name, address1, city, zip_code, country, room, time_zone) "
        "VALUES (?, 'Northwind Manchester', '1 Spinningfields', 'Manchester', 'M3 3AP', 'GB', "
        "'Studio 2', 'Europe/London')",
        (manchester,),
    )
    where = {"london": london, "manchester": manchester}
    for number, (kind, title, group, days, hours, zone, place) in enumerate(EVENTS):
        content_id = add_content(demo, db, title, kind, group, 400 + number * 10)
        start = (demo.moment + timedelta(days=days)).replace(hour=9, minute=0, second=0)
        db.execute(
            "UPDATE content SET course_start_date = ?, course_end_date = ?, time_zone = ?, "
            "location_id = ?, enrollment_start_date = ?, seats_limit = 40, "
            "waitlisting_enabled = 1, join_url = ?, webinar_provider = ? WHERE id = ?",
            (
                iso(start),
                iso(start + timedelta(hours=hours)),
                zone,
                where.get(place),
                demo.at(days=min(days, 0) - 30),
                f"https://meet.example.com/northwind/{demo.rng.randrange(10**9):09d}"
                if kind == "webinar"
                else None,
                "zoom" if kind == "webinar" else None,
                content_id,
            ),
        )
    for number, title in enumerate(t for k, t, _ in OTHER_CONTENT if k == "webinar"):
        db.execute(
            "UPDATE content SET time_zone = ?, webinar_provider = 'zoom', join_url = ? "
            "WHERE id = ?",
            (
                WEBINAR_ZONES[number % len(WEBINAR_ZONES)],
                f"https://meet.example.com/northwind/{demo.rng.randrange(10**9):09d}",
                demo.content[title],
            ),
        )


def build_syllabus(demo: Demo, db, content, syllabus) -> None:
    content_id = content["id"]
    for position, (section_title, topics) in enumerate(syllabus):
        section = demo.id()
        slug = "-".join(section_title.lower().split())
        db.execute(
            "INSERT INTO sections (id, content_id, slug, title, position) VALUES (?, ?, ?, ?, ?)",
            (section, content_id, slug, section_title, position),
        )
        lesson = demo.id()
        db.execute(
            "INSERT INTO lessons (id, section_id, slug, title, position) VALUES (?, ?, ?, ?, 0)",
            (lesson, section, slug, section_title),
        )
        for topic_position, (title, kind) in enumerate(topics):
            db.execute(
                "INSERT INTO topics (id, lesson_id, title, type, body, position) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (demo.id(), lesson, title, kind, demo_texts.topic_body(content["title"], title),
                 topic_position),
            )  # fmt: skip


def build_milestones(demo: Demo, db, path_id: str, plan) -> None:
    items = [
        row["content_id"]
        for row in db.execute(
            "SELECT content_id FROM learning_path_items WHERE path_id = ? ORDER BY position",
            (path_id,),
        )
    ]
    if plan is None:
        half = (len(items) + 1) // 2
        plan = (("Getting started", range(half)), ("Going further", range(half, len(items))))
    for position, (name, indexes) in enumerate(plan):
        milestone = demo.id()
        db.execute(
            "INSERT INTO milestones (id, path_id, name, position) VALUES (?, ?, ?, ?)",
            (milestone, path_id, name, position),
        )
        db.executemany(
            "INSERT INTO milestone_content (milestone_id, content_id, position) VALUES (?, ?, ?)",
            [(milestone, items[index], n) for n, index in enumerate(indexes)],
        )


def seed_topic_progress(demo: Demo, db) -> None:
    """Topic progress matching every enrollment's percent, and each path's percent from its
    items (as learning.path_percent computes it)."""
    from .learning import path_percent

    topics: dict[str, list[str]] = {}
    for row in db.execute(
        "SELECT sections.content_id, topics.id FROM topics "
        "JOIN lessons ON lessons.id = topics.lesson_id "
        "JOIN sections ON sections.id = lessons.section_id "
        "ORDER BY sections.position, lessons.position, topics.position"
    ):
        topics.setdefault(row["content_id"], []).append(row["id"])
    rows = []
    for held in db.execute(
        "SELECT * FROM enrollments WHERE status != 'notStarted' ORDER BY user_id, content_id"
    ).fetchall():
        ids = topics.get(held["content_id"])
        if not ids:
            continue
        percent = 100 if held["status"] == "completed" else held["progress"]
        left = percent * len(ids)  # spread over the topics in order: full ones, then one part
        for topic in ids:
            part = min(100, left)
            if part <= 0:
                break
            rows.append((held["user_id"], topic, part, held["last_viewed_at"] or demo.at()))
            left -= part
    db.executemany(
        "INSERT INTO topic_progress (user_id, topic_id, progress, views, updated_at) "
        "VALUES (?, ?, ?, 1, ?)",
        rows,
    )
    for held in db.execute(
        "SELECT enrollments.user_id, enrollments.content_id FROM enrollments "
        "JOIN content ON content.id = enrollments.content_id "
        "WHERE content.kind = 'learningPath' AND enrollments.status != 'completed'"
    ).fetchall():
        percent = path_percent(db, held["user_id"], held["content_id"])
        db.execute(
            "UPDATE enrollments SET progress = ?, status = ? WHERE user_id = ? AND content_id = ?",
            (percent, "started" if percent else "notStarted", held["user_id"], held["content_id"]),
        )


def build_bookmarks(demo: Demo, db) -> None:
    c = demo.content
    folders: dict[tuple[str, str], str] = {}
    avery = demo.users[DEMO_LOGINS["busy"][0]]
    camille = demo.users[DEMO_LOGINS["multilingual"][0]]
    plan = [(avery, *mark) for mark in BOOKMARKS]
    plan.append((camille, "Bookmarks", "Resilience at Work", None, ""))
    for number, (user, folder, title, topic_title, note) in enumerate(plan):
        if (user, folder) not in folders:
            folders[user, folder] = demo.id()
            db.execute(
                "INSERT INTO bookmark_folders (id, user_id, name, default_folder, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (folders[user, folder], user, folder, int(folder == "Bookmarks"),
                 demo.at(days=-60 + len(folders))),
            )  # fmt: skip
        topic = None
        if topic_title:
            topic = db.execute(
                "SELECT topics.id FROM topics JOIN lessons ON lessons.id = topics.lesson_id "
                "JOIN sections ON sections.id = lessons.section_id "
                "WHERE sections.content_id = ? AND topics.title = ?",
                (c[title], topic_title),
            ).fetchone()["id"]
        db.execute(
            "INSERT INTO bookmarks (id, user_id, folder_id, content_id, topic_id, note, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (demo.id(), user, folders[user, folder], c[title], topic, note,
             demo.at(days=-20 + number)),
        )  # fmt: skip
