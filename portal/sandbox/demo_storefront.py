"""The demo academy's storefront: ribbons, ratings, event sessions and their meetings, SKUs and
page titles, store products sold with courses, the catalog's subscription bundle, the news feed
and the learners' addresses. Built last, so that the rest of the demo stays as it was."""

from __future__ import annotations

from datetime import datetime, timedelta

from .store import dumps, iso

# slug, label, colour, text colour on it, darker shade (TI's Ribbon)
RIBBONS = (
    ("new", "New", "#2E7D32", "#FFFFFF", "#1B5E20"),
    ("popular", "Popular", "#F2A541", "#1A1A1A", "#C9822A"),
    ("certification", "Certification", "#1D4E89", "#FFFFFF", "#123457"),
    ("last-seats", "Last seats", "#B3261E", "#FFFFFF", "#8C1D18"),
)
RIBBON_OF = {
    "Data Storytelling": "new",
    "Machine Learning Basics": "new",
    "Compliance Update 2026": "new",
    "Foundations of Leadership": "popular",
    "Python for Analysts": "popular",
    "SQL from Zero": "popular",
    "Information Security Awareness": "popular",
    "New Manager Journey": "certification",
    "Annual Compliance": "certification",
    "Data Analyst Track": "certification",
    "Leadership Offsite London": "last-seats",
}
# An event's session title and its meetings: (title, hours after the start, hours long).
SESSIONS = {
    "Leadership Offsite London": (
        "Planning the year ahead",
        (("Morning workshop: setting direction", 0, 3.5), ("Afternoon workshop: leading change",
                                                            4.5, 3.5)),
    ),  # fmt: skip
    "Analytics Meetup Manchester": (
        "Lightning talks and networking",
        (("Talks and open discussion", 0, 3),),
    ),
    "Compliance Briefing 2025": ("Annual briefing", (("Briefing and questions", 0, 1),)),
    "Live Q&A: Leading Through Change": (
        "Ask the leadership faculty",
        (("Live questions and answers", 0, 1),),
    ),
    "Quarterly Data Clinic": ("Your data questions, live", (("Clinic", 0, 1),)),
    "Compliance Update 2026": ("What changes this year", (("Briefing", 0, 1),)),
    "Customer Success Roundtable": (
        "Renewals and adoption",
        (("Roundtable discussion", 0, 1),),
    ),
}
ATTENDEE_INFO = {
    "inPersonEvent": "Please arrive ten minutes early and bring photo ID for reception.",
    "webinar": "The join link opens ten minutes before the start; headphones recommended.",
}
# Short course codes by group, for SKUs.
GROUP_CODES = {
    "Leadership": "LEAD",
    "Data & Analytics": "DATA",
    "Compliance": "COMP",
    "Customer Success": "CUST",
    "Wellbeing": "WELL",
}
# Level and length of each kind, as the instance's custom fields show them.
LEVELS = ("Beginner", "Intermediate", "Advanced")
# slug, name, price, retail price, description, sold with (titles)
PRODUCTS = (
    ("managers-field-guide", "The Manager's Field Guide (paperback)", 2400, 2900,
     "A pocket guide to one-to-ones, feedback and delegation, with checklists for each.",
     ("Foundations of Leadership", "Giving Feedback That Lands", "New Manager Journey")),
    ("coaching-card-deck", "Coaching Question Cards", 1800, None,
     "Fifty cards with open questions for coaching conversations, grouped by stage of GROW.",
     ("Coaching Conversations", "Foundations of Leadership")),
    ("sql-cheat-sheet", "SQL Cheat Sheet Poster", 900, 1200,
     "An A2 poster of SELECT, JOIN, GROUP BY and window functions with worked examples.",
     ("SQL from Zero", "Data Analyst Track")),
    ("data-storytelling-workbook", "Data Storytelling Workbook", 2200, None,
     "Exercises for sketching, decluttering and presenting charts, with sample datasets.",
     ("Data Storytelling", "Spreadsheet Essentials", "Data Analyst Track")),
    ("gdpr-quick-reference", "GDPR Quick Reference Card", 500, None,
     "A laminated card with the lawful bases, individuals' rights and breach timelines.",
     ("Data Protection and GDPR", "Annual Compliance")),
    ("mindfulness-journal", "Mindful Work Journal", 1600, 1900,
     "Twelve weeks of short daily prompts for focus, energy and reflection.",
     ("Mindful Work Habits", "Sleep, Energy and Focus", "Healthy Habits")),
)  # fmt: skip
# Products bought together with another product.
PRODUCT_PAIRS = (
    ("managers-field-guide", "coaching-card-deck"),
    ("coaching-card-deck", "managers-field-guide"),
    ("sql-cheat-sheet", "data-storytelling-workbook"),
    ("data-storytelling-workbook", "sql-cheat-sheet"),
)
NEWS_FEED = "https://news.northwind-academy.example/feed.xml"
# title, course the item announces (its link), author, categories, days ago, description
NEWS = (
    ("New course: Data Storytelling", "Data Storytelling", "Priya Raman",
     ("Data & Analytics", "New courses"), 6,
     "Learn to turn a chart into an argument people act on, in five short lessons."),
    ("Annual Compliance opens for this year", "Annual Compliance", "Compliance team",
     ("Compliance",), 12,
     "Everyone completes the four compliance courses by the end of the quarter."),
    ("Book your place at the Leadership Offsite", "Leadership Offsite London", "Learning team",
     ("Leadership", "Events"), 18,
     "Forty places for managers in London; the waitlist opens when they are taken."),
    ("Python for Analysts, refreshed", "Python for Analysts", "Priya Raman",
     ("Data & Analytics",), 30,
     "New exercises with pandas 2 and a notebook you can run in your browser."),
    ("Five minutes for yourself", "Five-Minute Breathing Break", "Wellbeing team",
     ("Wellbeing",), 45,
     "A guided breathing break to use between meetings, now in the catalog."),
)  # fmt: skip
# Learners' addresses: email -> (address1, city, state, zip, country, telephone, customer id)
ADDRESSES = {
    "avery@example.com": ("200 Pine Street", "San Francisco", "CA", "94104", "US",
                          "+1 415 555 0142", "NW-CUST-1042"),
    "noah@example.com": ("48 Market Square", "Austin", "TX", "78701", "US", "+1 512 555 0199",
                         "NW-CUST-1187"),
    "camille@example.com": ("12 rue de la Paix", "Paris", None, "75002", "FR",
                            "+33 1 84 88 21 07", "NW-CUST-2031"),
    "lena@example.com": ("Seestraße 21", "Zürich", "ZH", "8002", "CH", "+41 44 555 12 34",
                         "LH-4410"),
}  # fmt: skip


