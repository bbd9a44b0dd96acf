"""Progress, course structure, learning paths and events in the sandbox's GraphQL answers."""

from __future__ import annotations

PROGRESS = """query($id: ID!) {
  UserCourseProgress(id: $id) { percentComplete totalViews }
  UserCourseCompletionProgress(id: $id) { type percent required completed }
}"""
UPDATE = """mutation($topic: ID!, $progress: Int!) {
  UpdateTopicAndCourseProgress(topicId: $topic, progress: $progress)
}"""
COURSE = """query($id: ID!) {
  CourseById(id: $id) {
    id title slug kind availabilityStatus currentUserHasAccess hasChildren
    sections { id title lessons { id title topics { __typename ... on TextPage { id title type }
      ... on VideoPage { id title type } } } }
    location { name address1 city room timeZone }
    webinarTimeZone webinarDates { startDate endDate }
    webinarDetails { joinUrl timeZone webinarProvider webinarDates { startTime endTime } }
    waitlistActive waitlistCount waitlistingTriggered
  }
}"""
STATE = """query {
  UserContentItems { id availabilityStatus }
  UserContentGroups { kind count }
  CurrentUser { completedCoursesCount }
  UserEarnedBadgeBoard { earnedBadges { badge { label } } }
  BadgeLeaderboard { currentUserPosition { total } }
  UserCertificates { resourceId url }
  UserRecentContent { id }
}"""
PATH = """query($slug: Slug!) {
  LearningPathBySlug(slug: $slug) {
    id name availabilityStatus currentUserEarnedCertificate resourceType
    milestones { id name kind requirement contentItems { id title availabilityStatus } }
  }
  CurrentUserLearningPathMilestoneCompletionsBySlug(slug: $slug) {
    id type timestamp milestone { id name } learningPath { slug } user { email }
  }
}"""


def error_code(answer) -> str:
    body = answer.json()
    assert answer.status_code == 200, body
    return body["errors"][0]["extensions"]["code"]


def test_progress_of_a_started_and_a_completed_course(gql_sandbox):
    i = gql_sandbox.ids
    gql_sandbox.store.execute(
        "UPDATE enrollments SET progress = 40 WHERE content_id = ?", i["analytics"]
    )
    started = gql_sandbox.data(PROGRESS, {"id": i["analytics"]})
    assert started["UserCourseProgress"]["percentComplete"] == 40
    assert started["UserCourseCompletionProgress"] == [
        {"type": "courseTopicViewed", "percent": 40, "required": [i["topic_4"]], "completed": []}
    ]
    fresh = gql_sandbox.data(PROGRESS, {"id": i["beginner_course"]})
    assert fresh["UserCourseProgress"] == {"percentComplete": 0, "totalViews": 0}


def test_availability_status_is_the_learners_state(gql_sandbox):
    i = gql_sandbox.ids
    items = {x["id"]: x["availabilityStatus"] for x in gql_sandbox.data(STATE)["UserContentItems"]}
    assert items[i["analytics"]] == "started"
    assert items[i["python"]] == "completed"
    assert items[i["data_path"]] == "not-started"
    catalog = gql_sandbox.data(
        "query { CatalogContent(page: 1) { contentItems { id availabilityStatus } } }"
    )["CatalogContent"]["contentItems"]
    states = {x["id"]: x["availabilityStatus"] for x in catalog}
    assert states[i["python"]] == "completed" and states[i["beginner_course"]] == "available"


def test_course_by_id_shows_sections_lessons_and_topics(gql_sandbox):
    i = gql_sandbox.ids
    course = gql_sandbox.data(COURSE, {"id": i["beginner_course"]})["CourseById"]
    assert course["kind"] == "courseGroup" and course["hasChildren"] is True
    assert course["availabilityStatus"] == "available" and course["currentUserHasAccess"] is False
    assert [s["title"] for s in course["sections"]] == ["Getting started", "Wrapping up"]
    topics = course["sections"][0]["lessons"][0]["topics"]
    assert [(t["__typename"], t["title"]) for t in topics] == [
        ("TextPage", "Why learn"),
        ("VideoPage", "A short video"),
    ]


