"""Dashboard actions: archive, reinstate and leave a waitlist, with what to ask and say."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from portal import api
from portal.api.errors import ApiError, TokenExpired


@dataclass(frozen=True)
class Action:
    """A change the learner asks for: which mutation, and what to say before and after."""

    question: str
    confirm_label: str
    done: str
    failed: str


# What each action asks, its button, and what it says after: "%(title)s" is the item's title.
ACTIONS = {
    "archive": (
        _l("Archive “%(title)s”? It moves to Archived, where you can reinstate it."),
        _l("Yes, archive"),
        _l("“%(title)s” was archived."),
        _l("“%(title)s” could not be archived."),
    ),
    "unenroll": (
        _l("Leave the waitlist for “%(title)s”? You would lose your place."),
        _l("Yes, leave waitlist"),
        _l("You left the waitlist for “%(title)s”."),
        _l("You could not be taken off the waitlist for “%(title)s”."),
    ),
    "reinstate": (
        None,
        _l("Reinstate"),
        _l("“%(title)s” is back in your content."),
        _l("“%(title)s” could not be reinstated."),
    ),
}


def action(name: str, title: str) -> Action:
    """The action `name` (archive, unenroll, reinstate) for the item titled `title`."""
    question, confirm_label, done, failed = ACTIONS[name]
    values = {"title": title}
    return Action(
        question=str(question) % values if question else "",
        confirm_label=str(confirm_label),
        done=str(done) % values,
        failed=str(failed) % values,
    )


def item_title(form) -> str:
    """The title the action form carried, only ever shown as text."""
    title = " ".join(str(form.get("title", "") or "").split())[:200]
    return title or gettext("this item")


def perform(operation: str, content_id: str) -> str | None:
    """Run a mutation; None when it worked, else the learner-readable reason."""
    try:
        result = api.run(operation, id=content_id)
    except TokenExpired:
        raise
    except ApiError as error:
        return error.message
    if result.get(operation) is False:
        return gettext("It was already done.")
    return None


def archive_operation(kind: str) -> str:
    return "ArchiveUserLearningPath" if kind == "learningPath" else "ArchiveUserCourse"


def reinstate_operation(kind: str) -> str:
    return "ReinstateUserLearningPath" if kind == "learningPath" else "ReinstateUserCourse"
