"""``em-mock capture``: read a live Enterprise Manager into a fixture em-mock serves."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from em_mock.capture.anonymize import anonymize
from em_mock.capture.progress import Progress
from em_mock.capture.record import discover
from em_mock.capture.state import State
from em_mock.capture.transport import CaptureError, Transport, parse_base_url
from em_mock.core.capture import Answer, CaptureSkip, Walk
from em_mock.core.times import format_instant_ms, parse_instant_ms

__all__ = ["OPTIONS", "build_parser", "main"]

DAY_MS = 86_400_000
JSON_TYPE = "application/json"


@dataclass(frozen=True)
class Opt:
    """One option of the capture command, with its variable ``EM_MOCK_CAPTURE_<NAME>``."""

    flag: str
    help: str
    default: Any = None
    metavar: str | None = None
    switch: bool = False
    repeat: bool = False

    @property
    def dest(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")

    @property
    def env(self) -> str:
        return "EM_MOCK_CAPTURE_" + self.dest.upper()


OPTIONS = (
    Opt("--from", "the Enterprise Manager to read: its base URL, e.g. https://em.example:9398",
        metavar="URL"),
    Opt("--out", "the fixture file to write", "capture.json", "PATH"),
    Opt("--user", "the user to log on as (prompted for on a terminal when unset)",
        metavar="NAME"),
    Opt("--password", "the user's password (prompted for on a terminal when unset; prefer "
        "the variable or the prompt to a flag, which other users may see)", metavar="TEXT"),
    Opt("--insecure", "do not verify the server's TLS certificate", switch=True),
    Opt("--ca-file", "verify the server's certificate with these CA certificates (PEM)",
        metavar="PATH"),
    Opt("--rate", "at most this many requests per second (0: no limit)", "5", "N"),
    Opt("--concurrency", "at most this many requests at once", "2", "N"),
    Opt("--retries", "tries again this many times on a 5xx answer, a timeout or a "
        "connection error, waiting 0.5 s, 1 s, 2 s, ... between tries", "4", "N"),
    Opt("--timeout", "seconds to wait for an answer", "60", "SECONDS"),
    Opt("--since", "read the sessions of this period back from the server's now (30d, "
        "12h), or from a UTC date-time, or all of them (all)", "30d", "WHEN"),
    Opt("--max-per-type", "read at most this many items of each query type or list",
        metavar="N"),
    Opt("--page-size", "items per page of the query service", "500", "N"),
    Opt("--state", "the directory that keeps the answers read so far (default: the "
        "output's path with .state)", metavar="DIR"),
    Opt("--keep-state", "keep the state directory after a finished capture", switch=True),
    Opt("--anonymize", "replace names, host names, addresses, descriptions, user and "
        "tenant names, paths, messages and GUIDs consistently (see the README)", switch=True),
    Opt("--record", "also record the answer of this GET path below /api (repeatable; the "
        "variable takes a comma-separated list)", metavar="PATH", repeat=True),
    Opt("--no-record", "record no answers of paths em-mock does not model", switch=True),
    Opt("--control-token", "the control token of an em-mock being captured, to list the "
        "recorded answers it serves", metavar="TEXT"),
)

_DESCRIPTION = """\
Log on to a Veeam Backup Enterprise Manager (or an em-mock), read it the way a client
does (the entry point, the logon session's links, the query service page by page with
format=Entities) and write a fixture file that em-mock --fixtures serves: every entity
em-mock models becomes data in its model. The answers of paths em-mock does not model
are kept verbatim as recorded answers. EM 12 and EM 13 (camelCase JSON) are both read.

Polite: GET only, besides the logon and the logoff; a rate limit and a concurrency cap;
retries with back-off; sessions of the --since period only.

Resumable: the answers read so far are kept in the state directory (--state, next to
the output). After an interruption (Ctrl-C, a crash, a lost connection) run the same
command again: it reads those from disk and asks the server only for what is missing.
A finished capture removes the directory (unless --keep-state, or when some answers
failed: the next run retries just those).