def build_storefront(demo) -> None:
    store = demo.store
    with store.transaction() as db:
        db.executemany(
            "INSERT INTO ribbons (slug, label, color, contrast_color, darker_color) "
            "VALUES (?, ?, ?, ?, ?)",
            RIBBONS,
        )
        items = db.execute(
            "SELECT id, title, kind, group_name, course_start_date, location_id, authors, "
            "price_in_cents FROM content ORDER BY display_order, title"
        ).fetchall()
        for number, row in enumerate(items):
            describe(demo, db, row, number)
        for row in items:
            if row["title"] in SESSIONS:
                build_session(demo, db, row)
        build_products(demo, db)
        db.execute(
            "INSERT INTO bundles (id, slug, name, price_in_cents, annual_price_in_cents, "
            "plan_id, annual_plan_id, in_catalog) VALUES (?, 'all-access', "
            "'Northwind All-Access', 1900, 19000, 'plan-monthly', 'plan-annual', 1)",
            (demo.id(),),
        )
        for title, course, author, categories, days, text in NEWS:
            slug = db.execute("SELECT slug FROM content WHERE title = ?", (course,)).fetchone()[0]
            db.execute(
                "INSERT INTO rss_items (id, feed_url, title, link, description, author, "
                "categories, published_at, image_url, image_alt_title) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    demo.id(),
                    NEWS_FEED,
                    title,
                    f"/courses/{slug}",
                    text,
                    author,
                    dumps(list(categories)),
                    demo.at(days=-days),
                    demo.asset(f"news-{days}"),
                    f"Illustration for {title}",
                ),
            )
        for email, (street, city, state, zip_code, country, phone, customer) in ADDRESSES.items():
            db.execute(
                "UPDATE users SET address1 = ?, city = ?, state = ?, zip_code = ?, country = ?, "
                "telephone = ?, external_customer_id = ? WHERE email = ?",
                (street, city, state, zip_code, country, phone, customer, email),
            )
        # What Avery bought with credits is hers for a year.
        db.execute(
            "UPDATE enrollments SET expires_at = ? WHERE source = 'credits'",
            (demo.at(days=300),),
        )


