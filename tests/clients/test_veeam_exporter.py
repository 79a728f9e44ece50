"""The published PyPI exporter ``veeam-exporter`` 1.1.0 against a live em-mock, unchanged.

The exporter runs as its users run it for a check: collect once (``-n``) and verbose
(``-v``), which logs every line of the Prometheus exposition to standard output. It reads
the metric files it ships, listed in the order of the spec's client matrix (§20): one
file (task sessions) reuses the ``jobs`` variable another (job sessions) leaves behind,
and the order of a glob would be the file system's.

The expected values are computed from the mock's own EM API (fetched with httpx) by
re-doing what the exporter's templates do. The exporter filters job sessions on *its*
wall clock (``now-1d``), so the mock's clock is started at the real time and frozen.

Install, besides em-mock's test extras (the exporter pins ancient versions it does not
need, hence ``--no-deps``; its ``veeam_api`` imports ``SubjectAltNameWarning``, which
urllib3 2 removed)::

    pip install --no-deps veeam-exporter==1.1.0
    pip install 'urllib3<2' requests PyYAML Jinja2 prometheus-client tenacity python-dateutil
"""

from __future__ import annotations

import datetime
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

# Imported here so that a missing or broken install fails loudly at collection.
# veeam_exporter.filters first: the custom filters look their base class up in sys.modules.
import veeam_exporter.filters
import veeam_exporter.veeam_exporter  # noqa: F401
from prometheus_client.parser import text_string_to_metric_families
from veeam_exporter.custom_filters.backup_server import BackupServerVersionFilter

from tests.conftest import LiveServer
from tests.helpers import JSON, PASSWORD, USER, basic, logon

DAY = 86_400

# The exporter's own metric files, in the order of the client matrix (spec §20).
METRIC_FILES = (
    "jobs_overview_metrics.yml",           # /reports/summary/job_statistics
    "backup_jobs_sessions_metrics.yml",    # /backupSessions?format=Entity
    "vm_backup_jobs_sessions_metrics.yml",  # /backupSessions/{uuid}/taskSessions?format=entity
    "vm_overview_metrics.yml",             # /reports/summary/vms_overview
    "veeam_overview_metrics.yml",          # /reports/summary/overview
    "repositories_metrics.yml",            # /repositories?format=Entity
    "backup_servers_metrics.yml",          # /backupServers?format=Entity
    "backup_agent_metrics.yml",            # /agents/discoveredComputers?format=Entity
)

# What the exporter's custom filters map states to (custom_filters/*.py).
JOB_STATE = {"Success": 1, "Warning": 2, "Failed": 3, "Idle": 4, "Working": 5}
TASK_STATE = {"Success": 1, "Warning": 2, "Failed": 3, "Pending": 4, "InProgress": 5}
HOST_STATUS = {"Online": 1, "Offline": 2, "Unknown": 0}

LOG_LINE = re.compile(r"^veeam_exporter\[\d+\]: level=(\w+) - (.*)$")

Key = tuple[tuple[str, str], ...]
Series = dict[Key, float]


def test_installed_version() -> None:
    assert importlib.metadata.version("veeam-exporter") == "1.1.0"


# ---------------------------------------------------------------------------------------
# Running the mock and the exporter


def start_server(*args: str) -> LiveServer:
    """em-mock with its clock frozen at the real time (the exporter filters on its own)."""
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return LiveServer("--epoch", now, "--frozen-clock", *args)


@contextmanager
def em_client(server: LiveServer) -> Iterator[httpx.Client]:
    """An httpx client of the mock, logged on as the default user."""
    with httpx.Client(base_url=server.url, timeout=30, trust_env=False) as client:
        token = logon(client)
        client.headers.update({"X-RestSvcSessionId": token, **JSON})
        yield client


def get(client: httpx.Client, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text}"
    return response.json()


@dataclass
class Run:
    """One collect-once run of the exporter."""

    returncode: int
    output: str
    logs: list[tuple[str, str]]
    samples: dict[str, Series]
    started: int  # wall clock (s) just before the run
    ended: int  # wall clock (s) just after the run, rounded up

    def series(self, name: str) -> Series:
        return self.samples.get(name, {})

    def problems(self) -> list[str]:
        return [f"{level}: {msg}" for level, msg in self.logs if level in ("WARNING", "ERROR")]


def exporter_env() -> dict[str, str]:
    """The environment minus proxies: requests would send 127.0.0.1 through one."""
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env


