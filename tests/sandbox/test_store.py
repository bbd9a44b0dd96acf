"""Storage of the sandbox: WAL, foreign keys, concurrent writers, nothing lost on restart."""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from portal.sandbox import create_sandbox_app, server
from portal.sandbox.courses import mint_admin_token
from portal.sandbox.store import Store, new_id, now

AUTH = {"Authorization": "Bearer test-key"}
FLAGS = {
    flag: True
    for flag in (
        "enableSegmentation",
        "enableEcommerce",
        "enableBranding",
        "enableOnboardingSurvey",
        "enableGlobalLinks",
        "enableNavLinks",
    )
}


def client_body(slug: str) -> dict:
    return {"name": f"Client {slug}", "slug": slug, "languages": ["en"], **FLAGS}


def test_wal_and_foreign_keys_are_on(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    assert store.scalar("PRAGMA journal_mode") == "wal"
    assert store.scalar("PRAGMA foreign_keys") == 1
    with pytest.raises(sqlite3.IntegrityError):
        store.insert("enrollments", user_id="nobody", content_id="nothing", enrolled_at=now())
    store.close()


def test_every_thread_has_its_own_connection(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    barrier, seen = threading.Barrier(4), []

    def work():
        seen.append(store.connect())
        barrier.wait(timeout=10)  # all four alive at once: no thread reuses another's slot

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(connection) for connection in seen}) == 4
    for connection in seen:
        connection.close()


def test_concurrent_requests_on_the_threaded_server_lose_nothing(tmp_path):
    app = create_sandbox_app(tmp_path, api_key="test-key")
    running = server.start(app)
    try:

        def create(number: int) -> int:
            with requests.Session() as session:
                return session.post(
                    f"{running.url}/incoming/v2/clients",
                    json=client_body(f"client-{number}"),
                    headers=AUTH,
                ).status_code

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(create, range(120)))
        assert statuses == [200] * 120
        # Racing for one slug: exactly one wins, the others are told it is taken.
        with ThreadPoolExecutor(8) as pool:
            racing = list(pool.map(lambda _: requests.post(
                f"{running.url}/incoming/v2/clients", json=client_body("same"), headers=AUTH
            ).status_code, range(16)))  # fmt: skip
        assert sorted(racing) == [200] + [400] * 15
        store = app.extensions["sandbox"].store
        assert store.scalar("SELECT COUNT(*) FROM clients") == 121
    finally:
        running.stop()
        app.extensions["sandbox"].store.close()


def test_nothing_is_lost_across_a_restart(tmp_path):
    app = create_sandbox_app(tmp_path)  # no key given: one is made and kept in the data dir
    key = app.extensions["sandbox"].api_key
    store = app.extensions["sandbox"].store
    location = new_id()
    store.insert("locations", id=location, name="Campus")
    token = mint_admin_token(store)
    running = server.start(app)
    auth = {"Authorization": f"Bearer {key}"}
    created = requests.post(
        f"{running.url}/incoming/v2/clients", json=client_body("kept"), headers=auth
    ).json()["data"]["CreateClient"]
    course = requests.post(
        f"{running.url}/api/content/courses",
        json={"LocationId": location, "HostId": "h", "Title": "Kept", "DisplayOrder": 1,
              "Visibility": "Private"},
        headers={"Authorization": f"Bearer {token}"},
    ).json()["Value"]["Id"]  # fmt: skip
    requests.put(
        f"{running.url}/incoming/v2/clients/{created['id']}/updateAccess",
        json={"courseIds": [course], "courseTagIds": [], "learningPathIds": [],
              "purchasableContentIds": [], "purchasableTagIds": []},
        headers=auth,
    )  # fmt: skip
    running.stop()
    store.close()

    again = create_sandbox_app(tmp_path)
    assert again.extensions["sandbox"].api_key == key
    running = server.start(again)
    try:
        found = requests.get(
            f"{running.url}/incoming/v2/clients/{created['id']}", headers=auth
        ).json()["data"]["ClientById"]
        assert found["name"] == "Client kept" and found["courseIds"] == [course]
        assert [c["title"] for c in found["courses"]] == ["Kept"]
        # The course-creation token survives too.
        response = requests.post(
            f"{running.url}/api/content/courses",
            json={"LocationId": location, "HostId": "h", "Title": "After", "DisplayOrder": 2,
                  "Visibility": 1},
            headers={"Authorization": f"Bearer {token}"},
        )  # fmt: skip
        assert response.status_code == 200
    finally:
        running.stop()
        again.extensions["sandbox"].store.close()
