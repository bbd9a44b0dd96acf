"""Behaviour of the sandbox's GraphQL operations: real semantics over the test dataset."""

from __future__ import annotations

import requests

ITEMS = """query($query: String, $kind: [ContentKind!], $sortColumn: SortColumn,
  $sortDirection: SortDirection) {
  UserContentItems(query: $query, kind: $kind, sortColumn: $sortColumn,
    sortDirection: $sortDirection) { id title kind }
}"""
GROUPS = """query($query: String, $all: Boolean) {
  UserContentGroups(query: $query, includeExpiredCertificates: $all) { kind count }
}"""
CERTS = """query($query: String, $all: Boolean) {
  UserCertificates(query: $query, includeExpiredCertificates: $all) { id isExpired }
}"""
LOGIN = "mutation($e: String!, $p: String!) { Login(email: $e, password: $p) }"


def titles(sandbox, **variables) -> list[str]:
    return [i["title"] for i in sandbox.data(ITEMS, variables)["UserContentItems"]]


def error_code(answer) -> str:
    body = answer.json()
    assert answer.status_code == 200, body
    return body["errors"][0]["extensions"]["code"]


def groups(sandbox, **variables) -> dict:
    return {g["kind"]: g["count"] for g in sandbox.data(GROUPS, variables)["UserContentGroups"]}


# --- auth ------------------------------------------------------------------------------------


def test_login_returns_an_opaque_token_stored_only_as_a_hash(gql_sandbox):
    token = gql_sandbox.login("avery")
    assert len(token) >= 40 and "." not in token
    stored = [r["token_hash"] for r in gql_sandbox.store.query("SELECT token_hash FROM tokens")]
    assert token not in stored and len(stored) == 1 and len(stored[0]) == 64


def test_wrong_password_and_unknown_email_get_the_same_error(gql_sandbox):
    wrong = gql_sandbox.gql(LOGIN, {"e": "avery@example.com", "p": "nope"}).json()["errors"][0]
    unknown = gql_sandbox.gql(LOGIN, {"e": "ghost@example.com", "p": "nope"}).json()["errors"][0]
    assert wrong["message"] == unknown["message"] == "Invalid email or password."
    assert wrong["extensions"] == unknown["extensions"] == {"code": "INVALID_CREDENTIALS"}


def test_disabled_and_reset_required_accounts_are_told_only_after_a_right_password(gql_sandbox):
    for who, code in (("disabled", "ACCOUNT_DISABLED"), ("reset", "PASSWORD_RESET_REQUIRED")):
        email, password = gql_sandbox.passwords[who]
        assert error_code(gql_sandbox.gql(LOGIN, {"e": email, "p": "wrong"})) == (
            "INVALID_CREDENTIALS"
        )
        assert error_code(gql_sandbox.gql(LOGIN, {"e": email, "p": password})) == code


def test_five_failures_throttle_the_email_even_with_the_right_password(gql_sandbox):
    email, password = gql_sandbox.passwords["noah"]
    for _ in range(5):
        assert error_code(gql_sandbox.gql(LOGIN, {"e": email, "p": "bad"})) == (
            "INVALID_CREDENTIALS"
        )
    assert error_code(gql_sandbox.gql(LOGIN, {"e": email, "p": password})) == "TOO_MANY_ATTEMPTS"
    for _ in range(5):
        gql_sandbox.gql(LOGIN, {"e": "nobody@example.com", "p": "bad"})
    answer = gql_sandbox.gql(LOGIN, {"e": "nobody@example.com", "p": "bad"})
    assert error_code(answer) == "TOO_MANY_ATTEMPTS"


def test_logout_revokes_the_token(gql_sandbox):
    token = gql_sandbox.login("avery")
    assert gql_sandbox.gql("mutation { Logout }", token=token).json() == {"data": {"Logout": True}}
    answer = gql_sandbox.gql("{ UserWaitlist { id } }", token=token)
    assert error_code(answer) == "UNAUTHENTICATED"


def test_current_user_is_null_without_a_token(gql_sandbox):
    assert gql_sandbox.data("{ CurrentUser { id } }", who=None) == {"CurrentUser": None}