def describe(demo, db, row, number: int) -> None:
    """Ribbon, rating, SKU, page title and custom fields of one item."""
    title, kind = row["title"], row["kind"]
    upcoming = bool(row["course_start_date"]) and row["course_start_date"] > demo.at()
    rated = kind != "learningPath" and not upcoming
    code = GROUP_CODES.get(row["group_name"], "GEN")
    level = LEVELS[number % len(LEVELS)] if kind in ("course", "learningPath") else None
    minutes = {"article": 10, "video": 5, "webinar": 60, "learningPath": 600}.get(kind, 90)
    fields = {"duration-in-minutes": minutes, **({"level": level} if level else {})}
    price = row["price_in_cents"]
    db.execute(
        "UPDATE content SET ribbon_slug = ?, rating = ?, ratings_count = ?, sku = ?, "
        "meta_title = ?, meta_description = short_description, "
        "suggested_retail_price_in_cents = ?, custom_fields = ? WHERE id = ?",
        (
            RIBBON_OF.get(title),
            demo.rng.randrange(72, 99) if rated else None,
            demo.rng.randrange(4, 240) if rated else 0,
            f"NWA-{code}-{100 + number}",
            f"{title} | Northwind Academy",
            price + 1000 if price else None,
            dumps(fields),
            row["id"],
        ),
    )


def build_session(demo, db, row) -> None:
    session, meetings = SESSIONS[row["title"]]
    db.execute("UPDATE content SET session_title = ? WHERE id = ?", (session, row["id"]))
    event = db.execute(
        "SELECT course_start_date, time_zone FROM content WHERE id = ?", (row["id"],)
    ).fetchone()
    start = datetime.fromisoformat(event["course_start_date"].replace("Z", "+00:00"))
    for position, (title, after, hours) in enumerate(meetings):
        begins = start + timedelta(hours=after)
        db.execute(
            "INSERT INTO meetings (id, content_id, title, start_date, end_date, time_zone, "
            "location_id, instructors, attendee_info, position) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                demo.id(),
                row["id"],
                title,
                iso(begins),
                iso(begins + timedelta(hours=hours)),
                event["time_zone"],
                row["location_id"] if row["kind"] == "inPersonEvent" else None,
                row["authors"],
                ATTENDEE_INFO.get(row["kind"]),
                position,
            ),
        )


def build_products(demo, db) -> None:
    ids = {}
    for slug, name, price, retail, text, sold_with in PRODUCTS:
        ids[slug] = demo.id()
        db.execute(
            "INSERT INTO products (id, slug, name, asset, long_description, price_in_cents, "
            "suggested_retail_price_in_cents, language) VALUES (?, ?, ?, ?, ?, ?, ?, 'en')",
            (ids[slug], slug, name, demo.asset(f"product-{slug}"), text, price, retail),
        )
        for position, title in enumerate(sold_with):
            content = db.execute("SELECT id FROM content WHERE title = ?", (title,)).fetchone()
            db.execute(
                "INSERT INTO product_relations (source_id, product_id, position) "
                "VALUES (?, ?, ?)",
                (content["id"], ids[slug], position),
            )
    for source, related in PRODUCT_PAIRS:
        db.execute(
            "INSERT INTO product_relations (source_id, product_id, position) VALUES (?, ?, 0)",
            (ids[source], ids[related]),
        )