Every flag can also be set through the environment variable shown; a flag wins over
its variable."""


def build_parser(prog: str = "em-mock capture") -> argparse.ArgumentParser:
    """The capture command's parser."""
    parser = argparse.ArgumentParser(
        prog=prog, usage=f"{prog} --from URL [--out PATH] [options]",
        formatter_class=argparse.RawDescriptionHelpFormatter, description=_DESCRIPTION,
        epilog="example:\n  EM_MOCK_CAPTURE_PASSWORD=... em-mock capture --from "
               "https://em.example:9398 \\\n      --user 'EXAMPLE\\svc' --ca-file ca.pem "
               "--out mine.json\n  em-mock --fixtures mine.json")
    for opt in OPTIONS:
        shown = f"; default {opt.default}" if opt.default is not None else ""
        help_text = f"{opt.help} [env {opt.env}{shown}]"
        if opt.switch:
            parser.add_argument(opt.flag, dest=opt.dest, action="store_true", default=None,
                                help=help_text)
        elif opt.repeat:
            parser.add_argument(opt.flag, dest=opt.dest, action="append", default=None,
                                metavar=opt.metavar, help=help_text)
        else:
            parser.add_argument(opt.flag, dest=opt.dest, default=None, metavar=opt.metavar,
                                help=help_text)
    return parser