def test_user_scoped_operations_need_a_valid_token(gql_sandbox):
    for document in (
        "{ UserContentItems { id } }",
        "{ UserCertificates { id } }",
        "mutation { Logout }",
    ):
        assert error_code(gql_sandbox.gql(document)) == "UNAUTHENTICATED"
        assert error_code(gql_sandbox.gql(document, token="made-up")) == "UNAUTHENTICATED"


# --- content items ---------------------------------------------------------------------------


def test_content_items_filter_by_kind(gql_sandbox):
    assert titles(gql_sandbox, kind=["learningPath"], sortColumn="title") == [
        "Data Science Path",
        "Leadership Path",
    ]
    assert titles(gql_sandbox, kind=["webinar"]) == ["Live Q&A"]


def test_content_items_search_titles_case_insensitively(gql_sandbox):
    assert titles(gql_sandbox, query="PYTHON") == ["Python Basics"]
    assert titles(gql_sandbox, query="nothing like this") == []


def test_content_items_accept_tag_and_author_filters(gql_sandbox):
    found = titles(gql_sandbox, query='tags:"Premium Package"', sortColumn="title")
    assert found == ["Advanced Data Analytics", "Data Science Path"]
    assert titles(gql_sandbox, query='authors:"Alice Smith"') == ["Advanced Data Analytics"]


def test_content_items_sort_by_title_both_ways(gql_sandbox):
    ascending = titles(gql_sandbox, sortColumn="title", sortDirection="asc")
    assert ascending == sorted(ascending, key=str.lower)
    assert titles(gql_sandbox, sortColumn="title", sortDirection="desc") == ascending[::-1]


def test_content_items_sort_by_dates_with_missing_values_last(gql_sandbox):
    by_start = titles(gql_sandbox, sortColumn="courseStartDate", sortDirection="asc")
    assert by_start[:2] == ["Python Basics", "Live Q&A"]
    by_start_desc = titles(gql_sandbox, sortColumn="courseStartDate", sortDirection="desc")
    assert by_start_desc[:2] == ["Live Q&A", "Python Basics"]
    by_created = titles(gql_sandbox, sortColumn="createdAt", sortDirection="asc")
    assert by_created[:3] == ["Advanced Data Analytics", "Python Basics", "Data Science Path"]
    recent = titles(gql_sandbox, sortColumn="lastActiveAt", sortDirection="desc")
    assert recent[:3] == ["Advanced Data Analytics", "Python Basics", "Live Q&A"]


def test_every_sort_column_is_accepted(gql_sandbox):
    everything = sorted(titles(gql_sandbox))
    for column in (
        "title",
        "createdAt",
        "updatedAt",
        "publishDate",
        "courseStartDate",
        "displayDate",
        "name",
        "label",
        "parentName",
        "lastActiveAt",
        "relevance",
    ):
        for direction in ("asc", "desc"):
            assert sorted(titles(gql_sandbox, sortColumn=column, sortDirection=direction)) == (
                everything
            )


def test_content_items_leave_out_archived_and_inactive_content(gql_sandbox):
    found = titles(gql_sandbox)
    assert "Archived Course" not in found and "Locked Archive" not in found
    gql_sandbox.store.execute(
        "UPDATE content SET is_active = 0 WHERE id = ?", gql_sandbox.ids["python"]
    )
    assert "Python Basics" not in titles(gql_sandbox)


# --- groups ----------------------------------------------------------------------------------


def test_content_group_counts_agree_with_the_lists(gql_sandbox):
    counts = groups(gql_sandbox)
    assert list(counts) == [
        "contentItems",
        "completedItems",
        "certificates",
        "learningPaths",
        "eventItems",
        "bookmarkFolders",
        "waitlistedCourses",
        "archivedContentItems",
    ]
    data = gql_sandbox.data(
        "{ UserContentItems { id } UserCertificates { id } UserWaitlist { id } "
        "UserArchivedContent { id } paths: UserContentItems(kind: [learningPath]) { id } "
        "events: UserContentItems(kind: [webinar, webinarCourse, inPersonEvent]) { id } }"
    )
    assert counts["contentItems"] == len(data["UserContentItems"]) == 6
    assert counts["certificates"] == len(data["UserCertificates"]) == 2
    assert counts["waitlistedCourses"] == len(data["UserWaitlist"]) == 1
    assert counts["archivedContentItems"] == len(data["UserArchivedContent"]) == 2
    assert counts["learningPaths"] == len(data["paths"]) == 2
    assert counts["eventItems"] == len(data["events"]) == 1
    assert counts["completedItems"] == 1 and counts["bookmarkFolders"] == 1


