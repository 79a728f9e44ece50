"""Latency of the query service, in-process and over real HTTP, at several data-set sizes.

For every size N (``--sizes``) the script prepares two targets holding the generated data
set with N cloud failover sessions:

* in-process: a worker subprocess that builds ``Runtime.create(Settings(sessions=N, ...))``
  and calls the ASGI app through ``httpx.ASGITransport`` (no sockets); the timer runs
  inside the worker, around the call only;
* http: a real ``python -m em_mock --port 0 --sessions N ...`` server, called over loopback
  with one keep-alive ``httpx.Client`` connection.

Every target runs in its own process, so one size's objects never slow another's garbage
collection. After a warm-up, the measurement goes in rounds: each round sends every case
to every target (in a shuffled order), so a change in machine load during the run hits
all sizes and cases alike and the ratios stay fair. Rounds continue until
``--min-rounds`` are done and the ``--seconds`` budget is spent (or ``--max-rounds``).
Cheap cases are repeated within a round so they get more samples.

It prints the median and p99 latency of every case, the RSS after seeding, and the two
target ratios: the seed example at the largest size over the smallest (target <= 2x),
and the full-scan filter over the seed example at the same size (target <= 20x).

Run from anywhere:  python bench/bench_query.py [--sizes 1000,100000] [--modes inproc,http]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import math
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
EPOCH = "2026-06-15T12:00:00Z"
READY_PREFIX = "em-mock ready: listening on "
TOKEN = "X-RestSvcSessionId"
BASIC = "Basic " + base64.b64encode(b"veeam:veeam").decode("ascii")
SESSIONS_QUERY = "/api/query?type=CloudFailoverSession&format=Entities&sortDesc=CreationTime"

SEED_XML = "seed-xml"
SEED_JSON = "seed-json"
SCAN_XML = "scan-xml"
SCAN_JSON = "scan-json"


@dataclass(frozen=True)
class Case:
    """One request to time."""

    name: str
    path: str
    json: bool = False
    auth: bool = True
    note: str = ""


CASES: tuple[Case, ...] = (
    Case("entry-xml", "/api/", auth=False, note="GET /api/"),
    Case(SEED_XML, f"{SESSIONS_QUERY}&filter=Result==failed", note="seed example"),
    Case(SEED_JSON, f"{SESSIONS_QUERY}&filter=Result==failed", json=True, note="seed example"),
    Case(SCAN_XML, f"{SESSIONS_QUERY}&filter=FailureMessage!=x;Name!=zzz",
         note="full scan, 2 string predicates"),
    Case(SCAN_JSON, f"{SESSIONS_QUERY}&filter=FailureMessage!=x;Name!=zzz", json=True,
         note="full scan, 2 string predicates"),
    Case("scan-time-xml", f"{SESSIONS_QUERY}&filter=CreationTime>=2000-01-01",
         note="full scan, 1 date-time predicate"),
    # Diagnostics: the same queries with a one-row page, so rendering costs ~nothing and
    # what remains is routing + filter + sort.
    Case("seed-page1", f"{SESSIONS_QUERY}&filter=Result==failed&pageSize=1",
         note="diagnostic: seed example, pageSize=1"),
    # The seed example returns ~80 rows at 1,000 sessions and a full 100 at 100,000; with
    # pageSize=50 both sizes render 50 rows.
    Case("seed-xml-p50", f"{SESSIONS_QUERY}&filter=Result==failed&pageSize=50",
         note="diagnostic: seed example, pageSize=50"),
    Case("scan-page1", f"{SESSIONS_QUERY}&filter=FailureMessage!=x;Name!=zzz&pageSize=1",
         note="diagnostic: full scan, pageSize=1"),
)
CASE_BY_NAME = {c.name: c for c in CASES}


def headers_for(case: Case, token: str) -> dict[str, str]:
    """The request headers of ``case``."""
    headers: dict[str, str] = {"Accept": "application/json"} if case.json else {}
    if case.auth:
        headers[TOKEN] = token
    return headers


def rss_kib(pid: int | str = "self") -> int | None:
    """VmRSS of a process in KiB, from ``/proc/<pid>/status`` (``None`` if unreadable)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return None


# --- in-process worker (runs in its own interpreter) -------------------------------------


