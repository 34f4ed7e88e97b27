"""A job that blocks until its test lets it go, for the tests that stop `thinktank worker` mid-job.

Each run adds a line to `started` in the folder its payload names, then waits for a file
`release` there. The worker subprocess imports this module to know the job."""

from __future__ import annotations

import time
from pathlib import Path

from core import jobs
from core.jobs import JobContext


@jobs.handler("test_blocks")
def blocks_until_released(job: JobContext) -> dict[str, int]:
    folder = Path(job.payload["folder"])
    with (folder / "started").open("a") as started:
        started.write("run\n")
    deadline = time.monotonic() + 120
    while not (folder / "release").exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the test never released the job")
        time.sleep(0.05)
    return {"runs": len((folder / "started").read_text().splitlines())}