def test_content_group_counts_follow_the_query_and_expired_flag(gql_sandbox):
    counts = groups(gql_sandbox, query='tags:"Premium Package"')
    assert counts["contentItems"] == 2 and counts["learningPaths"] == 1
    assert groups(gql_sandbox, all=True)["certificates"] == 3


# --- certificates ----------------------------------------------------------------------------


def test_certificate_fields_come_in_order_with_their_formats_and_award_type(gql_sandbox):
    ids = gql_sandbox.ids
    fields = gql_sandbox.data(
        "{ UserCertificateFields { id type label dateFormat identifierPrefix"
        " identifierBodyLength hasIdentifierPrefix awardTypeId awardType { id label } } }"
    )["UserCertificateFields"]
    by_id = {field["id"]: field for field in fields}
    assert [field["id"] for field in fields] == [
        ids["field_name"],
        ids["field_date"],
        ids["field_award"],
        ids["field_identifier"],
    ]
    assert [field["type"] for field in fields] == [
        "nameLabel",
        "contentCompletionDate",
        "awardLabel",
        "identifier",
    ]
    assert by_id[ids["field_date"]]["dateFormat"] == "usLong"
    award = by_id[ids["field_award"]]
    assert award["awardTypeId"] == ids["award_credit"]
    assert award["awardType"] == {"id": ids["award_credit"], "label": "Credit"}
    identifier = by_id[ids["field_identifier"]]
    assert (identifier["identifierPrefix"], identifier["identifierBodyLength"]) == ("CERT-", 8)
    assert identifier["hasIdentifierPrefix"] is True
    assert by_id[ids["field_name"]]["hasIdentifierPrefix"] is False


def test_expired_certificates_hidden_unless_asked(gql_sandbox):
    ids = gql_sandbox.ids
    shown = gql_sandbox.data(CERTS)["UserCertificates"]
    assert {c["id"] for c in shown} == {ids["cert_valid"], ids["cert_external"]}
    everything = gql_sandbox.data(CERTS, {"all": True})["UserCertificates"]
    expired = [c for c in everything if c["isExpired"]]
    assert [c["id"] for c in expired] == [ids["cert_expired"]]


def test_certificates_filter_by_title(gql_sandbox):
    found = gql_sandbox.data(CERTS, {"query": "forklift"})["UserCertificates"]
    assert [c["id"] for c in found] == [gql_sandbox.ids["cert_external"]]


def test_uploaded_certificate_is_then_listed(gql_sandbox):
    ids = gql_sandbox.ids
    created = gql_sandbox.data(
        """mutation($asset: URL!, $fields: [CertificateUploadField!]) {
          CreateCertificateFromUpload(asset: $asset, certificateUploadFields: $fields) {
            id isExternal source issuedAt identifier }
        }""",
        {
            "asset": "https://cdn.example.com/c.png",
            "fields": [
                {
                    "certificateFieldId": ids["field_date"],
                    "type": "contentCompletionDate",
                    "date": "2024-06-15",
                },
                {
                    "certificateFieldId": ids["field_identifier"],
                    "type": "identifier",
                    "value": "CERT-ABC",
                },
            ],
        },
    )["CreateCertificateFromUpload"]
    assert created["isExternal"] and created["source"] == "upload"
    assert created["issuedAt"].startswith("2024-06-15") and created["identifier"] == "CERT-ABC"
    listed = gql_sandbox.data(CERTS)["UserCertificates"]
    assert created["id"] in {c["id"] for c in listed}