def worker(size: int, plans: int, freeze: bool) -> int:
    """Seed ``size`` sessions, then time one ASGI request per case name read from stdin.

    Protocol (one JSON object per line on stdout): first ``{"seed_s", "rss_before_kib",
    "rss_seeded_kib"}``; then, for every case name on stdin, ``{"ns", "cpu_ns", "status",
    "bytes"}`` (``cpu_ns``: CPU time of the whole worker, all threads, during the call, so
    it hardly changes when other work competes for the CPUs). Ends at end of input.
    """
    import asyncio
    import gc

    if str(ROOT / "app") not in sys.path:
        sys.path.insert(0, str(ROOT / "app"))
    from em_mock.core.runtime import Runtime
    from em_mock.core.times import parse_instant_ms
    from em_mock.factory import create_app
    from em_mock.settings import Settings

    epoch_ms = parse_instant_ms(EPOCH)
    gc.collect()
    before = rss_kib()
    start = time.perf_counter()
    answers = int(os.environ.get("EM_MOCK_ANSWER_CACHE_BYTES", Settings.answer_cache_bytes))
    runtime = Runtime.create(Settings(sessions=size, failover_plans=plans, epoch=epoch_ms,
                                      frozen_clock=True, answer_cache_bytes=answers))
    seed_s = time.perf_counter() - start
    gc.collect()
    if freeze:
        gc.freeze()
    seeded = rss_kib()
    loop = asyncio.new_event_loop()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(runtime=runtime)),
                               base_url="http://127.0.0.1:9399")
    logon = loop.run_until_complete(
        client.post("/api/sessionMngr/?v=latest", headers={"Authorization": BASIC}))
    assert logon.status_code == 201, logon.text
    token = logon.headers[TOKEN]
    client.cookies.clear()

    def reply(obj: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    reply({"seed_s": seed_s, "rss_before_kib": before, "rss_seeded_kib": seeded})
    for line in sys.stdin:
        case = CASE_BY_NAME[line.strip()]
        headers = headers_for(case, token)
        c0 = time.process_time_ns()
        t0 = time.perf_counter_ns()
        response = loop.run_until_complete(client.get(case.path, headers=headers))
        elapsed = time.perf_counter_ns() - t0
        cpu = time.process_time_ns() - c0
        reply({"ns": elapsed, "cpu_ns": cpu, "status": response.status_code,
               "bytes": len(response.content)})
    loop.run_until_complete(client.aclose())
    loop.close()
    return 0


# --- targets -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sample:
    """One timed request: wall time, CPU time (in-process only), status, body size."""

    ns: int
    cpu_ns: int | None
    status: int
    body_bytes: int


@dataclass
class Target:
    """Something holding one data set that can answer a case."""

    mode: str
    size: int
    proc: subprocess.Popen[str]
    setup_s: float = 0.0
    rss_before_kib: int | None = None
    rss_seeded_kib: int | None = None

    def wait_ready(self) -> None:
        """Wait until the data is seeded and the target answers."""
        raise NotImplementedError

    def request(self, case: Case) -> Sample:
        """Time one request."""
        raise NotImplementedError

    def rss_now(self) -> int | None:
        """The target process's RSS in KiB."""
        return rss_kib(self.proc.pid)

    def close(self) -> None:
        """Stop the process."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class InprocTarget(Target):
    """A worker subprocess calling the ASGI app in its own process."""

    @classmethod
    def start(cls, size: int, plans: int, freeze: bool) -> InprocTarget:
        """Spawn the worker; it seeds, then reports (see :meth:`wait_ready`)."""
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(size),
               "--failover-plans", str(plans)] + (["--gc-freeze"] if freeze else [])
        proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True, bufsize=1)
        mode = "in-process+gc.freeze" if freeze else "in-process"
        return cls(mode, size, proc)

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"in-process worker for {self.size} sessions died")
        data: dict[str, Any] = json.loads(line)
        return data

    def _send(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def wait_ready(self) -> None:
        """Wait for the worker's seeding report."""
        ready = self._read()
        self.setup_s = ready["seed_s"]
        self.rss_before_kib = ready["rss_before_kib"]
        self.rss_seeded_kib = ready["rss_seeded_kib"]

    def request(self, case: Case) -> Sample:
        """Ask the worker to time one request."""
        self._send(case.name)
        r = self._read()
        return Sample(r["ns"], r["cpu_ns"], r["status"], r["bytes"])

    def close(self) -> None:
        """Close the worker's input so it ends, then make sure it has."""
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(10)
        super().close()


# ``--patched-bind`` starts the server through this wrapper instead of ``python -m em_mock``:
# the same CLI, but the listening socket is created with proto=IPPROTO_TCP, so asyncio
# sets TCP_NODELAY on accepted connections (an experiment for a proposed fix in app/em_mock/cli.py).
PATCHED_BIND = """
import socket, sys
import em_mock.cli as cli
_orig = cli.bind
def bind(host, port):
    plain = _orig(host, port)
    sock = socket.socket(plain.family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(plain.getsockname()[:2])
    plain.close()
    sock.set_inheritable(True)
    return sock
cli.bind = bind
raise SystemExit(cli.main(sys.argv[1:]))
"""


class HttpTarget(Target):
    """A real server process, called over loopback with one keep-alive connection."""

    client: httpx.Client
    token: str
    started: float
    url: str

    @classmethod
    def start(cls, size: int, plans: int, patched_bind: bool) -> HttpTarget:
        """Spawn ``python -m em_mock --port 0 --sessions N ...`` (see :meth:`wait_ready`)."""
        launcher = ["-c", PATCHED_BIND] if patched_bind else ["-m", "em_mock"]
        # --no-https: the HTTPS listener has a fixed default port and is not measured here.
        cmd = [sys.executable, *launcher, "--host", "127.0.0.1", "--port", "0", "--no-https",
               "--sessions", str(size), "--failover-plans", str(plans), "--epoch", EPOCH,
               "--frozen-clock", "--log-level", "warning"]
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        target = cls("http+nodelay" if patched_bind else "http", size, proc)
        target.started = started
        return target

    def wait_ready(self) -> None:
        """Wait for the ready line (15 minutes at most), then log on."""
        assert self.proc.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + 900
        self.url = ""
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith(READY_PREFIX):
                self.setup_s = time.perf_counter() - self.started
                urls = [w for w in line.split() if w.startswith("http://")]
                self.url = urls[0].removesuffix("/api/") if urls else ""
                break
        if not self.url:
            self.close()
            raise RuntimeError("em-mock did not start:\n" + "".join(lines))
        threading.Thread(target=_drain, args=(self.proc.stdout,), daemon=True).start()
        self.rss_seeded_kib = self.rss_now()
        self.client = httpx.Client(base_url=self.url, timeout=300)
        logon = self.client.post("/api/sessionMngr/?v=latest", headers={"Authorization": BASIC})
        assert logon.status_code == 201, logon.text
        self.token = logon.headers[TOKEN]
        self.client.cookies.clear()

    def request(self, case: Case) -> Sample:
        """Time one request over the keep-alive connection."""
        headers = headers_for(case, self.token)
        t0 = time.perf_counter_ns()
        response = self.client.get(case.path, headers=headers)
        elapsed = time.perf_counter_ns() - t0
        return Sample(elapsed, None, response.status_code, len(response.content))

    def close(self) -> None:
        """Close the client, stop the server."""
        if hasattr(self, "client"):
            self.client.close()
        super().close()


def _drain(stream: IO[str]) -> None:
    """Read and drop a server's remaining output so it never blocks on a full pipe."""
    for _ in stream:
        pass


# --- measuring ---------------------------------------------------------------------------


@dataclass
class Series:
    """The samples of one case on one target."""

    cold_ns: int = 0
    samples_ns: list[int] = field(default_factory=list)
    cpu_ns: list[int] = field(default_factory=list)
    repeats: int = 1
    status: int = 0
    body_bytes: int = 0

    def add(self, sample: Sample) -> None:
        """Record one sample."""
        self.samples_ns.append(sample.ns)
        if sample.cpu_ns is not None:
            self.cpu_ns.append(sample.cpu_ns)
        self.status, self.body_bytes = sample.status, sample.body_bytes


@dataclass
class Result:
    """The summary of one case on one target."""

    mode: str
    size: int
    case: str
    note: str
    samples: int
    cold_ms: float
    median_ms: float
    p99_ms: float
    min_ms: float
    max_ms: float
    cpu_median_ms: float | None
    cpu_p99_ms: float | None
    status: int
    body_bytes: int


def percentile(sorted_samples: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of already sorted samples."""
    rank = max(1, math.ceil(q / 100 * len(sorted_samples)))
    return sorted_samples[rank - 1]


def summarise(target: Target, case: Case, series: Series) -> Result:
    """Median, p99, min, max and cold latency of one series, in milliseconds."""
    ms = sorted(s / 1e6 for s in series.samples_ns)
    cpu = sorted(s / 1e6 for s in series.cpu_ns)
    return Result(target.mode, target.size, case.name, case.note, len(ms), series.cold_ns / 1e6,
                  statistics.median(ms), percentile(ms, 99), ms[0], ms[-1],
                  statistics.median(cpu) if cpu else None, percentile(cpu, 99) if cpu else None,
                  series.status, series.body_bytes)


def warm_up(target: Target, cases: Sequence[Case], warmup: int, repeat_ms: float
            ) -> dict[str, Series]:
    """Send every case ``warmup`` times; the first is the cold time. Sets the repeats."""
    out: dict[str, Series] = {}
    for case in cases:
        series = Series()
        times = []
        for i in range(max(1, warmup)):
            sample = target.request(case)
            if sample.status != 200:
                raise RuntimeError(f"{target.mode} {target.size}: {case.name} answered "
                                   f"{sample.status}")
            if i == 0:
                series.cold_ns = sample.ns
            times.append(sample.ns)
        warm_ms = statistics.median(times[1:] or times) / 1e6
        series.repeats = max(1, min(10, int(repeat_ms / max(warm_ms, 1e-3))))
        out[case.name] = series
    return out


def measure(targets: Sequence[Target], cases: Sequence[Case], args: argparse.Namespace
            ) -> dict[tuple[str, int], dict[str, Series]]:
    """Warm up every target, then run interleaved rounds; returns the series."""
    series = {(t.mode, t.size): warm_up(t, cases, args.warmup, args.repeat_ms)
              for t in targets}
    jobs = [(t, c) for t in targets for c in cases]
    shuffle = random.Random(0)
    deadline = time.perf_counter() + args.seconds
    rounds = 0
    while rounds < args.max_rounds and (rounds < args.min_rounds
                                        or time.perf_counter() < deadline):
        shuffle.shuffle(jobs)
        for target, case in jobs:
            s = series[(target.mode, target.size)][case.name]
            for _ in range(s.repeats):
                s.add(target.request(case))
        rounds += 1
    print(f"measured {rounds} rounds in {args.seconds:g} s budget")
    return series


def back_to_back(targets: Sequence[Target], cases: Sequence[Case], count: int
                 ) -> list[Result]:
    """``count`` consecutive requests of each case on each target, as a looping client
    (a script paging through results) sends them."""
    results = []
    for target in targets:
        for case in cases:
            series = Series()
            for _ in range(count):
                series.add(target.request(case))
            results.append(summarise(target, case, series))
    return results


# --- report ------------------------------------------------------------------------------


def _mib(kib: int | None) -> str:
    return "n/a" if kib is None else f"{kib / 1024:.1f} MiB"


def print_target(target: Target, results: Sequence[Result], rss_end: int | None) -> None:
    """One table per target."""
    if target.mode.startswith("http"):
        head = (f"start-up to ready line (incl. seeding) {target.setup_s:.2f} s; server RSS "
                f"at ready {_mib(target.rss_seeded_kib)}, at end {_mib(rss_end)}")
    else:
        head = (f"seeding {target.setup_s:.2f} s; RSS before {_mib(target.rss_before_kib)}, "
                f"after seeding {_mib(target.rss_seeded_kib)}, at end {_mib(rss_end)}")
    print(f"\n== {target.mode}, {target.size:,} sessions: {head}")
    print(f"{'case':<15}{'n':>5}{'median ms':>11}{'p99 ms':>10}{'min ms':>9}{'max ms':>9}"
          f"{'cold ms':>9}{'cpu med':>9}{'cpu p99':>9}{'bytes':>9}  what")
    for r in results:
        cpu = "-" if r.cpu_median_ms is None else f"{r.cpu_median_ms:.2f}"
        cpu99 = "-" if r.cpu_p99_ms is None else f"{r.cpu_p99_ms:.2f}"
        print(f"{r.case:<15}{r.samples:>5}{r.median_ms:>11.2f}{r.p99_ms:>10.2f}"
              f"{r.min_ms:>9.2f}{r.max_ms:>9.2f}{r.cold_ms:>9.2f}{cpu:>9}{cpu99:>9}"
              f"{r.body_bytes:>9}  {r.note}")


def _stat(results: Sequence[Result], mode: str, size: int, case: str) -> Result | None:
    """The result of one case, or ``None`` if it was not run."""
    for r in results:
        if r.mode == mode and r.size == size and r.case == case:
            return r
    return None


def _ratio_line(out: list[dict[str, Any]], mode: str, fmt: str, what: str,
                num: Result, den: Result, target: float) -> None:
    ratio, ratio_min = num.median_ms / den.median_ms, num.min_ms / den.min_ms
    ratio_cpu = (num.cpu_median_ms / den.cpu_median_ms
                 if num.cpu_median_ms and den.cpu_median_ms else None)
    verdict = "ok" if ratio <= target else "MISSED"
    out.append({"mode": mode, "ratio": what, "format": fmt, "median_ratio": ratio,
                "min_ratio": ratio_min, "cpu_ratio": ratio_cpu, "target": target,
                "verdict": verdict})
    cpu = "-" if ratio_cpu is None else f"{ratio_cpu:.2f}x"
    print(f"{mode:<21}{fmt:<6}{what:<36}{ratio:>7.2f}x{ratio_min:>8.2f}x{cpu:>8}   "
          f"<= {target:g}x: {verdict}")


def print_ratios(results: Sequence[Result], sizes: Sequence[int]) -> list[dict[str, Any]]:
    """The two target ratios (on medians; on minimums for reference) for every mode."""
    out: list[dict[str, Any]] = []
    small, large = min(sizes), max(sizes)
    print("\n== target ratios (verdict on the ratio of medians; the ratios of minimums and, "
          "in-process, of median CPU times are shown for reference)")
    print(f"{'mode':<21}{'fmt':<6}{'ratio':<36}{'median':>8}{'min':>9}{'cpu':>8}   target")
    for mode in sorted({r.mode for r in results}):
        for fmt, seed_case, scan_case in (("XML", SEED_XML, SCAN_XML),
                                          ("JSON", SEED_JSON, SCAN_JSON)):
            a, b = _stat(results, mode, small, seed_case), _stat(results, mode, large, seed_case)
            if a and b and small != large:
                _ratio_line(out, mode, fmt, f"seed example {large:,} / {small:,}", b, a, 2.0)
            for size in sizes:
                seed = _stat(results, mode, size, seed_case)
                scan = _stat(results, mode, size, scan_case)
                if seed and scan:
                    _ratio_line(out, mode, fmt, f"full scan / seed example at {size:,}", scan,
                                seed, 20.0)
    return out


def load_note() -> str:
    """The 1-minute load average, with a warning when other work competes for the CPUs."""
    try:
        load = os.getloadavg()[0]
    except OSError:
        return "load average unknown"
    cpus = os.cpu_count() or 1
    note = f"load average {load:.2f} on {cpus} CPUs"
    if load > 0.5 * cpus:
        note += " (busy machine: expect noisy absolute times; ratios are fairer, see README)"
    return note


def parse_sizes(text: str) -> list[int]:
    """``1000,100000`` -> ``[1000, 100000]``."""
    sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    if not sizes or any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError("--sizes wants positive integers, e.g. 1000,100000")
    return sizes


def build_parser() -> argparse.ArgumentParser:
    """The command-line options."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=parse_sizes, default=[1000, 100_000],
                        help="comma-separated session counts (default 1000,100000)")
    parser.add_argument("--modes", default="inproc,http",
                        help="inproc, http or both, comma-separated (default inproc,http)")
    parser.add_argument("--cases", default="",
                        help="only these case names, comma-separated (default: all)")
    parser.add_argument("--failover-plans", type=int, default=12,
                        help="failover plans in the generated data (default 12)")
    parser.add_argument("--warmup", type=int, default=5,
                        help="warm-up requests per case and target (default 5)")
    parser.add_argument("--seconds", type=float, default=120.0,
                        help="time budget of the measured rounds (default 120)")
    parser.add_argument("--min-rounds", type=int, default=20, help="default 20")
    parser.add_argument("--max-rounds", type=int, default=300, help="default 300")
    parser.add_argument("--repeat-ms", type=float, default=20.0,
                        help="a case faster than this is repeated up to 10x per round so it "
                             "gets more samples (default 20)")
    parser.add_argument("--b2b", type=int, default=30,
                        help="after the rounds, time this many back-to-back requests of the "
                             "cheap cases (entry-xml, seed-page1) per target; 0 skips "
                             "(default 30)")
    parser.add_argument("--answer-cache", action="store_true",
                        help="keep the cache of whole answers on (off by default: every "
                             "request is worked out, from cached entity fragments)")
    parser.add_argument("--gc-freeze", action="store_true",
                        help="experiment: add in-process targets whose worker calls "
                             "gc.freeze() after seeding")
    parser.add_argument("--patched-bind", action="store_true",
                        help="experiment: add http targets whose server's listening socket is "
                             "made with IPPROTO_TCP (so responses are sent with TCP_NODELAY)")
    parser.add_argument("--json", type=Path, default=None, help="also write raw results here")
    parser.add_argument("--worker", type=int, default=None, help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its tables."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.answer_cache:  # the workers and servers started below inherit it
        os.environ["EM_MOCK_ANSWER_CACHE_BYTES"] = "0"
    if args.worker is not None:
        return worker(args.worker, args.failover_plans, args.gc_freeze)

    modes = {m.strip() for m in args.modes.split(",") if m.strip()}
    if not modes or modes - {"inproc", "http"}:
        parser.error("--modes takes inproc, http or inproc,http")
    if args.gc_freeze and "inproc" not in modes:
        parser.error("--gc-freeze needs the inproc mode")
    if args.patched_bind and "http" not in modes:
        parser.error("--patched-bind needs the http mode")
    wanted = {c.strip() for c in args.cases.split(",") if c.strip()}
    if wanted - set(CASE_BY_NAME):
        parser.error(f"unknown case(s); known: {', '.join(CASE_BY_NAME)}")
    cases = [c for c in CASES if not wanted or c.name in wanted]

    print(f"em-mock query benchmark: python {sys.version.split()[0]}, sizes {args.sizes}, "
          f"modes {sorted(modes)}, {len(cases)} cases, epoch {EPOCH}, frozen clock; "
          f"{load_note()}")
    targets: list[Target] = []
    try:
        # One target at a time, so seeding and start-up times are not inflated by each other.
        # The experiments add targets, so they are measured in the same rounds as the rest.
        starters: list[Callable[[int], Target]] = []
        if "inproc" in modes:
            starters.append(lambda n: InprocTarget.start(n, args.failover_plans, False))
            if args.gc_freeze:
                starters.append(lambda n: InprocTarget.start(n, args.failover_plans, True))
        if "http" in modes:
            starters.append(lambda n: HttpTarget.start(n, args.failover_plans, False))
            if args.patched_bind:
                starters.append(lambda n: HttpTarget.start(n, args.failover_plans, True))
        for size in args.sizes:
            for start in starters:
                targets.append(start(size))
                targets[-1].wait_ready()
        print(f"{len(targets)} targets ready; warming up, then measuring in rounds")
        series = measure(targets, cases, args)
        results: list[Result] = []
        for target in targets:
            mine = [summarise(target, c, series[(target.mode, target.size)][c.name])
                    for c in cases]
            results.extend(mine)
            print_target(target, mine, target.rss_now())
        ratios = print_ratios(results, args.sizes)
        b2b_cases = [c for c in cases if c.name in ("entry-xml", "seed-page1")]
        b2b = back_to_back(targets, b2b_cases, args.b2b) if args.b2b and b2b_cases else []
        if b2b:
            print(f"\n== back-to-back: {args.b2b} consecutive requests per case on one "
                  "connection (no pause between them)")
            print(f"{'mode':<21}{'size':>9}  {'case':<13}{'median ms':>10}{'p99 ms':>9}"
                  f"{'min ms':>9}")
            for r in b2b:
                print(f"{r.mode:<21}{r.size:>9,}  {r.case:<13}{r.median_ms:>10.2f}"
                      f"{r.p99_ms:>9.2f}{r.min_ms:>9.2f}")
        print(f"\nat the end: {load_note()}")
        if args.json is not None:
            report = {
                "targets": [{"mode": t.mode, "size": t.size, "setup_s": t.setup_s,
                             "rss_before_kib": t.rss_before_kib,
                             "rss_seeded_kib": t.rss_seeded_kib} for t in targets],
                "results": [asdict(r) for r in results],
                "ratios": ratios,
                "back_to_back": [asdict(r) for r in b2b],
            }
            args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
            print(f"raw results written to {args.json}")
    finally:
        for target in targets:
            target.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
