"""Property-based fuzzing of the whole API against its own OpenAPI document (schemathesis)."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from training.accounts.models import Role
from training.api.services import issue_token

# Bounded so the suite stays fast; every operation still gets varied, hostile input.
# Checked: no 5xx, every status documented, every body and header as documented, invalid
# input rejected. Not checked: that every schema-valid request succeeds, because the
# business rules (a closed window, a full symposium, an unknown timezone) rightly answer
# 422 to well-formed requests.
MAX_EXAMPLES = 30


def test_api_never_errors_and_keeps_to_its_document(app, session, make_user):
    coordinator = make_user(role=Role.COORDINATOR, country="CN", email="fuzz@example.org")
    token, _row = issue_token(session, coordinator)
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)

    operations = examples = 0
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def exercise(case) -> None:
            nonlocal examples
            examples += 1
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        try:
            exercise()
        except Exception as failure:  # collected, then reported all together
            failures.append(f"{operation.label}: {failure}")
    print(f"\nfuzzer: {operations} operations, {examples} examples, {len(failures)} failures")
    assert operations >= 3
    assert failures == [], "\n\n".join(failures)