def test_certificate_upload_validates_asset_and_fields(gql_sandbox):
    token = gql_sandbox.login()
    upload = """mutation($asset: URL!, $fields: [CertificateUploadField!]) {
      CreateCertificateFromUpload(asset: $asset, certificateUploadFields: $fields) { id } }"""
    before = gql_sandbox.count("certificates")
    for asset, fields in (
        ("javascript:alert(1)", None),
        (
            "https://cdn.example.com/c.png",
            [{"certificateFieldId": "no-such-field", "type": "nameLabel", "value": "x"}],
        ),
        (
            "https://cdn.example.com/c.png",
            [
                {
                    "certificateFieldId": gql_sandbox.ids["field_date"],
                    "type": "contentCompletionDate",
                    "date": "15/06/2024",
                }
            ],
        ),
    ):
        answer = gql_sandbox.gql(upload, {"asset": asset, "fields": fields}, token=token)
        assert error_code(answer) == "BAD_USER_INPUT"
    assert gql_sandbox.count("certificates") == before


# --- recent, waitlist, archive ---------------------------------------------------------------


def test_recent_content_rejects_limit_over_25(gql_sandbox):
    answer = gql_sandbox.gql("{ UserRecentContent(limit: 26) { id } }", token=gql_sandbox.login())
    assert error_code(answer) == "BAD_USER_INPUT"
    assert "25" in answer.json()["errors"][0]["message"]


def test_recent_content_is_ordered_by_last_view(gql_sandbox):
    recent = gql_sandbox.data("{ UserRecentContent { title } }")["UserRecentContent"]
    assert [r["title"] for r in recent] == ["Advanced Data Analytics", "Python Basics", "Live Q&A"]
    one = gql_sandbox.data("{ UserRecentContent(limit: 1) { title } }")["UserRecentContent"]
    assert [r["title"] for r in one] == ["Advanced Data Analytics"]


def test_unenroll_from_waitlist_removes_the_item(gql_sandbox):
    workshop = gql_sandbox.ids["workshop"]
    waitlist = gql_sandbox.data("{ UserWaitlist { id waitlistCount waitlistingTriggered } }")
    assert waitlist["UserWaitlist"] == [
        {"id": workshop, "waitlistCount": 1, "waitlistingTriggered": True}
    ]
    done = gql_sandbox.data(
        "mutation($id: ID!) { UnenrollFromWaitlist(id: $id) }", {"id": workshop}
    )
    assert done == {"UnenrollFromWaitlist": True}
    assert gql_sandbox.data("{ UserWaitlist { id } }") == {"UserWaitlist": []}
    again = gql_sandbox.data(
        "mutation($id: ID!) { UnenrollFromWaitlist(id: $id) }", {"id": workshop}
    )
    assert again == {"UnenrollFromWaitlist": False}


def test_archive_and_reinstate_move_content_between_lists(gql_sandbox):
    python = gql_sandbox.ids["python"]
    archive_id = gql_sandbox.data(
        "mutation($id: ID!) { ArchiveUserCourse(id: $id) }", {"id": python}
    )["ArchiveUserCourse"]
    assert "Python Basics" not in titles(gql_sandbox)
    archives = gql_sandbox.data(
        "{ UserArchives { id resource reinstatable } UserArchivedContent { id } }"
    )
    assert {"id": archive_id, "resource": python, "reinstatable": True} in archives["UserArchives"]
    assert python in {c["id"] for c in archives["UserArchivedContent"]}
    gql_sandbox.data("mutation($id: ID!) { ReinstateUserCourse(id: $id) }", {"id": archive_id})
    assert "Python Basics" in titles(gql_sandbox)
    archived = gql_sandbox.data("{ UserArchivedContent { id } }")["UserArchivedContent"]
    assert python not in {c["id"] for c in archived}


def test_learning_paths_archive_and_reinstate_too(gql_sandbox):
    path = gql_sandbox.ids["leadership_path"]
    gql_sandbox.data("mutation($id: ID!) { ArchiveUserLearningPath(id: $id) }", {"id": path})
    assert "Leadership Path" not in titles(gql_sandbox)
    gql_sandbox.data("mutation($id: ID!) { ReinstateUserLearningPath(id: $id) }", {"id": path})
    assert "Leadership Path" in titles(gql_sandbox)
    answer = gql_sandbox.gql(
        "mutation($id: ID!) { ArchiveUserCourse(id: $id) }", {"id": path}, token=gql_sandbox.login()
    )
    assert error_code(answer) == "BAD_USER_INPUT"


