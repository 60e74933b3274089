"""Workers build the app through the composition root, whichever way they are started."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from yipin import jobs, outbox
from yipin.db import commit, db
from yipin.outbox.models import OutboxEntry, OutboxStatus

ROOT = Path(__file__).resolve().parents[2]


def test_a_plain_rq_worker_runs_outbox_jobs_in_an_app_built_by_wsgi(app, real_config, tmp_path):
    """``rq worker -c wsgi``: no Flask CLI around it, yet its jobs have the whole app."""
    entry = outbox.emit(db.session, "catalog.product_changed", {"product_id": 424242})
    commit()  # handed to RQ at once
    assert jobs.queue(app).count == 1
    env = {
        **os.environ,
        "YIPIN_DATABASE_URL": real_config["DATABASE_URL"],
        "YIPIN_REDIS_URL": real_config["REDIS_URL"],
        "YIPIN_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    command = [
        *(str(Path(sys.executable).parent / "rq"), "worker", "-c", "wsgi", "-P", str(ROOT)),
        *("--burst", "--url", real_config["REDIS_URL"]),
        *("--serializer", "rq.serializers.JSONSerializer", app.config["RQ_QUEUE"]),
    ]
    worker = subprocess.run(
        command,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode == 0, worker.stderr[-3000:]
    db.session.expire_all()
    done = db.session.get(OutboxEntry, entry.id)
    assert done.status == OutboxStatus.DONE, (done.last_error, worker.stderr[-3000:])


def test_a_job_outside_any_app_without_the_composition_root_says_how_to_start_workers(
    monkeypatch,
):
    monkeypatch.setattr(jobs, "_app_factory", None)
    monkeypatch.setattr(jobs, "_worker_app", None)
    with pytest.raises(RuntimeError, match="flask --app wsgi jobs worker"), jobs.job_app_context():
        pass
