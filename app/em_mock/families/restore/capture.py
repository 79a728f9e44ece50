"""Reading the ``RestoreSessions`` and ``VApps`` sections back from a live server
(``em-mock capture``).

Restore sessions come from the ``RestoreSession`` query type (filtered to ``--since``),
the restore point each restored from from its ``Related`` link. A restore in flight
keeps its ``Run`` (how em-mock will end it) to itself: see the section's
``capture_omits``.
"""

from __future__ import annotations

from typing import Any

from em_mock.core.capture import Walk, link_uid, time_of
from em_mock.core.ids import urn
from em_mock.families.jobs.capture import bare


def capture_restore_sessions(walk: Walk) -> list[dict[str, Any]]:
    """The ``RestoreSessions`` section."""
    return [{
        "UID": urn("RestoreSession", bare(s.get("UID"))),
        "VmRestorePointUid": link_uid(s, "VmRestorePointReference", "VmRestorePoint",
                                      "Related"),
        "JobType": s.get("JobType"), "CreationTimeUTC": time_of(s.get("CreationTimeUTC")),
        "EndTimeUTC": time_of(s.get("EndTimeUTC")), "State": s.get("State"),
        "Result": s.get("Result"), "Progress": s.get("Progress"),
    } for s in walk.query("RestoreSession", walk.sessions_filter())]