def test_reinstating_a_locked_archive_is_forbidden(gql_sandbox):
    answer = gql_sandbox.gql(
        "mutation($id: ID!) { ReinstateUserCourse(id: $id) }",
        {"id": gql_sandbox.ids["archive_2"]},
        token=gql_sandbox.login(),
    )
    assert error_code(answer) == "FORBIDDEN"
    assert "Locked Archive" not in titles(gql_sandbox)


# --- badges and awards -----------------------------------------------------------------------


def test_leaderboard_ranks_ties_together_and_places_the_learner_outside_the_top(gql_sandbox):
    board = gql_sandbox.data(
        "{ BadgeLeaderboard(limit: 3) { awardType { id } leaders { rank total } "
        "currentUserPosition { rank total user { id } } } }"
    )["BadgeLeaderboard"]
    assert board["awardType"]["id"] == gql_sandbox.ids["award_completion"]
    assert [(x["rank"], x["total"]) for x in board["leaders"]] == [(1, 50), (2, 40), (2, 40)]
    mine = board["currentUserPosition"]
    assert (mine["rank"], mine["total"], mine["user"]["id"]) == (5, 20, gql_sandbox.ids["avery"])
    full = gql_sandbox.data("{ BadgeLeaderboard { leaders { rank } } }")["BadgeLeaderboard"]
    assert [x["rank"] for x in full["leaders"]] == [1, 2, 2, 4, 5]


def test_learner_without_awards_is_placed_after_everyone(gql_sandbox):
    board = gql_sandbox.data(
        "{ BadgeLeaderboard { currentUserPosition { rank total } } }", who="noah"
    )["BadgeLeaderboard"]
    assert board["currentUserPosition"] == {"rank": 6, "total": 0}


def test_badge_board_splits_earned_and_unearned(gql_sandbox):
    board = gql_sandbox.data(
        "{ UserEarnedBadgeBoard { earnedBadges { badge { id } } unearnedBadges { id } } }"
    )["UserEarnedBadgeBoard"]
    assert [b["badge"]["id"] for b in board["earnedBadges"]] == [gql_sandbox.ids["badge_quick"]]
    assert [b["id"] for b in board["unearnedBadges"]] == [gql_sandbox.ids["badge_expert"]]


def test_award_counts_totals_and_collaborations_are_per_course(gql_sandbox):
    ids = gql_sandbox.ids
    data = gql_sandbox.data(
        """query($c: ID!) { UserCourseAwardCounts(courseId: $c) { id count }
          UserCourseCollaborations(courseId: $c)
          LearningPathCurrentUserAwardTotals(slug: "data-science-path") { resourceId total } }""",
        {"c": ids["analytics"]},
    )
    assert data["UserCourseAwardCounts"] == [{"id": ids["award_completion"], "count": 20}]
    assert data["UserCourseCollaborations"] == 2
    totals = {t["resourceId"]: t["total"] for t in data["LearningPathCurrentUserAwardTotals"]}
    assert totals == {ids["analytics"]: 20.0, ids["python"]: 1.5}


# --- codes, credits, licenses ----------------------------------------------------------------

VALIDATE = """mutation($c: String!) {
  ValidateRedemptionCode(code: $c) { valid alreadyRedeemed codeExpired } }"""


def test_redemption_codes_are_valid_used_or_expired(gql_sandbox):
    codes = gql_sandbox.codes

    def state(code):
        return gql_sandbox.data(VALIDATE, {"c": code})["ValidateRedemptionCode"]

    assert state(codes["valid"]) == {"valid": True, "alreadyRedeemed": False, "codeExpired": False}
    assert state(codes["used"]) == {"valid": False, "alreadyRedeemed": True, "codeExpired": False}
    assert state(codes["expired"]) == {
        "valid": False,
        "alreadyRedeemed": False,
        "codeExpired": True,
    }
    assert state("NO-SUCH-CODE")["valid"] is False


def test_registration_codes_are_validated(gql_sandbox):
    document = (
        "mutation($c: String!) { ValidateRegistrationCode(code: $c) { valid alreadyRedeemed } }"
    )
    ok = gql_sandbox.data(document, {"c": gql_sandbox.codes["registration"]})
    assert ok["ValidateRegistrationCode"] == {"valid": True, "alreadyRedeemed": False}
    used = gql_sandbox.data(document, {"c": gql_sandbox.codes["registration_used"]})
    assert used["ValidateRegistrationCode"] == {"valid": False, "alreadyRedeemed": True}