def test_events_carry_time_zone_place_join_link_and_waitlist(gql_sandbox):
    i = gql_sandbox.ids
    webinar = gql_sandbox.data(COURSE, {"id": i["webinar"]})["CourseById"]
    assert webinar["webinarTimeZone"] == "America/New_York"
    assert webinar["webinarDetails"]["joinUrl"] == "https://zoom.example.com/j/123"
    starts = gql_sandbox.store.scalar(
        "SELECT course_start_date FROM content WHERE id = ?", i["webinar"]
    )
    assert starts
    assert webinar["webinarDetails"]["webinarDates"][0]["startTime"] == starts
    assert webinar["location"] is None
    # Noah does not hold the webinar: no join link for him.
    other = gql_sandbox.data(COURSE, {"id": i["webinar"]}, who="noah")["CourseById"]
    assert other["webinarDetails"]["joinUrl"] is None
    workshop = gql_sandbox.data(COURSE, {"id": i["workshop"]})["CourseById"]
    assert workshop["location"] == {
        "name": "Main Hall",
        "address1": "1 Market Street",
        "city": "London",
        "room": "Room 4",
        "timeZone": "Europe/London",
    }
    assert workshop["waitlistActive"] is True and workshop["waitlistingTriggered"] is True
    items = gql_sandbox.data(
        "query { UserWaitlist { id timeZone meetingStartDate location { city } } }"
    )["UserWaitlist"]
    meets = gql_sandbox.store.scalar(
        "SELECT course_start_date FROM content WHERE id = ?", i["workshop"]
    )
    assert meets
    assert items == [
        {
            "id": i["workshop"],
            "timeZone": "Europe/London",
            "meetingStartDate": meets,
            "location": {"city": "London"},
        }
    ]


def test_completing_every_topic_completes_the_course_and_everything_follows(gql_sandbox):
    i = gql_sandbox.ids
    before = gql_sandbox.data(STATE)
    groups_before = {g["kind"]: g["count"] for g in before["UserContentGroups"]}
    gql_sandbox.data(UPDATE, {"topic": i["topic_1"], "progress": 100})
    after_one = gql_sandbox.data(PROGRESS, {"id": i["beginner_course"]})
    assert after_one["UserCourseProgress"]["percentComplete"] == 33
    state = gql_sandbox.data(STATE)
    statuses = {x["id"]: x["availabilityStatus"] for x in state["UserContentItems"]}
    assert statuses[i["beginner_course"]] == "started"
    assert state["UserRecentContent"][0]["id"] == i["beginner_course"]
    for topic in ("topic_2", "topic_3"):
        gql_sandbox.data(UPDATE, {"topic": i[topic], "progress": 100})
    done = gql_sandbox.data(PROGRESS, {"id": i["beginner_course"]})
    assert done["UserCourseProgress"]["percentComplete"] == 100
    assert done["UserCourseCompletionProgress"][0]["completed"] == [
        i["topic_1"], i["topic_2"], i["topic_3"]
    ]  # fmt: skip
    state = gql_sandbox.data(STATE)
    statuses = {x["id"]: x["availabilityStatus"] for x in state["UserContentItems"]}
    assert statuses[i["beginner_course"]] == "completed"
    groups = {g["kind"]: g["count"] for g in state["UserContentGroups"]}
    assert groups["completedItems"] == groups_before["completedItems"] + 1
    assert groups["certificates"] == groups_before["certificates"] + 1
    assert state["CurrentUser"]["completedCoursesCount"] == (
        before["CurrentUser"]["completedCoursesCount"] + 1
    )
    total = state["BadgeLeaderboard"]["currentUserPosition"]["total"]
    assert total == before["BadgeLeaderboard"]["currentUserPosition"]["total"] + 10
    certificate = [c for c in state["UserCertificates"] if c["resourceId"] == i["beginner_course"]]
    assert len(certificate) == 1 and certificate[0]["url"].startswith("/certificates/")
    # Reviewing a completed course earns nothing twice.
    gql_sandbox.data(UPDATE, {"topic": i["topic_1"], "progress": 100})
    again = gql_sandbox.data(STATE)
    assert again["BadgeLeaderboard"]["currentUserPosition"]["total"] == total
    assert len(again["UserCertificates"]) == len(state["UserCertificates"])


def test_progress_earns_the_badges_whose_threshold_is_reached(gql_sandbox):
    i = gql_sandbox.ids
    gql_sandbox.store.execute(
        "UPDATE content_awards SET amount = 100 WHERE content_id = ?", i["beginner_course"]
    )
    for topic in ("topic_1", "topic_2", "topic_3"):
        gql_sandbox.data(UPDATE, {"topic": i[topic], "progress": 100})
    board = gql_sandbox.data(STATE)["UserEarnedBadgeBoard"]["earnedBadges"]
    assert {b["badge"]["label"] for b in board} == {"Quick Learner", "Expert"}


