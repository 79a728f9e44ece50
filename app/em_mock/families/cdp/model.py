"""CDP policies (continuous data protection), what they include, their replicas and their
replication sessions with per-VM task sessions.

Plain objects: no HTTP, no XML, no JSON. Instants are integers in milliseconds since the
Unix epoch (UTC); identifiers are bare lower-case GUIDs.

A policy keeps one replica (named as the policy) holding one replica VM per VM it
includes; a vCloud policy's vApp includes are also vApp replicas. Replicas are derived
from the policies (their ids from the policy's and the VM's), so they never disagree with
what the policy includes, in generated data and in a loaded fixture alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from em_mock.core.ids import derived_id
from em_mock.core.tables import DataSet, Store, Table
from em_mock.families.infrastructure.model import BackupServer

PLATFORMS = ("VMware", "vCloud")
SESSION_STATES = ("Starting", "Stopping", "Working", "Pausing", "Resuming", "Stopped")
TASK_STATES = ("InProgress", "Pending", "Completed")
RESULTS = ("Success", "Warning", "Failed")
VSS_MODES = ("RequireSuccess", "IgnoreFailures", "Disabled")


@dataclass(slots=True, eq=False)
class CdpVm:
    """A VM a policy protects: display name and hierarchy reference."""

    name: str
    ref: str


@dataclass(slots=True, eq=False)
class CdpInclude:
    """An object a policy includes (``ObjectInJob``): a VM, or a vApp and its VMs."""

    id: str
    name: str
    ref: str
    vms: list[CdpVm]
    vss_mode: str = "Disabled"
    copy_only: bool = True
    persistent_agent: bool = False

    @property
    def is_vapp(self) -> bool:
        """A vCloud vApp (its replica is a ``VAppCdpReplica``)."""
        return ":Vapp:" in self.ref


@dataclass(slots=True)
class CdpOptions:
    """A policy's scheduling options (``PolicyScheduleOptions/CdpReplica``)."""

    rpo_seconds: int = 15
    rpo_minutes: int = 0
    rpo_schedule_enabled: bool = True
    warn_enabled: bool = True
    warn_seconds: int = 30
    warn_minutes: int = 0
    fail_enabled: bool = True
    fail_seconds: int = 0
    fail_minutes: int = 5
    short_term_minutes: int = 0
    short_term_hours: int = 4
    long_term_hours: int = 8
    long_term_keep_days: int = 7
    long_term_schedule_enabled: bool = True

    @property
    def rpo_ms(self) -> int:
        """The recovery point objective as one duration."""
        return max(1, self.rpo_minutes * 60 + self.rpo_seconds) * 1000


# Each option: where it sits below ``PolicyScheduleOptions/CdpReplica`` on the wire, and its
# attribute; booleans and integers are told apart by the default's type.
OPTION_PATHS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("RecoveryPointObjectiveSeconds",), "rpo_seconds"),
    (("RecoveryPointObjectiveMinutes",), "rpo_minutes"),
    (("RPOSchedule", "Enabled"), "rpo_schedule_enabled"),
    (("RPOReporting", "MarkAsWarning", "Enabled"), "warn_enabled"),
    (("RPOReporting", "MarkAsWarning", "RPOThresholdSeconds"), "warn_seconds"),
    (("RPOReporting", "MarkAsWarning", "RPOThresholdMinutes"), "warn_minutes"),
    (("RPOReporting", "MarkAsFailed", "Enabled"), "fail_enabled"),
    (("RPOReporting", "MarkAsFailed", "RPOThresholdSeconds"), "fail_seconds"),
    (("RPOReporting", "MarkAsFailed", "RPOThresholdMinutes"), "fail_minutes"),
    (("ShortTermRetentionMinutes",), "short_term_minutes"),
    (("ShortTermRetentionHours",), "short_term_hours"),
    (("LongTermRetentionHours",), "long_term_hours"),
    (("LongTermRetentionKeepDays",), "long_term_keep_days"),
    (("LongTermRetentionSchedule", "Enabled"), "long_term_schedule_enabled"),
)


def option_key(path: tuple[str, ...]) -> str:
    """An option's flat name in fixture files (``MarkAsWarningRPOThresholdSeconds``)."""
    return "".join(path[-2:])