def test_redeeming_codes_grants_content_license_and_credits(gql_sandbox):
    ids, codes = gql_sandbox.ids, gql_sandbox.codes
    redeemed = gql_sandbox.data(
        "mutation($c: [String!]!) { RedeemRegistrationAndRedemptionCodes("
        "validatedRedemptionCodes: $c) { redeemed } }",
        {"c": [codes["valid"], codes["registration"]]},
    )
    assert redeemed["RedeemRegistrationAndRedemptionCodes"] == {"redeemed": True}
    items = gql_sandbox.data(
        "{ UserContentItems { id } CurrentUser { balance allocatedLicenses { licenseId } } }"
    )
    assert {ids["hidden"], ids["article"]} <= {i["id"] for i in items["UserContentItems"]}
    assert items["CurrentUser"]["balance"] == 50
    licenses = {a["licenseId"] for a in items["CurrentUser"]["allocatedLicenses"]}
    assert ids["license_spare"] in licenses
    source = gql_sandbox.store.scalar(
        "SELECT source FROM enrollments WHERE content_id = ?", ids["hidden"]
    )
    assert source == "redeemed"
    again = gql_sandbox.data(VALIDATE, {"c": codes["valid"]})["ValidateRedemptionCode"]
    assert again["alreadyRedeemed"] is True


def test_redeem_balance_spends_credits_and_answers_the_dashboard(gql_sandbox):
    ids = gql_sandbox.ids
    spend = "mutation($id: UUID!) { RedeemBalance(contentType: courses, contentId: $id) }"
    assert gql_sandbox.data(spend, {"id": ids["paid"]}) == {"RedeemBalance": "/dashboard"}
    user = gql_sandbox.data("{ CurrentUser { balance } UserContentItems { id } }")
    assert user["CurrentUser"]["balance"] == 10
    assert ids["paid"] in {i["id"] for i in user["UserContentItems"]}
    assert gql_sandbox.data(spend, {"id": ids["article"]}) == {
        "RedeemBalance": "/learn/reading-list"
    }
    assert gql_sandbox.data("{ CurrentUser { balance } }")["CurrentUser"]["balance"] == 5


def test_redeem_balance_refuses_without_enough_credits_or_for_non_courses(gql_sandbox):
    ids = gql_sandbox.ids
    spend = "mutation($id: UUID!) { RedeemBalance(contentType: courses, contentId: $id) }"
    store = gql_sandbox.store
    token = gql_sandbox.login("noah")
    short = gql_sandbox.gql(spend, {"id": ids["paid"]}, token=token)
    assert error_code(short) == "BAD_USER_INPUT"
    assert short.json()["errors"][0]["message"].startswith("Not enough credits")
    # A path Avery holds already: refused for what it is, before the enrollment is looked at.
    path = gql_sandbox.gql(spend, {"id": ids["data_path"]}, token=gql_sandbox.login())
    assert error_code(path) == "BAD_USER_INPUT"
    assert path.json()["errors"][0]["message"] == "Only courses can be bought with credits."
    # The reference's enum names learning paths too; seed 003 supports courses only.
    as_path = spend.replace("contentType: courses", "contentType: learningPaths")
    refused = gql_sandbox.gql(as_path, {"id": ids["data_path"]}, token=gql_sandbox.login())
    assert error_code(refused) == "BAD_USER_INPUT"
    assert refused.json()["errors"][0]["message"] == "Only courses can be bought with credits."
    assert store.scalar("SELECT balance FROM users WHERE id = ?", ids["noah"]) == 0
    assert store.scalar("SELECT balance FROM users WHERE id = ?", ids["avery"]) == 40
    assert not store.scalar(
        "SELECT COUNT(*) FROM enrollments WHERE user_id = ? AND content_id = ?",
        ids["noah"],
        ids["paid"],
    )