def test_progress_never_goes_down_and_bad_values_are_refused(gql_sandbox):
    i = gql_sandbox.ids
    gql_sandbox.data(UPDATE, {"topic": i["topic_1"], "progress": 100})
    gql_sandbox.data(UPDATE, {"topic": i["topic_1"], "progress": 10})
    progress = gql_sandbox.data(PROGRESS, {"id": i["beginner_course"]})["UserCourseProgress"]
    assert progress == {"percentComplete": 33, "totalViews": 2}
    token = gql_sandbox.login()
    for value in (-1, 101):
        answer = gql_sandbox.gql(UPDATE, {"topic": i["topic_1"], "progress": value}, token=token)
        assert error_code(answer) == "BAD_USER_INPUT"
    unknown = gql_sandbox.gql(UPDATE, {"topic": i["company"], "progress": 100}, token=token)
    assert error_code(unknown) == "NOT_FOUND"
    anonymous = gql_sandbox.gql(UPDATE, {"topic": i["topic_1"], "progress": 100})
    assert error_code(anonymous) == "UNAUTHENTICATED"


def test_paid_and_other_clients_private_courses_refuse_progress(gql_sandbox):
    i, store = gql_sandbox.ids, gql_sandbox.store
    for course in ("paid", "private_b"):
        store.execute("UPDATE sections SET content_id = ? WHERE id = ?", i[course], i["section_1"])
        answer = gql_sandbox.gql(
            UPDATE, {"topic": i["topic_1"], "progress": 100}, token=gql_sandbox.login()
        )
        assert error_code(answer) == ("FORBIDDEN" if course == "paid" else "NOT_FOUND")
    assert gql_sandbox.count("topic_progress") == 0


def test_course_and_progress_of_hidden_private_and_unknown_ids(gql_sandbox):
    i = gql_sandbox.ids
    hidden = gql_sandbox.data(COURSE, {"id": i["hidden"]})["CourseById"]
    assert hidden["title"] == "Hidden Course"
    token = gql_sandbox.login()
    for key in ("private_b", "company", "data_path"):
        assert error_code(gql_sandbox.gql(COURSE, {"id": i[key]}, token=token)) == "NOT_FOUND"
    answer = gql_sandbox.gql(PROGRESS, {"id": i["private_b"]}, token=token)
    assert error_code(answer) == "NOT_FOUND"


def test_learning_path_milestones_and_their_completions(gql_sandbox):
    i = gql_sandbox.ids
    data = gql_sandbox.data(PATH, {"slug": "data-science-path"})
    path = data["LearningPathBySlug"]
    assert path["name"] == "Data Science Path" and path["resourceType"] == "learningPath"
    assert path["availabilityStatus"] == "not-started"
    assert [(m["name"], m["kind"], m["requirement"]) for m in path["milestones"]] == [
        ("Foundations", "content", "required"),
        ("Analysis", "content", "required"),
    ]
    assert path["milestones"][0]["contentItems"] == [
        {"id": i["python"], "title": "Python Basics", "availabilityStatus": "completed"}
    ]
    completions = data["CurrentUserLearningPathMilestoneCompletionsBySlug"]
    assert [c["milestone"]["name"] for c in completions] == ["Foundations"]
    assert completions[0]["learningPath"]["slug"] == "data-science-path"
    assert completions[0]["user"]["email"] == "avery@example.com"
    again = gql_sandbox.data(PATH, {"slug": "data-science-path"})
    assert (
        again["CurrentUserLearningPathMilestoneCompletionsBySlug"][0]["id"]
        == (completions[0]["id"])
    )
    noah = gql_sandbox.data(PATH, {"slug": "data-science-path"}, who="noah")
    assert noah["CurrentUserLearningPathMilestoneCompletionsBySlug"] == []
    assert noah["LearningPathBySlug"]["availabilityStatus"] == "available"


def test_completing_the_last_course_of_a_path_completes_the_path(gql_sandbox):
    i = gql_sandbox.ids
    gql_sandbox.data(UPDATE, {"topic": i["topic_4"], "progress": 100})
    data = gql_sandbox.data(PATH, {"slug": "data-science-path"})
    assert data["LearningPathBySlug"]["availabilityStatus"] == "completed"
    assert len(data["CurrentUserLearningPathMilestoneCompletionsBySlug"]) == 2


def test_unknown_learning_path_slug_is_not_found(gql_sandbox):
    answer = gql_sandbox.gql(PATH, {"slug": "no-such-path"}, token=gql_sandbox.login())
    assert error_code(answer) == "NOT_FOUND"


def test_progress_is_batched_with_aliases_in_one_request(gql_sandbox):
    i = gql_sandbox.ids
    document = "query { " + " ".join(
        f'p{n}: UserCourseProgress(id: "{i[key]}") {{ percentComplete }}'
        for n, key in enumerate(("analytics", "python", "beginner_course"))
    ) + " }"  # fmt: skip
    data = gql_sandbox.data(document)
    assert [data[f"p{n}"]["percentComplete"] for n in range(3)] == [0, 100, 0]