@dataclass(slots=True, eq=False)
class CdpPolicy:
    """A CDP policy on a backup server."""

    id: str
    name: str
    backup_server: BackupServer
    platform: str = "VMware"
    description: str = ""
    schedule_configured: bool = True
    schedule_enabled: bool = True
    next_run_ms: int | None = None
    options: CdpOptions = field(default_factory=CdpOptions)
    includes: list[CdpInclude] = field(default_factory=list)

    def vms(self) -> list[CdpVm]:
        """Every VM the policy protects, in include order."""
        return [vm for inc in self.includes for vm in inc.vms]


@dataclass(slots=True, eq=False)
class CdpReplica:
    """The replica a policy keeps (one per policy, named as the policy)."""

    id: str
    policy: CdpPolicy
    vms: list[CdpReplicaVm] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The policy's name."""
        return self.policy.name


@dataclass(slots=True, eq=False)
class CdpReplicaVm:
    """One VM of a CDP replica."""

    id: str
    replica: CdpReplica
    vm: CdpVm


@dataclass(slots=True, eq=False)
class VAppCdpReplica:
    """A vApp a vCloud policy replicates, with the replica VMs of its VMs."""

    id: str
    replica: CdpReplica
    include: CdpInclude
    vms: list[CdpReplicaVm] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class CdpTaskSession:
    """One VM's part of a CDP replication session."""

    id: str
    session: CdpSession = field(repr=False)
    vm_name: str
    vm_ref: str
    creation_ms: int
    end_ms: int | None
    state: str
    result: str
    reason: str = ""
    total_size: int = 0


@dataclass(slots=True, eq=False)
class CdpSession:
    """One replication session of a policy (``CdpReplicaSession``)."""

    id: str
    policy: CdpPolicy
    creation_ms: int
    end_ms: int | None
    state: str
    result: str
    progress: int
    failure_message: str = ""
    is_retry: bool = False
    tasks: list[CdpTaskSession] = field(default_factory=list)


CDP_POLICIES: Table[CdpPolicy] = Table("cdp_policies")
CDP_SESSIONS: Table[CdpSession] = Table("cdp_sessions")
CDP_TASKS: Table[CdpTaskSession] = Table("cdp_tasks")


def index_cdp_tasks(data: DataSet) -> None:
    """Rebuild the task session table from the sessions' tasks."""
    CDP_TASKS.replace(data, {t.id: t for s in CDP_SESSIONS.of(data).values() for t in s.tasks})


def include_id(policy: CdpPolicy, ref: str) -> str:
    """The ``ObjectInJobId`` of ``ref`` in ``policy``."""
    return derived_id("ObjectInJob", f"{policy.id} {ref.lower()}")


def replica_of(policy: CdpPolicy) -> CdpReplica:
    """The policy's replica, its VMs and (vCloud) vApps, with ids derived from the policy's."""
    replica = CdpReplica(derived_id("CdpReplica", policy.id), policy)
    for vm in policy.vms():
        replica.vms.append(CdpReplicaVm(
            derived_id("CdpReplicaVm", f"{policy.id} {vm.ref.lower()}"), replica, vm))
    return replica


def vapps_of(replica: CdpReplica) -> list[VAppCdpReplica]:
    """The vApp replicas of a (vCloud) policy's replica."""
    by_ref = {r.vm.ref: r for r in replica.vms}
    return [VAppCdpReplica(derived_id("VAppCdpReplica", f"{replica.policy.id} {inc.ref.lower()}"),
                           replica, inc, [by_ref[vm.ref] for vm in inc.vms])
            for inc in replica.policy.includes if inc.is_vapp]


def replicas(store: Store) -> list[CdpReplica]:
    """Every policy's replica (cached per data version)."""
    return store.get(("cdp", "replicas"),
                     lambda: [replica_of(p) for p in CDP_POLICIES.rows(store)])


def replica_vms(store: Store) -> list[CdpReplicaVm]:
    """Every replica VM."""
    return store.get(("cdp", "replica vms"), lambda: [v for r in replicas(store) for v in r.vms])


def vapp_replicas(store: Store) -> list[VAppCdpReplica]:
    """Every vApp replica."""
    return store.get(("cdp", "vapps"), lambda: [a for r in replicas(store) for a in vapps_of(r)])