def test_selecting_a_license_changes_the_current_user(gql_sandbox):
    ids = gql_sandbox.ids
    select = "mutation($id: ID!) { SelectCurrentUserActiveLicense(licenseId: $id) }"
    assert gql_sandbox.data(select, {"id": ids["license_enterprise"]}) == {
        "SelectCurrentUserActiveLicense": True
    }
    active = gql_sandbox.data("{ CurrentUser { activeLicense { id } } }")
    assert active["CurrentUser"]["activeLicense"]["id"] == ids["license_enterprise"]
    answer = gql_sandbox.gql(select, {"id": ids["license_spare"]}, token=gql_sandbox.login())
    assert error_code(answer) == "NOT_FOUND"


# --- learners --------------------------------------------------------------------------------


def test_created_learners_sign_in_once_they_chose_a_password(gql_sandbox):
    created = gql_sandbox.data(
        """mutation($l: [LearnerInput!]!) { CreateLearners(learners: $l) { id email ref1 } }""",
        {
            "l": [
                {
                    "email": "new1@example.com",
                    "firstName": "New",
                    "lastName": "One",
                    "ref1": "dept",
                },
                {
                    "email": "new2@example.com",
                    "firstName": "New",
                    "lastName": "Two",
                    "clientId": gql_sandbox.ids["client_b"],
                },
            ]
        },
        who=None,
    )["CreateLearners"]
    assert [c["ref1"] for c in created] == ["dept", None]
    # No password at all until the welcome mail's link is followed: no default one either.
    assert gql_sandbox.store.scalar(
        "SELECT COUNT(*) FROM users WHERE email LIKE 'new_@example.com' AND password_hash IS NULL"
    ) == 2
    for password in ("", "welcome-to-learning"):
        refused = gql_sandbox.gql(LOGIN, {"e": "new2@example.com", "p": password})
        assert error_code(refused) == "INVALID_CREDENTIALS"
    link = gql_sandbox.store.scalar(
        "SELECT link FROM outbox WHERE to_email = 'new2@example.com'"
    )
    assert link.startswith(gql_sandbox.url + "/set-password/")
    saved = requests.post(link, data={"password": "chosen-pass-1", "confirm": "chosen-pass-1"})
    assert saved.status_code == 200
    answer = gql_sandbox.gql(LOGIN, {"e": "new2@example.com", "p": "chosen-pass-1"})
    token = answer.json()["data"]["Login"]
    me = gql_sandbox.gql("{ CurrentUser { email client { id } } }", token=token).json()
    assert me["data"]["CurrentUser"] == {
        "email": "new2@example.com",
        "client": {"id": gql_sandbox.ids["client_b"]},
    }


def test_creating_a_learner_with_a_taken_email_is_bad_input(gql_sandbox):
    before = gql_sandbox.count("users")
    answer = gql_sandbox.gql(
        'mutation { CreateLearner(email: "AVERY@example.com", firstName: "A", lastName: "J") '
        "{ id } }"
    )
    assert error_code(answer) == "BAD_USER_INPUT"
    assert gql_sandbox.count("users") == before


REGISTER = (
    "mutation($c: String!, $e: String!) { CreateLearner(email: $e, firstName: \"N\", "
    'lastName: "L") { id } RedeemRegistrationAndRedemptionCodes(validatedRedemptionCodes: [$c]) '
    "{ redeemed } }"
)


def test_a_registration_redeems_its_code_for_the_learner_it_creates(gql_sandbox):
    code = gql_sandbox.codes["registration"]
    store = gql_sandbox.store
    store.execute("UPDATE codes SET uses = 0, max_uses = 2 WHERE code = ?", code)
    for number in range(2):
        email = f"joined{number}@example.com"
        answer = gql_sandbox.gql(REGISTER, {"c": code, "e": email}).json()
        assert answer["data"]["RedeemRegistrationAndRedemptionCodes"] == {"redeemed": True}
        user_id = store.scalar("SELECT id FROM users WHERE email = ?", email)
        assert store.scalar("SELECT user_id FROM code_redemptions WHERE code = ? AND user_id = ?",
                            code, user_id) == user_id  # fmt: skip
    # Used up: the third registration's redemption is refused, whatever the portal checked.
    refused = gql_sandbox.gql(REGISTER, {"c": code, "e": "joined2@example.com"}).json()
    assert refused["errors"][0]["path"] == ["RedeemRegistrationAndRedemptionCodes"]
    assert "already been redeemed" in refused["errors"][0]["message"]
    assert store.scalar("SELECT uses FROM codes WHERE code = ?", code) == 2


