"""Dashboard actions: archive, reinstate and leave a waitlist, with what to ask and say."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext

from portal import api
from portal.api.errors import ApiError, TokenExpired


@dataclass(frozen=True)
class Action:
    """A change the learner asks for: which mutation, and what to say before and after."""

    question: str
    confirm_label: str
    done: str
    failed: str


def archive_action(title: str) -> Action:
    return Action(
        question=gettext(
            "Archive “%(title)s”? It moves to Archived, where you can reinstate it.", title=title
        ),
        confirm_label=gettext("Yes, archive"),
        done=gettext("“%(title)s” was archived.", title=title),
        failed=gettext("“%(title)s” could not be archived.", title=title),
    )


def unenroll_action(title: str) -> Action:
    return Action(
        question=gettext(
            "Leave the waitlist for “%(title)s”? You would lose your place.", title=title
        ),
        confirm_label=gettext("Yes, leave waitlist"),
        done=gettext("You left the waitlist for “%(title)s”.", title=title),
        failed=gettext("You could not be taken off the waitlist for “%(title)s”.", title=title),
    )


def reinstate_action(title: str) -> Action:
    return Action(
        question="",
        confirm_label=gettext("Reinstate"),
        done=gettext("“%(title)s” is back in your content.", title=title),
        failed=gettext("“%(title)s” could not be reinstated.", title=title),
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