def run_exporter(tmp_path: Path, server: LiveServer, *, keep_session: bool = True,
                 metric_files: Iterable[str] = METRIC_FILES) -> Run:
    """Write the exporter's config for ``server`` (plain HTTP) and collect once."""
    url = urlsplit(server.url)
    files = "".join(f"  - conf/metrics/{name}\n" for name in metric_files)
    config = tmp_path / "veeam_exporter.yml"
    config.write_text(
        "veeams:\n"
        f"  - host: {url.hostname}\n"
        f"    port: {url.port}\n"
        "    protocol: http\n"
        f"    user: '{USER}'\n"
        f"    password: '{PASSWORD}'\n"
        "    verify_ssl: false\n"
        "    timeout: 30\n"
        f"    keep_session: {'true' if keep_session else 'false'}\n"
        "logger:\n"          # the section and its key must exist (KeyError otherwise)
        "  level: debug\n"
        "  facility: null\n"  # null: no log file, no syslog
        # Relative paths are taken from the package directory: the files it ships.
        "metrics_file:\n" + files,
        encoding="utf-8")
    cmd = [sys.executable, "-m", "veeam_exporter.veeam_exporter",
           "--config_file", str(config), "-n", "-v"]
    started = int(time.time())
    proc = subprocess.run(cmd, cwd=tmp_path, env=exporter_env(), capture_output=True,
                          text=True, timeout=180, check=False)
    ended = int(time.time()) + 1
    output = proc.stdout + proc.stderr
    logs = []
    exposition = []
    for line in proc.stdout.splitlines():
        match = LOG_LINE.match(line)
        if not match:
            continue
        level, msg = match.groups()
        logs.append((level, msg))
        if msg.startswith(("veeam_em_", "# HELP veeam_em_", "# TYPE veeam_em_")):
            exposition.append(msg)
    samples: dict[str, Series] = {}
    for family in text_string_to_metric_families("\n".join(exposition) + "\n"):
        for sample in family.samples:
            labels = tuple(sorted(sample.labels.items()))
            samples.setdefault(sample.name, {})[labels] = sample.value
    return Run(proc.returncode, output, logs, samples, started, ended)


# ---------------------------------------------------------------------------------------
# What the exporter's templates make of the EM data


def render(value: Any) -> str:
    """A value as it ends up in a label: Jinja text, then json.loads, then str()."""
    if value is None:
        text = "None"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list | dict):
        text = json.dumps(value)
    else:
        text = str(value)
    parsed: Any
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        lowered = text.lower()
        if lowered in ("true", "1", "t", "y", "yes"):
            parsed = True
        elif lowered in ("false", "0", "f", "n", "no"):
            parsed = False
        else:
            parsed = text
    return str(parsed)


def key(**labels: Any) -> Key:
    return tuple(sorted((name, render(value)) for name, value in labels.items()))


def ts(text: str | None, now: int) -> int:
    """The exporter's ``to_timestamp`` filter (None means now)."""
    if text is None:
        return now
    return int(datetime.datetime.fromisoformat(text).timestamp())


def aggregate(items: Iterable[dict[str, Any]], group: Any, state: Any, now: int,
              extra: Any) -> dict[Any, dict[str, Any]]:
    """The exporter's per-job (or per-VM) fold: the newest item wins, others are retries."""
    out: dict[Any, dict[str, Any]] = {}
    for item in items:
        start = ts(item["CreationTimeUTC"], now)
        fields = {"state": state(item), "start": start,
                  "end": ts(item.get("EndTimeUTC"), now), **extra(item, updating=True)}
        k = group(item)
        if k not in out:
            out[k] = {**extra(item, updating=False), **fields, "retries": 0}
        elif out[k]["start"] < start:
            out[k].update(fields, retries=out[k]["retries"] + 1)
        else:
            out[k]["retries"] += 1
    return out


def expected_jobs(sessions: list[dict[str, Any]], cutoff: int, now: int
                  ) -> dict[Any, dict[str, Any]]:
    """backup_jobs_sessions_metrics.yml: sessions newer than ``cutoff`` folded per job."""
    fresh = [s for s in sessions if ts(s["CreationTimeUTC"], now) > cutoff]

    def extra(s: dict[str, Any], updating: bool) -> dict[str, Any]:
        out = {"uid": s["UID"].split(":")[-1]}
        if not updating:
            out |= {"backupserver": s["Links"][0]["Name"], "jobname": s["JobName"],
                    "name": s["Name"], "jobtype": s["JobType"]}
        return out

    return aggregate(
        fresh,
        group=lambda s: (s["Links"][0]["Name"], s["JobName"], s["JobType"]),
        state=lambda s: JOB_STATE.get(s["State"] if s["Result"] == "None" else s["Result"], 0),
        now=now, extra=extra)


