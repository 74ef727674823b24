"""The annual chapter's cyber-hygiene section: passwords, certificates and configuration drift, counted from the
inventory of the year's end beside last year's (BIO 5.17 password rules, 8.08.01 vulnerabilities); never a password.

Which cameras share a password and which use a factory user name are known as they are now: those two lines show this
year's figure beside a dash.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fleet.language import gettext, say
from fleet.reports.annual_figures import YearFigures
from fleet.reports.annual_sections import Years
from fleet.reports.chapter import Section, Table, Text, beside


def cameras_where(test: Callable[[dict[str, Any]], bool]) -> Callable[[YearFigures], int]:
    """The count of the year's cameras whose inventory values pass the test."""

    def count(year: YearFigures) -> int:
        return sum(1 for row in year.inventory if test(row.values))

    return count


def oldest_credential(year: YearFigures) -> int | None:
    """The age in days of the oldest credential known at the year's end."""
    return max(
        (r.values["credential_age_days"] for r in year.inventory if r.values["credential_age_days"] is not None),
        default=None,
    )


def hygiene(years: Years, max_age: timedelta) -> Section:
    """Shared passwords, factory user names, old credentials, certificates ended or ending, configuration drift."""
    lang = years.language

    # Known only as it is now: last year's place says so ("–").
    def now_only(count: Callable[[YearFigures], int]) -> str:
        return beside(years.integer(count(years.now)), None if years.before is None else "–")

    shared = cameras_where(lambda v: bool(v["password_shared_with"]))
    factory = cameras_where(lambda v: v["default_username"] is True)
    rows = [
        [
            gettext("Cameras sharing their password with another camera", lang),
            now_only(shared),
        ],
        [
            gettext("Cameras using the vendor's factory user name", lang),
            now_only(factory),
        ],
        [
            say("Cameras whose password is older than {days} days", lang, days=max_age.days),
            years.count(cameras_where(lambda v: (v["credential_age_days"] or 0) > max_age.days)),
        ],
        [gettext("Oldest password (days since it was set)", lang), years.pair(oldest_credential, years.maybe)],
        [
            gettext("Cameras with an ended certificate", lang),
            years.count(cameras_where(lambda v: v["certificates_expired"] > 0)),
        ],
        [
            gettext("Cameras with a certificate ending soon", lang),
            years.count(cameras_where(lambda v: v["certificates_expiring"] > 0)),
        ],
        [
            gettext("Cameras whose configuration drifted from its baseline", lang),
            years.count(cameras_where(lambda v: bool(v["config_drift"]))),
        ],
    ]
    return Section(
        "hygiene",
        gettext("Cyber hygiene", lang),
        [
            Table([gettext("Cyber hygiene", lang), gettext("cameras", lang)], rows, [70, 30], [False, True]),
            Text(
                gettext(
                    "Passwords are compared by keyed hash and never shown. Shared passwords and factory user names "
                    "as they are now; the other figures at the end of each year.",
                    lang,
                ),
                note=True,
            ),
        ],
    )