def _values(namespace: argparse.Namespace, environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for opt in OPTIONS:
        raw = getattr(namespace, opt.dest)
        if raw is None and opt.env in environ:
            env = environ[opt.env]
            if opt.switch:
                raw = env.strip().lower() in ("1", "true", "yes", "on")
            elif opt.repeat:
                raw = [p for p in env.split(",") if p.strip()]
            else:
                raw = env
        values[opt.dest] = opt.default if raw is None else raw
    return values


def _number(values: dict[str, Any], name: str, kind: type, low: float) -> Any:
    raw = values[name]
    if raw is None:
        return None
    try:
        number = kind(raw)
    except ValueError:
        raise CaptureError(f"--{name.replace('_', '-')}: {raw!r} is not a number") from None
    if number < low:
        raise CaptureError(f"--{name.replace('_', '-')}: must be at least {low}")
    return number


# What a walk says of a request the transport gave up on (the fetch's status 599).
_GAVE_UP = "the server answered 599"
_NO_ANSWER = "no answer (timeout or connection error) after every retry"

_PERIOD = re.compile(r"^(\d+)\s*([dhm])$")


def since_ms(text: str, now_ms: int) -> int | None:
    """The oldest session instant ``--since`` keeps (None: all)."""
    text = text.strip()
    if text.lower() == "all":
        return None
    match = _PERIOD.match(text.lower())
    if match:
        unit = {"d": DAY_MS, "h": 3_600_000, "m": 60_000}[match.group(2)]
        return now_ms - int(match.group(1)) * unit
    found = parse_instant_ms(text)
    if found is None:
        raise CaptureError(f"--since: {text!r} is not a period (30d, 12h), a UTC date-time "
                           "or all")
    return found


def _credentials(values: dict[str, Any]) -> tuple[str, str]:
    user, password = values["user"], values["password"]
    tty = sys.stdin.isatty()
    if user is None and tty:
        user = input("Enterprise Manager user: ")
    if password is None and tty:
        password = getpass.getpass(f"Password of {user}: ")
    if not user or password is None:
        raise CaptureError("no credentials: give --user and --password (or "
                           "EM_MOCK_CAPTURE_USER and EM_MOCK_CAPTURE_PASSWORD), or run on a "
                           "terminal to be asked")
    return user, password


def _control_paths(transport: Transport, token: str | None) -> list[str]:
    """The recorded answers an em-mock on the other end serves (none from a real EM)."""
    headers = {"Accept": JSON_TYPE}
    if token:
        headers["X-Mock-Token"] = token
    try:
        status, _, body = transport._exchange("GET", "/mock/recorded", headers)
        found = json.loads(body) if status == 200 else []
    except (CaptureError, ValueError):
        return []
    if not isinstance(found, list):
        return []
    return [item["Path"] for item in found if isinstance(item, dict)
            and isinstance(item.get("Path"), str) and not item.get("Modelled")]


def _is_em13(answer: Answer) -> bool:
    try:
        found = json.loads(answer.body)
    except ValueError:
        return False
    return isinstance(found, dict) and any(k[:1].islower() for k in found)


def run(values: dict[str, Any], stream: Any = None) -> int:
    """The capture the option values describe; the exit status."""
    from em_mock import families  # noqa: F401  (every family declares its sections)
    from em_mock.core.fixtures import FORMAT, SECTIONS

    err = stream or sys.stderr
    if not values["from"]:
        raise CaptureError("--from URL is required (the Enterprise Manager to read)")
    server = parse_base_url(values["from"], insecure=bool(values["insecure"]),
                            ca_file=values["ca_file"],
                            timeout=_number(values, "timeout", float, 0.1))
    out = Path(values["out"])
    state = State(Path(values["state"]) if values["state"] else
                  out.with_name(out.name + ".state"))
    meta = state.meta()
    if meta and meta.get("from") != server.base_url:
        raise CaptureError(f"the state directory {state.directory} belongs to a capture of "
                           f"{meta.get('from')}: remove it, or give another --state")
    user, password = _credentials(values)
    progress = Progress(err)
    transport = Transport(server, user, password, rate=_number(values, "rate", float, 0),
                          concurrency=_number(values, "concurrency", int, 1),
                          retries=_number(values, "retries", int, 0))
    max_per_type = _number(values, "max_per_type", int, 1)
    page_size = _number(values, "page_size", int, 1)
    transport.logon()
    try:
        anchor = meta.get("anchor") or transport.date_ms or int(time.time() * 1000)
        state.save_meta({"from": server.base_url, "anchor": anchor})
        since = since_ms(values["since"], anchor)

        def fetch(path: str, accept: str) -> Answer:
            kept = state.get(path, accept)
            if kept is not None:
                progress.answer(path, kept.body, reused=True)
                return kept
            try:
                answer = transport.fetch(path, accept)
            except CaptureError as exc:
                return Answer(599, "text/plain", str(exc).encode())
            if answer.status < 500:
                state.put(path, accept, answer)
            progress.answer(path, answer.body, reused=False)
            return answer

        if _is_em13(fetch("", JSON_TYPE)):
            progress.say(f"{server.base_url} speaks EM 13 (camelCase JSON); read as such")
        doc: dict[str, Any] = {"Format": FORMAT, "Anchor": format_instant_ms(anchor)}
        counts: dict[str, int] = {}
        skipped: list[tuple[str, str, str]] = []
        failed: dict[str, str] = {}
        results: dict[str, list[dict[str, Any]]] = {}
        lock = threading.Lock()

        def walk() -> Walk:
            return Walk(fetch, since_ms=since, max_per_type=max_per_type,
                        page_size=page_size, base_url=server.base_url)

        def one(section: Any, w: Walk) -> None:
            progress.section = section.name
            try:
                items = section.capture(w)
            except (CaptureError, CaptureSkip, Exception) as exc:
                with lock:
                    failed[section.name] = f"{type(exc).__name__}: {exc}"
                items = []
            with lock:
                results[section.name] = items
                skipped.extend((section.name, what, _NO_ANSWER if why == _GAVE_UP else why)
                               for what, why in w.skipped)
            progress.say(f"{section.name}: {len(items)} captured"
                         + (f", {len(w.skipped)} skipped" if w.skipped else ""))

        captured = [s for s in SECTIONS if s.capture is not None and s.name != "RecordedAnswers"]
        pool = ThreadPoolExecutor(max(1, min(transport.concurrency, len(captured))))
        try:
            for future in [pool.submit(one, s, walk()) for s in captured]:
                future.result()
        finally:
            # On Ctrl-C the sections still running are abandoned, not waited for.
            pool.shutdown(wait=False, cancel_futures=True)
        recorded_section = next((s for s in SECTIONS if s.name == "RecordedAnswers"), None)
        if recorded_section is not None and recorded_section.capture is not None:
            w = walk()
            if not values["no_record"]:
                links = transport.logon_answer.get("Links") or []
                w.record_paths = discover(
                    w, [x for x in links if isinstance(x, dict)],
                    listed=_control_paths(transport, values["control_token"]),
                    extra=values["record"] or ())
            one(recorded_section, w)
        for section in SECTIONS:
            if section.name in results:
                doc[section.name] = results[section.name]
                counts[section.name] = len(results[section.name])
        missing = [s.name for s in SECTIONS if s.capture is None]
        if missing:
            skipped.append(("-", ", ".join(missing), "em-mock cannot capture these sections "
                            "yet; they are left out"))
        doc, dropped, problems = _loadable(doc, anchor, str(out))
        skipped += [("-", what, why) for what, why in dropped]
        if values["anonymize"]:
            doc = anonymize(doc)
            # The stand-ins must load as the originals did.
            _, _, problems = _loadable(doc, anchor, str(out), drop=False)
        text = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
        temp = out.with_name(out.name + ".tmp")
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, out)
        recorded = counts.pop("RecordedAnswers", 0)
        print(progress.summary(counts, skipped, failed, recorded), file=err)
        if problems:
            print(f"The capture does not load as it is ({len(problems)} problems):", file=err)
            for line in problems[:20]:
                print(f"  {line}", file=err)
        print(f"Wrote {out} ({len(text.encode()):,} bytes). Serve it with: em-mock "
              f"--fixtures {out}", file=err)
        clean = not failed and not any("answered 5" in why or why == _NO_ANSWER
                                       for _, _, why in skipped)
        if values["keep_state"] or not clean:
            print(f"The answers read are kept in {state.directory}"
                  + ("" if clean else ": run the same command again to retry what failed"),
                  file=err)
        else:
            state.remove()
        return 1 if problems else 0
    finally:
        transport.close()