def expected_vm_jobs(jobs: dict[Any, dict[str, Any]],
                     tasks: dict[str, list[dict[str, Any]]], now: int
                     ) -> dict[Any, dict[str, Any]]:
    """vm_backup_jobs_sessions_metrics.yml: the newest session's tasks, folded per VM."""
    items = [(job, task) for job in jobs.values() for task in tasks[job["uid"]]]
    flat = [{**task, "_job": job} for job, task in items]

    def extra(t: dict[str, Any], updating: bool) -> dict[str, Any]:
        out = {"total": t["TotalSize"], "reason": t["Reason"]}
        if not updating:
            out |= {"backupserver": t["_job"]["backupserver"],
                    "jobname": t["_job"]["jobname"], "taskname": t["Name"],
                    "vmname": t["VmDisplayName"]}
        return out

    return aggregate(
        flat,
        group=lambda t: (t["_job"]["backupserver"], t["_job"]["jobname"], t["VmDisplayName"]),
        state=lambda t: TASK_STATE.get(t["Result"] if t["State"] == "Completed"
                                       else t["State"], 0),
        now=now, extra=extra)


def expected_session_metrics(sessions: list[dict[str, Any]],
                             tasks: dict[str, list[dict[str, Any]]], cutoff: int, now: int
                             ) -> dict[str, Series]:
    jobs = expected_jobs(sessions, cutoff, now)
    out: dict[str, Series] = {}
    for job in jobs.values():
        k = key(backupserver=job["backupserver"], name=job["name"], jobname=job["jobname"],
                jobtype=job["jobtype"])
        out.setdefault("veeam_em_jobs_sessions_state", {})[k] = job["state"]
        out.setdefault("veeam_em_jobs_sessions_duration", {})[k] = job["end"] - job["start"]
        out.setdefault("veeam_em_jobs_sessions_retries", {})[k] = job["retries"]
    for vm in expected_vm_jobs(jobs, tasks, now).values():
        labels = {"backupserver": vm["backupserver"], "jobname": vm["jobname"],
                  "vmname": vm["vmname"], "taskname": vm["taskname"]}
        k = key(**labels)
        out.setdefault("veeam_em_vmjobs_sessions_state", {})[k] = vm["state"]
        out.setdefault("veeam_em_vmjobs_sessions_duration", {})[k] = vm["end"] - vm["start"]
        out.setdefault("veeam_em_vmjobs_sessions_retries", {})[k] = vm["retries"]
        out.setdefault("veeam_em_vmjobs_sessions_total_bytes", {})[k] = vm["total"]
        if vm["state"] in (2, 3):
            out.setdefault("veeam_em_vmjobs_sessions_errors", {})[
                key(**labels, message=vm["reason"])] = vm["state"]
    return out


