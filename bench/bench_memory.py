"""Memory and time of seeding the generated data set, and start-up time of the server.

For every size N (``--sizes``), a fresh Python subprocess imports the generator, reads
its RSS, runs ``generate(seed, Sizes(backup_servers=3, failover_plans=12, sessions=N),
now_ms)``, and reads its RSS again. The script prints the seeding time, RSS before and
after, the peak RSS, bytes per session ((after - before) / N; target < 2 KiB), the time
of one full garbage collection with the data alive (and how many objects it walks), plus
an estimate of what one session is made of (``sys.getsizeof`` over a sample).

Then it starts ``python -m em_mock --port 0`` with the default data ``--startup-runs`` times
and prints the time from process start to the ready line: once with HTTP only
(``--no-https``), once with the default HTTPS listener as well (on a free port, with its
self-signed certificate kept in a temporary directory, made by an untimed first start).
For comparison it also times a bare ``python -c "import em_mock.cli"``.

Run from anywhere:  python bench/bench_memory.py [--sizes 1000,100000,1000000]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EPOCH_MS = 1_781_524_800_000  # 2026-06-15T12:00:00Z
READY_PREFIX = "em-mock ready: listening on "
TARGET_BYTES_PER_SESSION = 2048


def status_kib(field: str, pid: int | str = "self") -> int | None:
    """A ``/proc/<pid>/status`` field (VmRSS, VmHWM, ...) in KiB, or ``None``."""
    try:
        text = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return None


# --- child: runs in a fresh interpreter, prints one JSON line ----------------------------


def _composition(sessions: Sequence[Any]) -> dict[str, float]:
    """Average bytes per session by part, from ``sys.getsizeof`` over ``sessions``.

    Objects shared between sessions (plans, replica points, interned enum strings, the
    failure-message constants) are not counted; what is counted is owned by one session.
    """
    parts = {"session object": 0, "id str": 0, "int fields": 0, "tasks list": 0,
             "task objects": 0, "task int fields": 0}
    for s in sessions:
        parts["session object"] += sys.getsizeof(s)
        parts["id str"] += sys.getsizeof(s.id)
        parts["int fields"] += sum(sys.getsizeof(v) for v in (s.creation_ms, s.end_ms)
                                   if isinstance(v, int) and not -5 <= v <= 256)
        parts["tasks list"] += sys.getsizeof(s.tasks)
        for t in s.tasks:
            parts["task objects"] += sys.getsizeof(t)
            parts["task int fields"] += sum(sys.getsizeof(v) for v in (t.creation_ms, t.end_ms)
                                            if isinstance(v, int) and not -5 <= v <= 256)
    count = max(1, len(sessions))
    return {k: v / count for k, v in parts.items()}


def child(size: int, seed: int, plans: int, servers: int) -> int:
    """Seed ``size`` sessions in this process and print the measurements as JSON."""
    if str(ROOT / "app") not in sys.path:
        sys.path.insert(0, str(ROOT / "app"))
    from em_mock.core.generate import Sizes, generate
    from em_mock.families.cloud.model import REPLICA_POINTS, SESSIONS

    # A tiny run first, so one-off allocations (lazy imports, caches) are not charged to N.
    generate(seed, Sizes(backup_servers=servers, failover_plans=plans, sessions=10), EPOCH_MS)
    gc.collect()
    before = status_kib("VmRSS")
    cpu0, start = time.process_time(), time.perf_counter()
    data = generate(seed, Sizes(backup_servers=servers, failover_plans=plans, sessions=size),
                    EPOCH_MS)
    seed_s, seed_cpu_s = time.perf_counter() - start, time.process_time() - cpu0
    after_nogc = status_kib("VmRSS")
    gc.collect()
    after = status_kib("VmRSS")
    # What one full (generation 2) collection costs with this data alive: a server pays
    # it now and then while allocating, as a pause in whichever request triggers it.
    cpu0, start = time.process_time(), time.perf_counter()
    gc.collect()
    full_gc_s, full_gc_cpu_s = time.perf_counter() - start, time.process_time() - cpu0
    tracked = sum(gc.get_count()) + len(gc.get_objects(generation=2))
    sessions = list(SESSIONS.of(data).values())
    sample = sessions[:: max(1, len(sessions) // 2000)]
    dict_bytes = sys.getsizeof(SESSIONS.of(data))
    out = {
        "size": size,
        "sessions": len(SESSIONS.of(data)),
        "tasks": sum(len(s.tasks) for s in sessions),
        "replica_points": len(REPLICA_POINTS.of(data)),
        "seed_s": seed_s,
        "seed_cpu_s": seed_cpu_s,
        "rss_before_kib": before,
        "rss_after_kib": after,
        "rss_after_before_gc_kib": after_nogc,
        "peak_kib": status_kib("VmHWM"),
        "full_gc_s": full_gc_s,
        "full_gc_cpu_s": full_gc_cpu_s,
        "gc_tracked_objects": tracked,
        "composition": {**_composition(sample),
                        "sessions dict (per entry)": dict_bytes / max(1, len(sessions))},
    }
    print(json.dumps(out), flush=True)
    return 0


# --- parent ------------------------------------------------------------------------------


def measure_size(size: int, seed: int, plans: int, servers: int) -> dict[str, Any]:
    """Run :func:`child` for ``size`` in a fresh interpreter."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(size),
           "--seed", str(seed), "--failover-plans", str(plans), "--backup-servers", str(servers)]
    wall = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"child for {size} failed:\n{proc.stderr}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_s"] = time.perf_counter() - wall
    return result


