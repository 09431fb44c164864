"""Profile one benchmark scenario in-process with pyinstrument, on the benchmark's data set.

    .venv/bin/python bench/profile.py catalogue [--database sqlite] [--enrolments 10000] [--repeat 50]

Scenarios: healthz, catalogue, course, catalogue-signed-in, course-signed-in, roster, feed, feed-304,
feed-change, feed-cold, personal-feed, api-list, enrol.
The profile of all repeats together is printed as text (--html FILE writes pyinstrument's page).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from pyinstrument import Profiler

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dataset import load  # noqa: E402
from run import _change_one_session, fresh_database, migrate, production_app  # noqa: E402

from training.core import ical  # noqa: E402

SCENARIOS = ("healthz", "catalogue", "course", "catalogue-signed-in", "course-signed-in", "roster", "feed",
             "feed-304", "feed-change", "feed-cold",
             "personal-feed", "api-list", "enrol")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", choices=SCENARIOS)
    parser.add_argument("--database", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--enrolments", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--html", type=Path)
    parser.add_argument("--all", action="store_true", help="show library frames too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory, fresh_database(args.database, Path(directory)) as url:
        migrate(url)
        app = production_app(url)
        manifest = load(app, args.enrolments)
        client = app.test_client()
        feed = f"/calendar/courses/{manifest.feed_slug}.ics"
        headers: dict[str, str] = {}
        before = None
        if args.scenario.endswith("-signed-in"):
            client.set_cookie("session", manifest.reader_cookie)
        if args.scenario == "healthz":
            path = "/healthz"
        elif args.scenario in ("catalogue", "catalogue-signed-in"):
            path = "/"
        elif args.scenario in ("course", "course-signed-in"):
            path = f"/courses/{manifest.upcoming_slugs[0]}"
        elif args.scenario == "roster":
            client.set_cookie("session", manifest.coordinator_cookie)
            path = f"/courses/{manifest.roster_slug}/roster"
        elif args.scenario == "personal-feed":
            path = manifest.personal_feed_path
        elif args.scenario == "api-list":
            path = f"/api/v1/courses/{manifest.roster_course_id}/enrolments?per_page=100"
            headers["Authorization"] = f"Bearer {manifest.coordinator_token}"
        else:
            path = feed
        if args.scenario == "feed-304":
            headers["If-None-Match"] = client.get(feed).headers["ETag"]
        elif args.scenario == "feed-change":
            def before() -> None:
                with app.app_context():
                    _change_one_session(manifest.feed_session_id)
        elif args.scenario == "feed-cold":
            before = ical.clear_caches
        client.get(path, headers=headers)  # templates compiled, caches filled
        profiler = Profiler(interval=0.0005)
        if args.scenario == "enrol":
            requests = manifest.enrol_requests[: args.repeat]
            with profiler:
                for cookie, csrf, slug in requests:
                    client.set_cookie("session", cookie)
                    assert client.post(f"/courses/{slug}/enrol", data={"csrf_token": csrf}).status_code == 302
        else:
            for _ in range(args.repeat):
                if before:
                    before()
                profiler.start()  # pyinstrument adds each start..stop to the same profile
                response = client.get(path, headers=headers)
                profiler.stop()
                assert response.status_code in (200, 304), response.status_code
        print(profiler.output_text(unicode=True, color=False, show_all=args.all))
        if args.html:
            args.html.write_text(profiler.output_html())


if __name__ == "__main__":
    main()
