"""How long the places pages take with 100,000 placed comments: a consultation's map by county
and by township, filtered by an article, its CSV and API, and a bill's district view.

    uv run python benchmarks/place_pages.py [--comments 100000] [--repeat 10]

Uses a fresh SQLite file in a temporary folder, or the database DATABASE_URL names (its schema is
dropped first, so point it at a scratch database). Comments get townships (or villages where a
district splits the township) drawn in proportion to population, one county drawn at a tenth
of its share. Prints the median and 95th percentile of each request through the real app
(Starlette's TestClient, no network), beside the consultation page itself as a baseline.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import timedelta

from consultation_page import DRAFT, PHRASES, scratch_database, timed  # beside this script
from sqlalchemy import insert, text
from sqlmodel import Session
from starlette.testclient import TestClient

import thinktank.registry  # noqa: F401
from bills import manual
from core import accounts
from core import places as place_data
from core.db import pk, utcnow
from feedback.models import Comment
from participation import services
from thinktank.app import create_app

PASSWORD = "correct horse battery"
THIN = "10015"  # 花蓮縣, drawn at a tenth of its share: the under-represented county


def _codes(session: Session) -> tuple[list[str], list[float]]:
    """Every township (or, where a district splits it, its villages) weighted by population."""
    split = {code[:8] for code in (p.code for p in place_data.places(session, place_data.Level.village))}
    villages = {p.code: p for p in place_data.places(session, place_data.Level.village)}
    codes, weights = [], []
    for township in place_data.places(session, place_data.Level.township):
        weight = (township.population or 1000) * (0.1 if township.code.startswith(THIN) else 1)
        if township.code in split:
            parts = [v for v in villages.values() if v.code.startswith(township.code)]
            for village in parts:
                codes.append(village.code)
                weights.append(weight / len(parts))
        else:
            codes.append(township.code)
            weights.append(weight)
    return codes, weights


def build(session: Session, count: int) -> tuple[str, int]:
    place_data.load_places(session)
    agency = accounts.create_agency(session, "bench", "基準測試部")
    now = utcnow()
    consultation = services.create_consultation(
        session,
        agency,
        None,
        services.ConsultationInput(
            "基準測試草案", "摘要", "", DRAFT, now - timedelta(days=1), now + timedelta(days=30), slug="bench"
        ),
    )
    services.publish_consultation(session, consultation)
    bill = manual.create_bill(
        session,
        manual.ManualBill(
            title="基準測試法案",
            number="",
            bill_type="法律",
            sponsors="",
            cosponsors="",
            committees="",
            summary="",
            text=DRAFT,
            stage="introduced",
            on=now.date().isoformat(),
        ),
    )
    codes, weights = _codes(session)
    rng = random.Random(1)
    stances = ["support", "oppose", "neutral", "amend"]
    for kind, subject_id in (("consultation", pk(consultation)), ("bill", pk(bill))):
        batch = []
        for n in range(count):
            article = rng.choice([None, *range(1, 21)])
            batch.append(
                {
                    "subject_kind": kind,
                    "subject_id": subject_id,
                    "article": article,
                    "version": 1 if article and kind == "consultation" else None,
                    "stance": rng.choice(stances),
                    "text": f"{rng.choice(PHRASES)}。第{n}則意見。",
                    "amendment": "",
                    "author_name": f"民眾{n % 20000}",
                    "source": "import",
                    "dedupe_key": f"bench-{kind}-{n}",
                    "created_at": now,
                    "place_code": rng.choices(codes, weights)[0] if rng.random() < 0.9 else None,
                }
            )
            if len(batch) == 10_000:
                session.execute(insert(Comment), batch)
                batch = []
        if batch:
            session.execute(insert(Comment), batch)
    session.commit()
    session.execute(text("ANALYZE comment" if session.get_bind().dialect.name == "postgresql" else "ANALYZE"))
    session.commit()
    return consultation.slug, pk(bill)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    settings, engine = scratch_database()
    started = time.perf_counter()
    with Session(engine) as session:
        slug, bill_id = build(session, args.comments)
        staff = accounts.sign_up(session, "staff@example.tw", PASSWORD, "幕僚")
        accounts.grant_role(session, staff, "legislative_staff")
        district = place_data.constituencies(session)[0].code
    print(
        f"database: {engine.dialect.name}; {args.comments:,} placed comments on a consultation and "
        f"as many on a bill, inserted in {time.perf_counter() - started:.1f} s"
    )
    client = TestClient(create_app(settings, engine=engine))
    token = client.get("/signin").text.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/signin", data={"csrf_token": token, "email": "staff@example.tw", "password": PASSWORD})
    for label, path in [
        ("baseline: consultation page", f"/c/{slug}"),
        ("places by county (map)", f"/c/{slug}/places"),
        ("places by township (map)", f"/c/{slug}/places?level=township"),
        ("places by township, one article", f"/c/{slug}/places?level=township&article=3"),
        ("places by district", f"/c/{slug}/places?level=constituency"),
        ("places CSV by township", f"/c/{slug}/places.csv?level=township"),
        ("API by county", f"/api/v1/consultations/{slug}/places"),
        ("bill places by district (API)", f"/api/v1/bills/{bill_id}/places?level=constituency"),
        ("bill district view", f"/bills/{bill_id}/districts?district={district}"),
        ("district page", f"/districts/{district}"),
    ]:
        median, p95 = timed(client, path, args.repeat)
        print(f"{label:36} median {median:7.1f} ms   p95 {p95:7.1f} ms")


if __name__ == "__main__":
    main()