def expected_static_metrics(em: dict[str, Any]) -> dict[str, Series]:
    """The metrics that do not depend on the clock."""
    stats, vms, overview = em["job_statistics"], em["vms_overview"], em["overview"]
    out: dict[str, Series] = {
        "veeam_em_overview_jobs_count": {
            key(type=t): stats[k] for t, k in (
                ("running", "RunningJobs"), ("scheduled", "ScheduledJobs"),
                ("scheduled_backup", "ScheduledBackupJobs"),
                ("scheduled_replica", "ScheduledReplicaJobs"))},
        "veeam_em_overview_jobs_runs_count": {
            key(type=t): stats[k] for t, k in (
                ("total", "TotalJobRuns"), ("successfull", "SuccessfulJobRuns"),
                ("warning", "WarningsJobRuns"), ("failed", "FailedJobRuns"))},
        "veeam_em_overview_jobs_max_duration": {
            key(type="job", jobname=""): stats["MaxJobDuration"],
            key(type="backupjob", jobname=stats["MaxDurationBackupJobName"]):
                stats["MaxBackupJobDuration"],
            key(type="replicajob", jobname=stats["MaxDurationReplicaJobName"]):
                stats["MaxReplicaJobDuration"]},
        "veeam_em_overview_vms_count": {
            key(type=t): vms[k] for t, k in (
                ("protected", "ProtectedVms"), ("backedup", "BackedUpVms"),
                ("replicated", "ReplicatedVms"), ("restore_points", "RestorePoints"))},
        "veeam_em_overview_vms_total_bytes": {
            key(type=t): vms[k] for t, k in (
                ("full_backup_points", "FullBackupPointsSize"),
                ("incremental_backup_points", "IncrementalBackupPointsSize"),
                ("replica_restore_points", "ReplicaRestorePointsSize"),
                ("source_vms", "SourceVmsSize"))},
        "veeam_em_overview_vms_sucess_backup_percent": {(): vms["SuccessBackupPercents"]},
        "veeam_em_overview_element_count": {
            key(type=t, count_type=c): overview[k] for t, c, k in (
                ("backup", "server", "BackupServers"), ("proxy", "server", "ProxyServers"),
                ("repository", "server", "RepositoryServers"),
                ("scheduled_jobs", "tasks", "ScheduledJobs"),
                ("successful_vms", "tasks", "SuccessfulVmLastestStates"),
                ("warning_vms", "tasks", "WarningVmLastestStates"),
                ("failed_vms", "tasks", "FailedVmLastestStates"))},
        "veeam_em_overview_repositories_capacity_total_bytes": {},
        "veeam_em_overview_repositories_capacity_free_bytes": {},
        "veeam_em_backup_servers_config": {},
        "veeam_em_agents_status": {},
    }
    for repo in em["repositories"]["Repositories"]:
        k = key(name=repo["Name"], type=repo["Kind"])
        out["veeam_em_overview_repositories_capacity_total_bytes"][k] = repo["Capacity"]
        out["veeam_em_overview_repositories_capacity_free_bytes"][k] = repo["FreeSpace"]
    versions = BackupServerVersionFilter("backup_server")
    for server in em["servers"]["BackupServers"]:
        out["veeam_em_backup_servers_config"][key(
            name=server["Name"], description=server["Description"], port=server["Port"],
            version=versions.filter(server["Version"]), full_version=server["Version"])] = 1
    for computer in em["computers"]["DiscoveredComputers"]:
        out["veeam_em_agents_status"][key(
            backupserver=computer["Links"][0]["Name"], name=computer["Name"],
            version=computer["AgentVersion"], osversion=computer["OsVersion"],
        )] = HOST_STATUS.get(computer["HostStatus"], 0)
    return out


def show(series: Series) -> str:
    return "\n".join(f"  {dict(k)} = {v}" for k, v in sorted(series.items()))


# ---------------------------------------------------------------------------------------
# Tests


def test_exporter_reports_the_mock_data(tmp_path: Path) -> None:
    server = start_server()
    try:
        with em_client(server) as client:
            # The same requests the exporter sends (paths as it spells them).
            em = {
                "job_statistics": get(client, "/api/reports/summary/job_statistics"),
                "sessions": get(client, "/api/backupSessions?format=Entity"),
                "vms_overview": get(client, "/api/reports/summary/vms_overview"),
                "overview": get(client, "/api/reports/summary/overview"),
                "repositories": get(client, "/api/repositories?format=Entity"),
                "servers": get(client, "/api/backupServers?format=Entity"),
                "computers": get(client, "/api/agents/discoveredComputers?format=Entity"),
            }
            run = run_exporter(tmp_path, server)
            sessions = em["sessions"]["BackupJobSessions"]
            # Task sessions of every session that can be the newest of its job.
            candidates = {s["UID"].split(":")[-1] for s in sessions
                          if ts(s["CreationTimeUTC"], run.ended) > run.started - DAY}
            tasks = {uid: get(client, f"/api/backupSessions/{uid}/taskSessions?format=entity"
                              )["BackupTaskSessions"] for uid in candidates}
    finally:
        server.stop()

    assert run.returncode == 0, run.output
    assert run.series("veeam_em_up") == {(): 1.0}, run.output
    assert not run.problems(), "\n".join(run.problems())

    # Everything but the sessions: exact, and no placeholder series (name="" etc.).
    static = expected_static_metrics(em)
    for name in ("veeam_em_overview_repositories_capacity_total_bytes",
                 "veeam_em_backup_servers_config", "veeam_em_agents_status"):
        assert static[name], f"the mock serves no data for {name}"
    for name, series in static.items():
        series = {k: float(v) for k, v in series.items()}
        assert run.series(name) == series, (
            f"{name}\nexporter:\n{show(run.series(name))}\nexpected:\n{show(series)}")

    # Sessions: the exporter's cut-off is its own now-1d, some instant between the two
    # bounds of the run. A series is required if it is expected at both bounds; its value
    # must lie between the values at the two bounds (durations of running sessions grow).
    early = expected_session_metrics(sessions, tasks, run.started - DAY, run.started)
    late = expected_session_metrics(sessions, tasks, run.ended - DAY, run.ended)
    assert early.get("veeam_em_jobs_sessions_state"), \
        "the mock has no backup job session created in the last 24 hours"
    assert early.get("veeam_em_vmjobs_sessions_state"), \
        "the newest sessions of the mock's jobs have no task sessions"
    for name in sorted(set(early) | set(late) | {
            n for n in run.samples if n.startswith(("veeam_em_jobs_", "veeam_em_vmjobs_"))}):
        got, lo, hi = run.series(name), early.get(name, {}), late.get(name, {})
        required, allowed = set(lo) & set(hi), set(lo) | set(hi)
        report = f"{name}\nexporter:\n{show(got)}\nexpected:\n{show(lo)}"
        assert required <= set(got) <= allowed, report
        for k, value in got.items():
            bounds = [s[k] for s in (lo, hi) if k in s]
            assert min(bounds) <= value <= max(bounds), f"{dict(k)}: {value}\n{report}"

    # Every fresh session is counted once: as a job's newest run or as one of its retries.
    def fresh_count(cutoff: int) -> int:
        return sum(ts(s["CreationTimeUTC"], 0) > cutoff for s in sessions)

    counted = sum(v + 1 for v in run.series("veeam_em_jobs_sessions_retries").values())
    assert fresh_count(run.ended - DAY) <= counted <= fresh_count(run.started - DAY)


