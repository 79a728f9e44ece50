"""Soak test: many keep-alive clients against one em-mock for minutes; errors, latency, memory.

Starts ``python -m em_mock --port 0 --no-https`` itself (or uses ``--url``, loopback only),
then runs N concurrent keep-alive connections for T seconds with a mixed workload:
entry point, logon, queries with filters, sorts and paging (following ``Next`` links),
entity and collection GETs, the logon session list, and logout; one more connection
injects faults (error, latency, drop, truncate) on paths only it requests, moves the
clock, starts plan runs and asks for 10,000-entity pages. It stops by itself and
prints requests served, errors, p50/p99 latency, and the server's resident memory
(``VmRSS`` from ``/proc/<pid>/status``) before the load, after the warm-up and at the end,
with the growth after the warm-up in percent.

Targets: zero errors and less than 10 % memory growth after the warm-up; the exit
status is 1 when either is missed.

    python bench/soak.py                          # 16 connections, 300 s
    python bench/soak.py --connections 32 --seconds 600 --warmup 60
    python bench/soak.py --url http://127.0.0.1:9399 --pid 12345
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import ipaddress
import json
import math
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
READY = re.compile(r"em-mock ready: listening on (http://\S+?)/api/")
TOKEN = "X-RestSvcSessionId"
JSON_ACCEPT = {"Accept": "application/json"}
XML_ACCEPT = {"Accept": "application/xml"}
GROWTH_TARGET = 10.0

SESSION_FILTERS = [
    None, "Result==Failed", "Result==failed", "State==Working,State==Starting",
    "Result>Success", "State==Stopped;(Result==Warning,Result==Failed)",
    'CreationTime>="2025-01-01";CreationTime<"2099-01-01"', 'EndTime>="2020-01-01"',
    'Name=="Tenant01 Failover Plan"', "BackupServerName==vbr01.example.local",
    "FailureMessage!=x;Name!=zzz",
]
SESSION_SORTS = [None, "sortDesc=CreationTime", "sortAsc=CreationTime", "sortAsc=Name",
                 "sortdesc=endtime", "sortAsc=Result", "sortDesc=BackupServerName"]
OTHER_QUERIES = [
    "type=BackupServer&format=Entities&sortAsc=Name",
    "type=CloudFailoverPlan&format=Entities&sortDesc=Name&pageSize=5",
    "type=CloudFailoverPlan&filter=BackupServerName!=x",
]


def rss_kib(pid: int | None) -> int | None:
    """The resident set size of ``pid`` in KiB, or None when it cannot be read."""
    if pid is None:
        return None
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmRSS:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) if match else None


def is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Server:
    """``python -m em_mock --port 0 --no-https`` on loopback, until stopped."""

    def __init__(self, extra: list[str]) -> None:
        cmd = [sys.executable, "-m", "em_mock", "--host", "127.0.0.1", "--port", "0",
               "--no-https", "--log-level", "warning", *extra]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        assert self.proc.stdout is not None
        lines = []
        for line in self.proc.stdout:
            lines.append(line)
            match = READY.search(line)
            if match:
                self.url = match.group(1)
                self.pid: int | None = self.proc.pid
                # Keep reading what it writes, so a full pipe never stalls the server.
                threading.Thread(target=self.proc.stdout.read, daemon=True).start()
                return
        raise SystemExit("em-mock did not start:\n" + "".join(lines))

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


@dataclass
class Stats:
    """Everything the clients measured."""

    warmup_ends: float
    latencies: dict[str, list[float]] = field(default_factory=dict)
    steady: list[float] = field(default_factory=list)
    requests: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)

    def record(self, kind: str, seconds: float, finished: float) -> None:
        self.requests += 1
        self.latencies.setdefault(kind, []).append(seconds)
        if finished >= self.warmup_ends:
            self.steady.append(seconds)

    def error(self, kind: str, what: str) -> None:
        self.errors[kind] += 1
        if len(self.samples) < 10:
            self.samples.append(f"{kind}: {what}")


@dataclass
class Ids:
    """Real ids to GET, read from the server before the load starts."""

    sessions: list[str]
    plans: list[str]
    servers: list[str]
    points: list[str]


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (``values`` need not be sorted)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


def collect_ids(url: str, auth: str) -> Ids:
    with httpx.Client(base_url=url, timeout=60) as client:
        login = client.post("/api/sessionMngr/?v=latest",
                            headers={"Authorization": auth, **JSON_ACCEPT})
        login.raise_for_status()
        headers = {TOKEN: login.headers[TOKEN], **JSON_ACCEPT}

        def uids(path: str) -> list[str]:
            response = client.get(path, headers=headers)
            response.raise_for_status()
            return [ref["UID"].rsplit(":", 1)[-1] for ref in response.json()["Refs"]["Refs"]]

        sessions = uids("/api/query?type=CloudFailoverSession&pageSize=200")
        plans = uids("/api/query?type=CloudFailoverPlan")
        servers = uids("/api/query?type=BackupServer")
        entities = client.get("/api/query?type=CloudFailoverSession&format=Entities"
                              "&pageSize=20", headers=headers).json()
        points = [task["VmReplicaPointLink"]["Href"].rsplit("/", 1)[-1]
                  for s in entities["Entities"]["CloudFailoverSessions"]["CloudFailoverSessions"]
                  for task in s["CloudFailoverTasks"]["CloudFailoverTasks"]
                  if task.get("VmReplicaPointLink")]
        session_id = login.json()["SessionId"]
        client.delete(f"/api/logonSessions/{session_id}", headers=headers)
    return Ids(sessions, plans, servers, points)


class User:
    """One keep-alive connection playing a client: log on, work, log out, again."""

    def __init__(self, client: httpx.AsyncClient, stats: Stats, ids: Ids, auth: str,
                 rng: random.Random) -> None:
        self.client, self.stats, self.ids, self.auth, self.rng = client, stats, ids, auth, rng
        self.token = ""

    async def send(self, kind: str, method: str, url: str, expected: int | None,
                   headers: dict[str, str] | None = None, body: Any = None
                   ) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = await self.client.request(method, url, headers=headers, json=body)
        except httpx.HTTPError as exc:
            self.stats.error(kind, f"{method} {url}: {exc!r}")
            return None
        finished = time.perf_counter()
        self.stats.record(kind, finished - started, finished)
        if expected is not None and response.status_code != expected:
            self.stats.error(kind, f"{method} {url}: {response.status_code} "
                                   f"{response.text[:200]}")
            return None
        kind_header = response.headers.get("content-type", "")
        try:
            if kind_header.startswith("application/json"):
                response.json()
            elif response.content and not response.content.startswith(b"<?xml"):
                raise ValueError("not an XML document")
        except ValueError as exc:
            self.stats.error(kind, f"{method} {url}: malformed body: {exc}")
            return None
        return response

    def auth_headers(self, as_json: bool = True) -> dict[str, str]:
        return {TOKEN: self.token, **(JSON_ACCEPT if as_json else XML_ACCEPT)}

    async def query(self) -> None:
        rng = self.rng
        if rng.random() < 0.8:
            parts = ["type=CloudFailoverSession"]
            if rng.random() < 0.5:
                parts.append("format=" + rng.choice(["Entities", "entities"]))
            flt = rng.choice(SESSION_FILTERS)
            if flt:
                parts.append("filter=" + quote(flt, safe="=;,()<>!"))
            sort = rng.choice(SESSION_SORTS)
            if sort:
                parts.append(sort)
            parts.append(f"pageSize={rng.choice([10, 25, 50, 100])}")
            url: str | None = "/api/query?" + "&".join(parts)
        else:
            url = "/api/query?" + rng.choice(OTHER_QUERIES)
        as_json = rng.random() < 0.7
        for _ in range(rng.randint(1, 4)):
            if url is None:
                break
            response = await self.send("query", "GET", url, 200, self.auth_headers(as_json))
            if response is None:
                return
            if as_json:
                links = response.json()["PagingInfo"]["Links"]
                url = next((lk["Href"] for lk in links if lk["Rel"] == "Next"), None)
            else:
                found = re.search(rb'<Link Rel="Next" Href="([^"]+)"', response.content)
                url = found.group(1).decode().replace("&amp;", "&") if found else None

    async def entity(self) -> None:
        rng, ids = self.rng, self.ids
        choice = rng.randrange(8)
        if choice <= 2 and ids.sessions:
            url = f"/api/cloud/failoverSessions/{rng.choice(ids.sessions)}"
            url += "?format=Entity" if rng.random() < 0.6 else ""
        elif choice == 3 and ids.plans:
            url = f"/api/cloud/cloudFailoverPlans/{rng.choice(ids.plans)}?format=Entity"
        elif choice == 4 and ids.servers:
            url = f"/api/backupServers/{rng.choice(ids.servers)}?format=Entity"
        elif choice == 5 and ids.points:
            url = f"/api/cloud/vmReplicaPoints/{rng.choice(ids.points)}?format=Entity"
        elif choice == 6:
            url = rng.choice(["/api/cloud", "/api/querySvc", "/api/backupServers"])
        else:
            url = "/api/cloud/failoverSessions"
        await self.send("entity", "GET", url, 200, self.auth_headers(rng.random() < 0.5))

    async def cycle(self) -> None:
        await self.send("entry", "GET", "/api/", 200, XML_ACCEPT)
        login = await self.send("logon", "POST", "/api/sessionMngr/?v=latest", 201,
                                {"Authorization": self.auth, **JSON_ACCEPT})
        if login is None:
            return
        self.token = login.headers[TOKEN]
        session_id = login.json()["SessionId"]
        for _ in range(self.rng.randint(2, 6)):
            roll = self.rng.random()
            if roll < 0.5:
                await self.query()
            elif roll < 0.9:
                await self.entity()
            else:
                await self.send("sessions", "GET", "/api/logonSessions", 200,
                                self.auth_headers())
        await self.send("logout", "DELETE", f"/api/logonSessions/{session_id}", 204,
                        self.auth_headers())
        self.client.cookies.clear()


async def connection(url: str, stats: Stats, ids: Ids, auth: str, seed: int,
                     deadline: float) -> None:
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        user = User(client, stats, ids, auth, random.Random(seed))
        while time.perf_counter() < deadline:
            await user.cycle()


CHAOS_PATHS = ["/api/jobs", "/api/repositories"]  # no User asks for these


class Chaos:
    """One more connection that steers the server while the users work: fault rules
    (error, latency, drop, truncate) on paths only it requests, clock moves (small enough
    that the users' logon sessions never expire), plan runs that change the data under
    the users' queries, and pages of 10,000 entities. Each outcome it provokes is
    expected; anything else is an error."""

    def __init__(self, url: str, stats: Stats, ids: Ids, auth: str, rng: random.Random
                 ) -> None:
        self.url, self.stats, self.ids, self.auth, self.rng = url, stats, ids, auth, rng

    async def fault(self, client: httpx.AsyncClient, user: User) -> None:
        action = self.rng.choice(["error", "latency", "drop", "truncate"])
        path = self.rng.choice(CHAOS_PATHS)
        rule: dict[str, Any] = {"action": action, "path": path, "count": 1}
        if action == "error":
            rule["status"] = 503
        elif action == "latency":
            rule["latencyMs"] = 20
        added = await user.send("fault", "POST", "/mock/faults", 201, None, rule)
        if added is None:
            return
        started = time.perf_counter()
        try:
            async with httpx.AsyncClient(base_url=self.url, timeout=30) as victim:
                response = await victim.get(path, headers=user.auth_headers())
                body_ok = True
                if action == "truncate":
                    body_ok = False  # httpx must notice the cut
        except httpx.HTTPError:
            if action in ("drop", "truncate"):
                finished = time.perf_counter()
                self.stats.record("fault", finished - started, finished)
            else:
                self.stats.error("fault", f"{action} on {path}: transport error")
        else:
            expected = 503 if action == "error" else 200
            finished = time.perf_counter()
            self.stats.record("fault", finished - started, finished)
            if response.status_code != expected or not body_ok:
                self.stats.error("fault", f"{action} on {path}: {response.status_code}")
        await user.send("fault", "DELETE", "/mock/faults", 204)

    async def clock(self, user: User) -> None:
        roll = self.rng.random()
        if roll < 0.6:
            change: dict[str, Any] = {"action": "advance",
                                      "seconds": self.rng.choice([1, 5, 30, 60])}
        elif roll < 0.8:
            change = {"action": "freeze"}
        else:
            change = {"action": "resume"}
        await user.send("clock", "POST", "/mock/clock", 200, None, change)

    async def run_plan(self, user: User) -> None:
        if not self.ids.plans:
            return
        plan = self.rng.choice(self.ids.plans)
        # 202, or 400 while that plan still runs: both are right answers.
        response = await user.send("action", "POST",
                                   f"/api/cloud/cloudFailoverPlans/{plan}?action=start",
                                   None, user.auth_headers())
        if response is not None and response.status_code not in (202, 400):
            self.stats.error("action", f"plan start: {response.status_code}")

    async def run(self, deadline: float) -> None:
        async with httpx.AsyncClient(base_url=self.url, timeout=60) as client:
            user = User(client, self.stats, self.ids, self.auth, self.rng)
            while time.perf_counter() < deadline:
                login = await user.send("logon", "POST", "/api/sessionMngr/?v=latest", 201,
                                        {"Authorization": self.auth, **JSON_ACCEPT})
                if login is None:
                    await asyncio.sleep(0.5)
                    continue
                user.token = login.headers[TOKEN]
                for _ in range(10):
                    roll = self.rng.random()
                    if roll < 0.35:
                        await self.fault(client, user)
                    elif roll < 0.65:
                        await self.clock(user)
                    elif roll < 0.85:
                        await self.run_plan(user)
                    else:
                        await user.send("bigpage", "GET", "/api/query?type=BackupTaskSession"
                                        "&format=Entities&pageSize=10000", 200,
                                        user.auth_headers())
                    await asyncio.sleep(0.2)
                await user.send("logout", "DELETE",
                                f"/api/logonSessions/{login.json()['SessionId']}", 204,
                                user.auth_headers())
            await user.send("clock", "POST", "/mock/clock", 200, None, {"action": "resume"})


async def watch_memory(pid: int | None, stats: Stats, deadline: float,
                       trail: list[tuple[float, int]], start: float) -> int | None:
    """Samples RSS every 10 s; returns the reading at the end of the warm-up."""
    at_warmup: int | None = None
    while time.perf_counter() < deadline:
        now = time.perf_counter()
        if at_warmup is None and now >= stats.warmup_ends:
            at_warmup = rss_kib(pid)
        value = rss_kib(pid)
        if value is not None:
            trail.append((now - start, value))
        pause = min(10.0, deadline - now)
        if at_warmup is None:
            pause = min(pause, max(0.0, stats.warmup_ends - now))
        await asyncio.sleep(max(pause, 0.05))
    return at_warmup if at_warmup is not None else rss_kib(pid)


async def soak(url: str, pid: int | None, args: argparse.Namespace, ids: Ids) -> dict[str, Any]:
    start = time.perf_counter()
    deadline = start + args.seconds
    stats = Stats(warmup_ends=start + args.warmup)
    trail: list[tuple[float, int]] = []
    auth = _basic(args.user, args.password)
    watcher = asyncio.create_task(watch_memory(pid, stats, deadline, trail, start))
    chaos = [] if args.no_chaos else [
        Chaos(url, stats, ids, auth, random.Random(args.seed - 1)).run(deadline)]
    await asyncio.wait_for(asyncio.gather(*chaos, *(
        connection(url, stats, ids, auth, args.seed + n, deadline)
        for n in range(args.connections))), timeout=args.seconds + 120)
    at_warmup = await watcher
    elapsed = time.perf_counter() - start
    return {"stats": stats, "elapsed": elapsed, "at_warmup": at_warmup, "trail": trail}


def report(args: argparse.Namespace, before: int | None, result: dict[str, Any],
           end: int | None) -> int:
    stats: Stats = result["stats"]
    elapsed: float = result["elapsed"]
    at_warmup: int | None = result["at_warmup"]
    all_latencies = [v for values in stats.latencies.values() for v in values]
    print(f"connections {args.connections}, {elapsed:.0f} s (warm-up {args.warmup:.0f} s)")
    print(f"requests served: {stats.requests} ({stats.requests / elapsed:.0f}/s)")
    print(f"errors: {sum(stats.errors.values())}"
          + (f" {dict(stats.errors)}" if stats.errors else ""))
    for sample in stats.samples:
        print(f"  {sample}")
    print(f"latency ms, whole run: p50 {percentile(all_latencies, 0.50) * 1000:.2f}, "
          f"p99 {percentile(all_latencies, 0.99) * 1000:.2f}")
    print(f"latency ms, after warm-up: p50 {percentile(stats.steady, 0.50) * 1000:.2f}, "
          f"p99 {percentile(stats.steady, 0.99) * 1000:.2f}")
    print(f"{'kind':<9} {'count':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for kind, values in sorted(stats.latencies.items()):
        print(f"{kind:<9} {len(values):>8} {percentile(values, 0.5) * 1000:>8.2f} "
              f"{percentile(values, 0.99) * 1000:>8.2f}")

    def mib(kib: int | None) -> str:
        return "n/a" if kib is None else f"{kib / 1024:.1f} MiB"

    print(f"server RSS: before {mib(before)}, after warm-up {mib(at_warmup)}, "
          f"end {mib(end)}")
    trail = result["trail"]
    if trail:
        print("RSS trail (s: MiB): " + ", ".join(
            f"{t:.0f}: {v / 1024:.1f}" for t, v in trail[:: max(1, len(trail) // 12)]))
    growth = None
    if at_warmup and end is not None:
        growth = (end - at_warmup) / at_warmup * 100
        print(f"growth after warm-up: {growth:+.2f} %")
    else:
        print("growth after warm-up: n/a (no server pid; pass --pid with --url)")
    ok = not stats.errors and (growth is None or growth < GROWTH_TARGET)
    print(f"targets (zero errors, growth < {GROWTH_TARGET:.0f} %): {'met' if ok else 'MISSED'}")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "connections": args.connections, "seconds": elapsed, "requests": stats.requests,
            "errors": dict(stats.errors), "p50_ms": percentile(all_latencies, 0.5) * 1000,
            "p99_ms": percentile(all_latencies, 0.99) * 1000,
            "rss_kib": {"before": before, "after_warmup": at_warmup, "end": end},
            "growth_percent": growth, "trail": trail}, indent=2))
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=16,
                        help="concurrent keep-alive connections (default 16)")
    parser.add_argument("--seconds", type=float, default=300.0,
                        help="how long to run (default 300)")
    parser.add_argument("--warmup", type=float, default=None,
                        help="seconds before the 'after warm-up' RSS reading "
                             "(default: 10%% of --seconds, at most 30)")
    parser.add_argument("--url", help="use this running server (loopback only) instead of "
                                      "starting one")
    parser.add_argument("--pid", type=int, help="pid of the --url server, for its RSS")
    parser.add_argument("--server-args", default="",
                        help="extra arguments for the server this script starts, e.g. "
                             "'--sessions 5000 --seed 3'")
    parser.add_argument("--user", default="veeam")
    parser.add_argument("--password", default="veeam")
    parser.add_argument("--seed", type=int, default=1, help="seed of the clients' choices")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--no-chaos", action="store_true",
                        help="leave out the connection that injects faults, moves the "
                             "clock, starts plan runs and asks for 10,000-entity pages")
    args = parser.parse_args(argv)
    if args.warmup is None:
        args.warmup = min(30.0, args.seconds / 10)
    if args.connections < 1 or args.seconds <= 0 or not 0 <= args.warmup < args.seconds:
        parser.error("need --connections >= 1 and 0 <= --warmup < --seconds")
    server = None
    if args.url:
        if not is_loopback_url(args.url):
            parser.error("--url must be a loopback address (127.0.0.0/8, ::1 or localhost)")
        url, pid = args.url.rstrip("/").removesuffix("/api"), args.pid
    else:
        server = Server(args.server_args.split())
        url, pid = server.url, server.pid
    try:
        before = rss_kib(pid)
        ids = collect_ids(url, _basic(args.user, args.password))
        print(f"soaking {url} (server pid {pid or 'unknown'}, load average "
              f"{os.getloadavg()[0]:.2f}) ...", flush=True)
        result = asyncio.run(soak(url, pid, args, ids))
        end = rss_kib(pid)
    finally:
        if server is not None:
            server.stop()
    return report(args, before, result, end)


if __name__ == "__main__":
    sys.exit(main())
