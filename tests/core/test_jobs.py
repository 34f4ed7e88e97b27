"""Background jobs: the row records state; the requester (and only they) can watch it."""

import json

from sqlmodel import Session
from starlette.testclient import TestClient

from core import jobs, notify
from core.jobs import JobContext, Queue
from core.settings import Settings
from tests.helpers import make_member, post, sign_in


@jobs.handler("test_always_fails")
def _always_fails(job: JobContext) -> None:
    raise ValueError("this job is meant to fail")


def test_a_member_exports_their_data_and_watches_the_job(client: TestClient, db: Session) -> None:
    member = make_member(db, "mei@example.tw")
    sign_in(client, member)
    response = post(client, "/profile/export", {})
    assert response.status_code == 303
    job_path = response.headers["location"]
    page = client.get(job_path)
    assert "已完成" in page.text  # jobs run immediately in tests
    partial = client.get(job_path, headers={"HX-Request": "true"})
    assert partial.text.lstrip().startswith('<div id="job-')
    assert "hx-trigger" not in partial.text  # finished: the fragment stops polling
    result = client.get(f"{job_path}/result")
    assert result.headers["content-disposition"].startswith("attachment")
    data = json.loads(result.text)
    assert data["member"]["email"] == "mei@example.tw"
    assert data["roles"] == ["citizen"]
    assert data["comments"] == [] and data["follows"] == [] and data["conversations"] == []


def test_the_export_holds_what_the_member_wrote_voted_and_follows(client: TestClient, db: Session) -> None:
    from deliberation import services as deliberation
    from participation import services as participation
    from tests.participation.factories import consultation

    ltc = consultation(db)
    member = make_member(db, "mei@example.tw")
    participation.comment_on_consultation(db, ltc, member, "support", "支持喘息服務", 2)
    notify.follow(db, member, "consultation", ltc.id)
    talk = deliberation.create_conversation(
        db, make_member(db, "host@example.tw", role="moderator"), "主題", "", ["一"], None
    )
    statement = deliberation.statements_of(db, talk)[0]
    deliberation.cast_vote(db, talk, member, statement.id, -1)
    sign_in(client, member)
    data = json.loads(client.get(post(client, "/profile/export", {}).headers["location"] + "/result").text)
    assert [c["text"] for c in data["comments"]] == ["支持喘息服務"]
    assert data["follows"][0]["kind"] == "consultation"
    assert data["conversations"] == [{"vote": -1, "on_statement": statement.id, "at": data["conversations"][0]["at"]}]


def test_someone_elses_job_is_not_found(app, client: TestClient, db: Session) -> None:  # type: ignore[no-untyped-def]
    owner = make_member(db, "owner@example.tw")
    sign_in(client, owner)
    job_path = post(client, "/profile/export", {}).headers["location"]
    with TestClient(app, follow_redirects=False) as other:
        sign_in(other, make_member(db, "other@example.tw"))
        assert other.get(job_path).status_code == 404
        assert other.get(f"{job_path}/result").status_code == 404


def test_a_failing_job_is_recorded_as_failed(settings: Settings, engine, db: Session) -> None:  # type: ignore[no-untyped-def]
    queue = Queue(settings, engine)
    job = queue.submit(db, "test_always_fails", {"n": 1})
    db.refresh(job)
    assert job.status == "failed"
    assert "this job is meant to fail" in job.error
    assert job.finished_at is not None


def test_a_queued_job_waits_for_a_worker(settings: Settings, engine, db: Session, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    queue = Queue(replace(settings, jobs_mode="queue", var_dir=tmp_path), engine)
    queue.huey.flush()  # with REDIS_URL the queue lives in the shared Redis
    member = make_member(db)
    job = queue.submit(db, "export_member_data", {"member_id": member.id}, requested_by=member.id)
    assert job.status == "queued"
    assert queue.huey.pending_count() == 1
    # What `thinktank worker` does for each message: run it.
    task = queue.huey.dequeue()
    queue.huey.execute(task)
    db.refresh(job)
    assert job.status == "done"
    assert job.result_data()["member"]["id"] == member.id


def _lost_job(db: Session, member_id: int | None, attempts: int) -> jobs.Job:
    """A job its worker was running when the worker vanished: running, with its lease run out."""
    from datetime import timedelta

    from core.db import utcnow

    job = jobs.Job(
        kind="export_member_data",
        payload=json.dumps({"member_id": member_id}),
        requested_by_id=member_id,
        status="running",
        attempts=attempts,
        lease_until=utcnow() - timedelta(seconds=1),
    )
    db.add(job)
    db.commit()
    return job


def test_a_job_whose_worker_was_lost_is_run_again(settings: Settings, engine, db: Session) -> None:  # type: ignore[no-untyped-def]
    member = make_member(db)
    job = _lost_job(db, member.id, attempts=1)
    assert Queue(settings, engine).sweep() == 1
    db.refresh(job)
    assert job.status == "done" and job.attempts == 2 and job.result_data()["member"]["id"] == member.id


def test_a_job_whose_lease_is_alive_is_left_to_its_worker(settings: Settings, engine, db: Session) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    job = _lost_job(db, make_member(db).id, attempts=1)
    job.lease_until = job.lease_until + timedelta(minutes=5)
    db.add(job)
    db.commit()
    assert Queue(settings, engine).sweep() == 0
    db.refresh(job)
    assert job.status == "running" and job.attempts == 1


def test_a_job_lost_too_often_is_given_up_and_its_page_says_why(
    settings: Settings, engine, client: TestClient, db: Session
) -> None:  # type: ignore[no-untyped-def]
    member = make_member(db)
    job = _lost_job(db, member.id, attempts=jobs.MAX_ATTEMPTS)
    assert Queue(settings, engine).sweep() == 0
    db.refresh(job)
    assert job.status == "failed" and job.failure == "lost" and job.finished_at is not None
    sign_in(client, member)
    page = client.get(f"/jobs/{job.id}", headers={"HX-Request": "true"})
    assert "工作多次中斷，未能完成，請稍後再試。" in page.text
    assert "hx-trigger" not in page.text  # given up: the fragment stops polling