_ITEM = re.compile(r": \$\.(\w+)\[(\d+)\]")


def _loadable(doc: dict[str, Any], anchor: int, name: str, *, drop: bool = True
              ) -> tuple[dict[str, Any], list[tuple[str, str]], list[str]]:
    """``doc`` without the items that refer to what the capture did not read (an answer
    that failed, a type cut by ``--max-per-type``, sessions older than ``--since``), so
    em-mock loads it; what was left out, with the reason the loader gave; and what still
    keeps it from loading (nothing, when it loads). Without ``drop`` it is only checked."""
    from em_mock.core.fixtures import SECTIONS, FixtureError, load_documents

    dropped: list[tuple[str, str]] = []
    rounds = len(SECTIONS) + 1 if drop else 0  # each round can free the next rank's items
    while True:
        try:
            load_documents([(name, doc)], anchor)
        except FixtureError as exc:
            bad: dict[str, dict[int, str]] = {}
            for line in exc.errors if rounds > 0 else ():
                found = _ITEM.search(line)
                if found and isinstance(doc.get(found.group(1)), list):
                    reason = line[found.end():].lstrip(".").split(": ", 1)[-1]
                    bad.setdefault(found.group(1), {}).setdefault(int(found.group(2)), reason)
            if not bad:
                return doc, dropped, exc.errors  # what leaving items out cannot mend
            doc = dict(doc)
            for section, rows in bad.items():
                items = doc[section]
                for index, reason in sorted(rows.items()):
                    item = items[index] if index < len(items) else None
                    label = f"#{index}"
                    if isinstance(item, dict):
                        label = str(item.get("UID") or item.get("Name") or label)
                    dropped.append((f"{section} {label}", f"left out: {reason}"))
                doc[section] = [x for i, x in enumerate(items) if i not in rows]
            rounds -= 1
        else:
            return doc, dropped, []


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """The ``capture`` command's entry point (``argv``: the arguments after ``capture``)."""
    parser = build_parser()
    namespace = parser.parse_args(list(sys.argv[2:] if argv is None else argv))
    values = _values(namespace, os.environ if environ is None else environ)
    try:
        return run(values)
    except CaptureError as exc:
        print(f"em-mock capture: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        where = values["state"] or f"{values['out']}.state"
        print(f"\nem-mock capture: interrupted. The answers read so far are kept in {where}: "
              "run the same command again to go on from there.", file=sys.stderr)
        sys.stderr.flush()
        os._exit(130)

