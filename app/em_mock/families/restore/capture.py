"""Reading the ``RestoreSessions`` and ``VApps`` sections back from a live server
(``em-mock capture``).

Restore sessions come from the ``RestoreSession`` query type (filtered to ``--since``),
the restore point each restored from from its ``Related`` link. A restore in flight
keeps its ``Run`` (how em-mock will end it) to itself: see the section's
``capture_omits``.
"""

from __future__ import annotations

from typing import Any

from em_mock.core.capture import Walk, guid_of, link_id, link_uid, server_uid, time_of
from em_mock.core.ids import derived_id, urn
from em_mock.families.jobs.capture import job_objects


def capture_restore_sessions(walk: Walk) -> list[dict[str, Any]]:
    """The ``RestoreSessions`` section."""
    return [{
        "UID": urn("RestoreSession", guid_of(s.get("UID"))),
        "VmRestorePointUid": link_uid(s, "VmRestorePointReference", "VmRestorePoint",
                                      "Related"),
        "JobType": s.get("JobType"), "CreationTimeUTC": time_of(s.get("CreationTimeUTC")),
        "EndTimeUTC": time_of(s.get("EndTimeUTC")), "State": s.get("State"),
        "Result": s.get("Result"), "Progress": s.get("Progress"),
    } for s in walk.query("RestoreSession", walk.sessions_filter())]


# --- vApps ------------------------------------------------------------------------------

# How many of a backup vApp's newest points are looked into for a verdict on every VM of
# its job (a VM whose task failed in a session leaves no point there to tell).
_POINTS_TRIED = 5


def _vapp_of(ref: str) -> str:
    """The vApp's id at the end of its hierarchy reference."""
    return ref.rpartition(":")[2]


def _point_members(walk: Walk, point: dict[str, Any], ref: str
                   ) -> tuple[str | None, dict[str, bool]]:
    """The job of a vApp restore point's session and, for each VM of the session whose task
    left a restore point, whether the vApp holds it (its restore point lists the vApp's)."""
    when = point.get("CreationTimeUTC")
    first = walk.first("BackupTaskSession", f'CreationTime=="{when}"')
    if first is None:
        return None, {}
    session_id = guid_of(first.get("JobSessionUid"))
    session = walk.entity(f"backupSessions/{session_id}") or {}
    points = [link_id({"Links": [x]}, "RestorePointReference") for x in
              session.get("Links") or () if x.get("Rel") == "Related"]
    tasks = [t for t in walk.query("BackupTaskSession", f'JobSessionUid=="{session_id}"')
             if link_id(t, "VmRestorePoint", "Related")]
    first_point = link_id(point, "RestorePointReference", "Up")
    verdicts = {}
    for task, rp in zip(tasks, points, strict=False):
        vm = str(task.get("VmUid"))
        if rp == first_point:
            verdicts[vm] = True
        elif rp:
            verdicts[vm] = any(str(p.get("HierarchyObjRef")).lower() == ref.lower() for p in
                               walk.entities(f"restorePoints/{rp}/vAppRestorePoints"))
    return guid_of(session.get("JobUid")) or None, verdicts


def _backup_vapps(walk: Walk, objects: dict[str, list[dict[str, Any]]]
                  ) -> list[dict[str, Any]]:
    by_vapp: dict[str, list[dict[str, Any]]] = {}
    for p in walk.query("vAppRestorePoint"):
        by_vapp.setdefault(str(p.get("HierarchyObjRef")), []).append(p)
    out = []
    for ref, points in by_vapp.items():
        points.sort(key=lambda p: time_of(p.get("CreationTimeUTC")) or "", reverse=True)
        job_id: str | None = None
        verdicts: dict[str, bool] = {}
        for point in points[:_POINTS_TRIED]:
            job, found = _point_members(walk, point, ref)
            job_id = job_id or job
            verdicts = {**found, **verdicts}
            if job_id and all(str(r.get("HierarchyObjRef")) in verdicts
                              for r in objects.get(job_id, [])):
                break
        if job_id is None:
            continue
        out.append({"UID": urn("VApp", _vapp_of(ref)),
                    "Name": str(points[0].get("Name")).rpartition("@")[0],
                    "JobUid": urn("Job", job_id),
                    "VmUids": [str(r.get("HierarchyObjRef")) for r in objects.get(job_id, [])
                               if verdicts.get(str(r.get("HierarchyObjRef")))]})
    return out


def _replica_vapps(walk: Walk, objects: dict[str, list[dict[str, Any]]],
                   jobs: dict[tuple[str, str | None], str]) -> list[dict[str, Any]]:
    replicas = {guid_of(r.get("UID")): (str(r.get("Name")), server_uid(r))
                for r in walk.query("Replica")}
    members: dict[tuple[str, str], set[str]] = {}
    for p in walk.query("vAppReplicaPoint"):
        replica = replicas.get(link_id(p, "ReplicaReference", "Up") or "")
        job_id = jobs.get(replica) if replica else None
        if job_id is None:
            continue
        names = members.setdefault((job_id, str(p.get("VAppName"))), set())
        names.update(str(x.get("Name") or "").rpartition("@")[0] for x in p.get("Links") or ()
                     if x.get("Type") == "VmReplicaPointReference")
    return [{
        # No answer shows a replicated vApp's id (see the section's capture_omits).
        "UID": urn("VApp", derived_id("VApp", f"{job_id} {name}")), "Name": name,
        "JobUid": urn("Job", job_id),
        "VmUids": [str(r.get("HierarchyObjRef")) for r in objects.get(job_id, [])
                   if str(r.get("Name")) in names]} for (job_id, name), names in members.items()]


def capture_vapps(walk: Walk) -> list[dict[str, Any]]:
    """The ``VApps`` section: a backed-up vApp's id, name and job from its restore points
    (``vAppRestorePoint``), its VMs from what the restore points of one of its sessions
    say they belong to (a few requests per vApp: no list names a vApp's VMs); a replicated
    vApp's name, job and VMs from its replica points (``vAppReplicaPoint``: each lists its
    VMs' replica points). Items in the order of their jobs."""
    job_rows = walk.query("Job")
    order = {guid_of(j.get("UID")): k for k, j in enumerate(job_rows)}
    jobs = {(str(j.get("Name")), server_uid(j)): guid_of(j.get("UID")) for j in job_rows}
    objects = job_objects(walk)
    found = [*_backup_vapps(walk, objects), *_replica_vapps(walk, objects, jobs)]
    found.sort(key=lambda v: (order.get(guid_of(v["JobUid"]), len(order)), v["Name"]))
    return found