def test_em13_profile_breaks_the_job_session_metrics(tmp_path: Path) -> None:
    """EM 13 writes camelCase JSON keys; the exporter's PascalCase lookups find nothing."""
    server = start_server("--em-version", "13")
    try:
        with httpx.Client(base_url=server.url, timeout=30, trust_env=False) as client:
            logon_answer = client.post("/api/sessionMngr/?v=latest",
                                       headers={"Authorization": basic(), **JSON})
            assert logon_answer.status_code == 201, logon_answer.text
            client.headers.update({
                "X-RestSvcSessionId": logon_answer.headers["X-RestSvcSessionId"], **JSON})
            client.cookies.clear()
            sessions = get(client, "/api/backupSessions?format=Entity")
        run = run_exporter(tmp_path, server)
    finally:
        server.stop()

    # The data is there, under camelCase keys only.
    assert "BackupJobSessions" not in sessions
    fresh = [s for s in sessions["backupJobSessions"]
             if ts(s["creationTimeUTC"], 0) > run.ended - DAY]
    assert fresh, "the mock has no backup job session created in the last 24 hours"

    assert run.returncode == 0, run.output
    # The exporter counts a logon as up only if the body has the key "SessionId".
    expected_up = 1.0 if "SessionId" in logon_answer.json() else 0.0
    assert run.series("veeam_em_up") == {(): expected_up}, run.output
    reported = sorted(n for n, series in run.samples.items() if series
                      and n.startswith(("veeam_em_jobs_sessions_", "veeam_em_vmjobs_sessions_")))
    assert reported == [], run.output
    # Where it still emits a series, the labels read from the data are empty.
    for labels in run.series("veeam_em_backup_servers_config"):
        assert dict(labels)["name"] == "", run.output


def test_logout_ends_its_own_session_only(tmp_path: Path) -> None:
    """With ``keep_session: false`` it logs out: GET /logonSessions, DELETE the first one."""
    server = start_server()
    try:
        with em_client(server) as client:
            run = run_exporter(tmp_path, server, keep_session=False,
                               metric_files=["backup_servers_metrics.yml"])
            after = client.get("/api/logonSessions")
    finally:
        server.stop()

    assert run.returncode == 0, run.output
    assert run.series("veeam_em_up") == {(): 1.0}, run.output
    assert run.series("veeam_em_backup_servers_config"), run.output
    # Another session of the same user (ours, older) must survive the exporter's logout,
    # and the exporter's own session must be gone.
    assert after.status_code == 200, (
        "the exporter's logout (DELETE of LogonSessions[0]) ended another session of the "
        f"same user: {after.status_code} {after.text}")
    assert len(after.json()["LogonSessions"]) == 1, after.text