def test_registering_a_taken_email_mails_its_owner_and_uses_no_code(gql_sandbox):
    code = gql_sandbox.codes["registration"]
    store = gql_sandbox.store
    email = gql_sandbox.passwords["avery"][0]
    uses = store.scalar("SELECT uses FROM codes WHERE code = ?", code)
    for _ in range(5):
        answer = gql_sandbox.gql(REGISTER, {"c": code, "e": email}).json()
        assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert store.scalar("SELECT uses FROM codes WHERE code = ?", code) == uses
    mails = store.query("SELECT * FROM outbox WHERE to_email = ?", email)
    assert len(mails) == 3  # a few an hour at most
    assert mails[0]["subject"].startswith("You already have an account")
    assert f"{gql_sandbox.url}/sign-in" in mails[0]["body"]
    # A CreateLearner made as a learner (an administrator's) is no registration: no mail.
    taken = gql_sandbox.passwords["noah"][0]
    gql_sandbox.gql(
        'mutation($e: String!) { CreateLearner(email: $e, firstName: "A", lastName: "J") { id } }',
        {"e": taken},
        token=gql_sandbox.login("avery"),
    )
    assert not store.query("SELECT * FROM outbox WHERE to_email = ?", taken)


# --- instance and catalog --------------------------------------------------------------------


def test_current_user_reports_the_clients_languages(gql_sandbox):
    client = gql_sandbox.data(
        "{ CurrentUser { client { name languages defaultLanguage languageSelectorEnabled "
        "enableEcommerce } } }"
    )["CurrentUser"]["client"]
    assert client == {
        "name": "Acme Corp",
        "languages": ["en", "fr"],
        "defaultLanguage": "en",
        "languageSelectorEnabled": True,
        "enableEcommerce": True,
    }


def test_instance_data_reads_company_languages_translations_and_terms(gql_sandbox):
    data = gql_sandbox.data(
        "{ CompanyDetails { name subdomain settings { accentColor globalNavigationLinks "
        "{ label href } } } Languages { code } CompanyTranslations(namespace: lms) { lang "
        "translations } TermsAndConditions { globalTerms } }",
        who=None,
    )
    assert data["CompanyDetails"]["name"] == "Test Academy"
    assert data["CompanyDetails"]["settings"]["globalNavigationLinks"] == [
        {"label": "Home", "href": "/"}
    ]
    assert [x["code"] for x in data["Languages"]] == ["en", "fr"]
    assert data["CompanyTranslations"][1]["translations"] == {
        "dashboard.title": "Mon apprentissage"
    }
    assert data["TermsAndConditions"] == {"globalTerms": "Be kind."}


CATALOG = """query($q: String) { CatalogContent(page: 1, query: $q) {
  contentItems { title url } meta { total hasMore } } }"""


def catalog_titles(sandbox, who, query=None) -> set[str]:
    data = sandbox.data(CATALOG, {"q": query}, who=who)["CatalogContent"]
    return {item["title"] for item in data["contentItems"]}


def test_catalog_lists_public_and_granted_private_content_only(gql_sandbox):
    avery = catalog_titles(gql_sandbox, "avery")
    noah = catalog_titles(gql_sandbox, "noah")
    anonymous = catalog_titles(gql_sandbox, None)
    assert "Private Course" in avery and "Private Course" not in noah
    assert "Beta Only Course" in noah and "Beta Only Course" not in avery
    assert "Private Course" not in anonymous
    for titles_seen in (avery, noah, anonymous):
        assert "Hidden Course" not in titles_seen and "Inactive Course" not in titles_seen
        assert "Paid Course" in titles_seen


def test_hidden_content_is_reachable_by_slug_only(gql_sandbox):
    found = gql_sandbox.data(CATALOG, {"q": 'slug:"hidden-course"'})["CatalogContent"]
    assert found["contentItems"] == [{"title": "Hidden Course", "url": "/learn/hidden-course"}]
