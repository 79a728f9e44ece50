"""The summary reports: ``/api/reports/summary`` and its five frames (any case)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from em_mock.core.http.deps import CurrentSession, RuntimeDep, WireDep
from em_mock.core.registry import LogonLink, register_logon_links, register_router
from em_mock.core.wire.tree import Layer, ListOf, Node, link, links, resource_layer
from em_mock.families.infrastructure.model import REPOSITORIES
from em_mock.families.reports import figures as reports

router = register_router(APIRouter())

def _report_link(definition: str) -> str:
    return f"Workspace/ViewReport.aspx?definition={definition}&ShowParams=1"


# The vendor's report links are constants.
VMS_REPORT = _report_link("8a56d84f-1790-4f54-ab20-2e0bfdefa16b")
JOBS_REPORT = _report_link("7962844d-db6c-4d29-8b6e-4e0f7db0785f")
CAPACITY_REPORT = _report_link("62221565-102c-4ec8-851b-d61c03d972d1")
# Path and link name of each frame; the vendor names two of them differently.
FRAMES = (("overview", "Overview"), ("vms_overview", "VmsOverview"),
          ("job_statistics", "JobStatistics"), ("processed_vms", "ProcessedVms"),
          ("repository", "Repositories"))


def _frame(name: str, elems: list[tuple[str, object]], attrs: list[tuple[str, object]] | None = None
           ) -> Node:
    return Node(name, [resource_layer(None, None, None),
                       Layer(attrs=attrs or [], elems=elems)])  # type: ignore[arg-type]


@router.get("/api/reports/summary")
async def summary(_: CurrentSession, out: WireDep) -> Response:
    """Links to the five report frames."""
    items = [link("Down", out.ctx.api(f"reports/summary/{path}"), "ReportFrame", name)
             for path, name in FRAMES]
    return out.send(Node("SummaryReport", [resource_layer(links(items), None, None)]))


@router.get("/api/reports/summary/overview")
async def overview(_: CurrentSession, rt: RuntimeDep, out: WireDep) -> Response:
    """Infrastructure counts and the latest VM states (``Lastest``: the vendor's spelling)."""
    o = reports.overview(rt.store)
    return out.send(_frame("OverviewReportFrame", [
        ("BackupServers", o.backup_servers), ("ProxyServers", o.proxy_servers),
        ("RepositoryServers", o.repository_servers), ("RunningJobs", o.running_jobs),
        ("ScheduledJobs", o.scheduled_jobs), ("SuccessfulVmLastestStates", o.successful_vms),
        ("WarningVmLastestStates", o.warning_vms), ("FailedVmLastestStates", o.failed_vms)]))


@router.get("/api/reports/summary/vms_overview")
async def vms_overview(_: CurrentSession, rt: RuntimeDep, out: WireDep) -> Response:
    """VM protection figures."""
    v = reports.vms_overview(rt.store, rt.clock.now_ms())
    return out.send(_frame("VmsOverviewReportFrame", [
        ("ProtectedVms", v.protected_vms), ("BackedUpVms", v.backed_up_vms),
        ("ReplicatedVms", v.replicated_vms), ("RestorePoints", v.restore_points),
        ("FullBackupPointsSize", v.full_size), ("IncrementalBackupPointsSize", v.incremental_size),
        ("ReplicaRestorePointsSize", v.replica_size), ("SourceVmsSize", v.source_size),
        ("SuccessBackupPercents", v.success_percent), ("ProtectedVmsReportLink", VMS_REPORT)]))


@router.get("/api/reports/summary/job_statistics")
async def job_statistics(_: CurrentSession, rt: RuntimeDep, out: WireDep) -> Response:
    """Job runs of the last 24 hours (``WarningsJobRuns``: the vendor's spelling)."""
    j = reports.job_statistics(rt.store, rt.clock.now_ms())
    return out.send(_frame("JobStatisticsReportFrame", [
        ("RunningJobs", j.running_jobs), ("ScheduledJobs", j.scheduled_jobs),
        ("ScheduledBackupJobs", j.scheduled_backup_jobs),
        ("ScheduledReplicaJobs", j.scheduled_replica_jobs), ("TotalJobRuns", j.total_runs),
        ("SuccessfulJobRuns", j.successful_runs), ("WarningsJobRuns", j.warning_runs),
        ("FailedJobRuns", j.failed_runs), ("MaxJobDuration", j.max_duration),
        ("MaxBackupJobDuration", j.max_backup_duration),
        ("MaxReplicaJobDuration", j.max_replica_duration),
        ("MaxDurationBackupJobName", j.max_backup_job_name),
        ("MaxDurationReplicaJobName", j.max_replica_job_name),
        ("BackupJobStatusReportLink", JOBS_REPORT)]))


@router.get("/api/reports/summary/repository")
async def repository(_: CurrentSession, rt: RuntimeDep, out: WireDep) -> Response:
    """One ``Period`` per repository: capacity, free space and what backups use."""
    periods = []
    for r in REPOSITORIES.rows(rt.store):
        known = r.capacity >= 0 and r.free_space >= 0
        periods.append(Node("Period", [Layer(elems=[
            ("Name", r.name), ("Capacity", r.capacity), ("FreeSpace", r.free_space),
            ("BackupSize", r.capacity - r.free_space if known else 0)])]))
    return out.send(_frame("RepositoryReportFrame", [("Periods", ListOf(periods, inline=True))],
                           [("CapacityPlanningReportLink", CAPACITY_REPORT)]))


@router.get("/api/reports/summary/processed_vms")
async def processed_vms(_: CurrentSession, rt: RuntimeDep, out: WireDep) -> Response:
    """VMs backed up and replicated on each of the last seven days, newest first."""
    days = [Node("Day", [Layer(attrs=[("BackupedVms", backed), ("ReplicatedVms", replicated),
                                      ("Timestamp", out.ctx.time(midnight))])],
                 json_order=("Timestamp", "ReplicatedVms", "BackupedVms"))
            for midnight, backed, replicated in reports.processed_vms(rt.store, rt.clock.now_ms())]
    return out.send(_frame("ProcessedVmsReportFrame", [("Days", ListOf(days, inline=True))]))


# The summary report is the one logon link with a Name, as on real servers.
register_logon_links(LogonLink(330, "reports/summary", "Report", "Summary"))