def startup_once(args: Sequence[str]) -> tuple[float, int | None]:
    """Seconds from spawning ``python -m em_mock --port 0 ARGS`` to its ready line, and its RSS."""
    cmd = [sys.executable, "-m", "em_mock", "--host", "127.0.0.1", "--port", "0",
           "--log-level", "warning", *args]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    assert proc.stdout is not None
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if line.startswith(READY_PREFIX):
                return time.perf_counter() - start, status_kib("VmRSS", proc.pid)
        raise RuntimeError("em-mock did not start:\n" + "".join(lines))
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def import_time() -> float:
    """Seconds for a bare ``python -c "import em_mock.cli"`` (interpreter + imports)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import em_mock.cli"], cwd=ROOT / "app", check=True)
    return time.perf_counter() - start


def load_note() -> str:
    """The 1-minute load average (other work on the machine slows the timings)."""
    try:
        return f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    except OSError:
        return "load average unknown"


def _mib(kib: int | None) -> str:
    return "n/a" if kib is None else f"{kib / 1024:.1f}"


def parse_sizes(text: str) -> list[int]:
    """``1000,100000`` -> ``[1000, 100000]``."""
    sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    if not sizes or any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError("--sizes wants positive integers, e.g. 1000,100000")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=parse_sizes, default=[1000, 100_000, 1_000_000],
                        help="comma-separated session counts (default 1000,100000,1000000)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--failover-plans", type=int, default=12, help="default 12")
    parser.add_argument("--backup-servers", type=int, default=3, help="default 3")
    parser.add_argument("--startup-runs", type=int, default=5,
                        help="how often to time the server's start-up (default 5; 0 skips)")
    parser.add_argument("--json", type=Path, default=None, help="also write raw results here")
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        return child(args.child, args.seed, args.failover_plans, args.backup_servers)

    print(f"em-mock memory benchmark: python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"seed {args.seed}, {args.backup_servers} backup servers, {args.failover_plans} "
          f"failover plans; one fresh process per size; {load_note()}")
    print(f"\n{'sessions':>10}{'tasks':>11}{'seed s':>9}{'(cpu)':>8}{'RSS before':>13}"
          f"{'RSS after':>13}{'peak RSS':>13}{'B/session':>11}{'full GC ms':>12}{'(cpu)':>8}"
          f"{'GC objects':>12}"
          f"  target < {TARGET_BYTES_PER_SESSION} B/session")
    results = []
    for size in args.sizes:
        r = measure_size(size, args.seed, args.failover_plans, args.backup_servers)
        grown = (r["rss_after_kib"] - r["rss_before_kib"]) * 1024
        r["bytes_per_session"] = grown / size
        verdict = "ok" if r["bytes_per_session"] < TARGET_BYTES_PER_SESSION else "MISSED"
        results.append(r)
        print(f"{size:>10,}{r['tasks']:>11,}{r['seed_s']:>9.2f}{r['seed_cpu_s']:>8.2f}"
              f"{_mib(r['rss_before_kib']):>9} MiB{_mib(r['rss_after_kib']):>9} MiB"
              f"{_mib(r['peak_kib']):>9} MiB{r['bytes_per_session']:>11,.0f}"
              f"{r['full_gc_s'] * 1000:>12,.0f}{r['full_gc_cpu_s'] * 1000:>8,.0f}"
              f"{r['gc_tracked_objects']:>12,}  {verdict}",
              flush=True)

    if len(results) > 1:
        print("\nmarginal bytes per session between sizes (RSS growth / extra sessions; "
              "fixed overheads cancel out):")
        for a, b in itertools.pairwise(results):
            extra = b["size"] - a["size"]
            if extra > 0:
                grown = (b["rss_after_kib"] - b["rss_before_kib"]
                         - a["rss_after_kib"] + a["rss_before_kib"]) * 1024
                print(f"  {a['size']:>10,} -> {b['size']:>10,}: {grown / extra:8,.0f} B/session")
    largest = results[-1]
    print(f"\nwhat one session holds (bytes, sys.getsizeof over a sample of the "
          f"{largest['size']:,} run; shared objects not counted):")
    for part, size in largest["composition"].items():
        print(f"  {part:<28}{size:>8.0f}")
    print(f"  {'sum':<28}{sum(largest['composition'].values()):>8.0f}")

    startup: dict[str, Any] = {}
    if args.startup_runs > 0:
        print(f"\nstart-up of `python -m em_mock --port 0` with the default data, "
              f"{args.startup_runs} runs each (time from spawn to the ready line):")
        with tempfile.TemporaryDirectory(prefix="em-mock-bench-tls-") as tls:
            variants = {"HTTP only (--no-https)": ["--no-https"],
                        "HTTP + HTTPS (--https-port 0)": ["--https-port", "0", "--tls-dir", tls]}
            startup_once(variants["HTTP + HTTPS (--https-port 0)"])  # makes the certificate
            for label, extra in variants.items():
                times, rss = [], []
                for _ in range(args.startup_runs):
                    seconds, kib = startup_once(extra)
                    times.append(seconds)
                    rss.append(kib)
                startup[label] = {"ready_s": times, "rss_kib": rss}
                print(f"  {label:<31} median {statistics.median(times):.2f} s, min "
                      f"{min(times):.2f} s, max {max(times):.2f} s; RSS at ready "
                      f"{_mib(sorted(r or 0 for r in rss)[len(rss) // 2])} MiB")
        imports = [import_time() for _ in range(min(3, args.startup_runs))]
        startup["import_s"] = imports
        print(f"  {'interpreter + import em_mock.cli':<31} "
              f"median {statistics.median(imports):.2f} s")
    print(f"\nat the end: {load_note()}")
    if args.json is not None:
        args.json.write_text(json.dumps({"sizes": results, "startup": startup}, indent=2),
                             encoding="utf-8")
        print(f"\nraw results written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
