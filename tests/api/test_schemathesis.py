"""The OpenAPI document tells the truth: schemathesis, with every check, runs over every
operation of ``/api/openapi.json`` against a live server, as each role and as nobody, on
PostgreSQL and on SQLite, stateful phase included, and finds no failure — no server error, no
undocumented status, header or body, no schema-valid request refused, no schema-invalid one
accepted, no protected operation answering without a credential.

It runs the command line an integrator would (``st run … --checks all``) with the
configuration built below from the document itself. How the work is shared out, so that the
whole matrix takes a few minutes:

- every run (role × database) runs every check on every operation, in the fuzzing phase
  (``MAX_EXAMPLES`` cases each) and the stateful phase, and on those with examples in the
  examples phase;
- an operation the role may not call answers 401 or 403 before reading any input, so as that
  role it gets ``REFUSED_EXAMPLES`` fuzzing case and no examples phase;
- the coverage phase (deterministic boundary values: hundreds of cases for a wide operation)
  runs once per operation, as the first role in ``ROLES`` that may call it, on that role's
  ``COVERAGE_DATABASE`` — boundary values test the input layer, the same for every caller
  and database (what differs by database is exercised by every run's fuzzing).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import PASSWORD

ROLES = ("anonymous", "consumer", "supplier", "operator", "bureau")
MAX_EXAMPLES = 3  # per operation in the fuzzing phase; the stateful phase runs as many scenarios
REFUSED_EXAMPLES = 1  # fuzzing cases of an operation the role may not call
SEED = 20261201  # reproducible: a failure seen once is seen again

# The database each role's boundary values run on (both databases see some; each operation's
# run once: the same input layer answers them on either).
COVERAGE_DATABASE = {
    "anonymous": "postgresql",
    "consumer": "sqlite",
    "supplier": "postgresql",
    "operator": "sqlite",
    "bureau": "sqlite",
}

# What schemathesis accepts as the answer to a schema-valid request (its default); operations
# with rules (``x-rules``) add the statuses their rules answer.
POSITIVE_EXPECTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
# What counts as refusing a schema-invalid request: schemathesis' list plus the documented
# refusals it lacks (410 an invitation no longer open, 413 an upload too large).
NEGATIVE_EXPECTED = [
    *("400", "401", "403", "404", "405", "406", "409", "410", "413", "415", "422", "428"),
    *("429", "5xx"),
]

# Checks not run, each with the reason. Every other check schemathesis has runs.
EXCLUDED_CHECKS: dict[str, str] = {}


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    return json.dumps(value, ensure_ascii=False)


def operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        op
        for item in document["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    ]


def reachable(operation: dict[str, Any], role: str) -> bool:
    """May ``role`` call the operation, by the document's ``x-access``?"""
    access = operation["x-access"]
    if access == "public":
        return True
    return role != "anonymous" and ("signed-in" in access or role in access)


def coverage_role(operation: dict[str, Any]) -> str:
    """The run in which the operation's boundary values are tried."""
    return next(role for role in ROLES if reachable(operation, role))


def rule_bound_operations(document: dict[str, Any]) -> dict[tuple[int, ...], list[str]]:
    """Operations whose document lists rules no schema can say (``x-rules``), by the statuses
    those rules answer: there, and only there, a schema-valid request may be refused, and
    only with such a status."""
    out: dict[tuple[int, ...], list[str]] = {}
    for op in operations(document):
        if op.get("x-rules"):
            statuses = tuple(sorted({rule["status"] for rule in op["x-rules"]}))
            out.setdefault(statuses, []).append(op["operationId"])
    return out


def schemathesis_config(
    document: dict[str, Any], role: str, login: str | None, database: str = "postgresql"
) -> str:
    lines = [
        f"seed = {SEED}",
        "workers = 1",
        "[generation]",
        f"max-examples = {MAX_EXAMPLES}",
        'database = "none"',
        "[auth]",
        "auto-signup = false",
    ]
    if login is not None:
        # a run may revoke its own token (DELETE /auth/tokens/{id}): sign in again on a 401
        lines += [
            "[auth.dynamic.openapi.bearerAuth]",
            'path = "/api/v1/auth/tokens"',
            f"payload = {_toml({'login': login, 'password': PASSWORD, 'name': 'schemathesis'})}",
            'extract_selector = "/token"',
        ]
    lines += [
        "[checks.negative_data_rejection]",
        f"expected-statuses = {_toml(NEGATIVE_EXPECTED)}",
    ]
    for name in EXCLUDED_CHECKS:
        lines += [f"[checks.{name}]", "enabled = false"]

    ops = operations(document)
    refused = sorted(op["operationId"] for op in ops if not reachable(op, role))
    if refused:
        lines += [
            "[[operations]]",
            f"include-operation-id = {_toml(refused)}",
            "[operations.generation]",
            f"max-examples = {REFUSED_EXAMPLES}",
            "[operations.phases.examples]",
            "enabled = false",
        ]
    elsewhere = sorted(
        op["operationId"]
        for op in ops
        if coverage_role(op) != role or COVERAGE_DATABASE[role] != database
    )
    if elsewhere:
        lines += [
            "[[operations]]",
            f"include-operation-id = {_toml(elsewhere)}",
            "[operations.phases.coverage]",
            "enabled = false",
        ]
    for statuses, operation_ids in sorted(rule_bound_operations(document).items()):
        expected = [*POSITIVE_EXPECTED, *(str(s) for s in statuses)]
        lines += [
            "[[operations]]",
            f"include-operation-id = {_toml(sorted(operation_ids))}",
            "[operations.checks.positive_data_acceptance]",
            f"expected-statuses = {_toml(expected)}",
        ]
    return "\n".join(lines) + "\n"


@pytest.mark.both_databases
@pytest.mark.timeout(600)
@pytest.mark.parametrize("role", ROLES)
def test_schemathesis_finds_no_failure(world, live_server, role, database, tmp_path: Path):
    url = f"{live_server}/api/openapi.json"
    document = requests.get(url, timeout=30).json()
    config = tmp_path / "schemathesis.toml"
    config.write_text(schemathesis_config(document, role, world.logins.get(role), database))
    started = time.monotonic()
    result = subprocess.run(
        [
            *(sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run"),
            *(url, "--checks", "all", "--no-color", "--request-timeout", "30"),
        ],
        capture_output=True,
        text=True,
        timeout=580,
    )
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    summary = output[output.rfind("SUMMARY") :] if "SUMMARY" in output else output[-3000:]
    print(f"schemathesis as {role} on {database}: {elapsed:.0f} s\n{summary}")
    assert result.returncode == 0, output[-20000:]
