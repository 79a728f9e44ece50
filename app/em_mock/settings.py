"""One settings object. Every option is a CLI flag and an ``EM_MOCK_*`` environment variable."""

from __future__ import annotations

import argparse
import os
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from em_mock.core.clock import ClockRangeError, check_range
from em_mock.core.times import parse_instant_ms

DEFAULT_USER = ("veeam", "veeam")


class SettingsError(ValueError):
    """An option value that cannot be used; the message names the option."""


@dataclass(frozen=True)
class Settings:
    """Everything the server can be told at start-up."""

    host: str = "127.0.0.1"
    port: int = 9399
    https_port: int = 9398
    no_http: bool = False
    no_https: bool = False
    tls_cert: Path | None = None
    tls_key: Path | None = None
    tls_dir: Path | None = None
    users: tuple[tuple[str, str], ...] = (DEFAULT_USER,)
    session_timeout: float = 900.0
    public_url: str | None = None
    log_level: str = "info"
    fixtures: Path | None = None
    recorded: Path | None = None
    seed: int | None = None
    backup_servers: int | None = None
    failover_plans: int | None = None
    sessions: int | None = None
    epoch: int | None = None
    frozen_clock: bool = False
    max_page_size: int = 10_000
    max_header_size: int = 65_536
    max_body_size: int = 1_048_576
    control_max_body_size: int = 268_435_456
    max_filter_terms: int = 1000
    request_timeout: float = 30.0
    max_connections: int = 1000
    max_sessions_per_user: int = 1000
    max_sessions: int = 10_000
    task_delay: float = 2.0
    control_token: str | None = None
    no_control: bool = False
    journal_size: int = 1000
    json_bom: bool = False
    em_version: int = 12
    render_cache_bytes: int = 67_108_864
    answer_cache_bytes: int = 33_554_432

    @property
    def generated(self) -> bool:
        """True when the data comes from the generator rather than a fixture file."""
        return any(v is not None for v in (self.seed, self.backup_servers,
                                           self.failover_plans, self.sessions))


def _users(text: str) -> tuple[tuple[str, str], ...]:
    out = []
    for item in text.split(","):
        name, colon, password = item.strip().partition(":")
        if not colon or not name:
            raise SettingsError(f"a user must be written NAME:PASSWORD, not {item!r}")
        out.append((name, password))
    return tuple(out)


def _epoch(text: str) -> int:
    ms = parse_instant_ms(text)
    if ms is None:
        raise SettingsError(f"--epoch must be a UTC date-time such as 2026-01-01T00:00:00Z, "
                            f"not {text!r}")
    try:
        return check_range(ms)
    except ClockRangeError as exc:
        raise SettingsError(str(exc)) from None


def _flag(text: str) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off", ""):
        return False
    raise SettingsError(f"expected true or false, not {text!r}")


def _at_least(convert: Callable[[str], Any], low: float, strict: bool = False
              ) -> Callable[[str], Any]:
    """A parser for numbers ``>= low`` (``> low`` when ``strict``)."""
    def parse(text: str) -> Any:
        value = convert(text)
        if value < low or (strict and value == low):
            raise SettingsError(f"expected a number {'>' if strict else '>='} {low:g}, "
                                f"not {text}")
        return value
    return parse


_non_negative_int = _at_least(int, 0)
_positive_int = _at_least(int, 1)
_positive_float = _at_least(float, 0, strict=True)
_non_negative_float = _at_least(float, 0)


LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


def _log_level(text: str) -> str:
    if text.lower() not in LOG_LEVELS:
        raise SettingsError(f"expected one of {', '.join(LOG_LEVELS)}, not {text!r}")
    return text.lower()


def _em_version(text: str) -> int:
    if text.strip() not in ("12", "13"):
        raise SettingsError(f"expected 12 or 13, not {text!r}")
    return int(text)


def _url(text: str) -> str:
    if not text.startswith(("http://", "https://")):
        raise SettingsError(f"--public-url must start with http:// or https://, not {text!r}")
    return text.rstrip("/")


@dataclass(frozen=True)
class Option:
    """One option: its flag, variable, parser and help text."""

    name: str
    flag: str
    parse: Callable[[str], Any]
    help: str
    metavar: str = ""
    is_switch: bool = False


OPTIONS: tuple[Option, ...] = (
    Option("host", "--host", str, "address to listen on", "ADDRESS"),
    Option("port", "--port", _non_negative_int, "HTTP port; 0 picks a free one", "PORT"),
    Option("https_port", "--https-port", _non_negative_int, "HTTPS port; 0 picks a free one",
           "PORT"),
    Option("no_http", "--no-http", _flag, "do not serve plain HTTP", is_switch=True),
    Option("no_https", "--no-https", _flag, "do not serve HTTPS", is_switch=True),
    Option("tls_cert", "--tls-cert", Path,
           "PEM certificate for HTTPS (with --tls-key) instead of the self-signed one", "FILE"),
    Option("tls_key", "--tls-key", Path, "PEM private key of --tls-cert", "FILE"),
    Option("tls_dir", "--tls-dir", Path,
           "where the self-signed certificate is made and kept "
           "(default $XDG_DATA_HOME/em-mock/tls or ~/.local/share/em-mock/tls)", "DIR"),
    Option("users", "--user", _users,
           "a user who may log on, NAME:PASSWORD (repeat the flag for more; the variable "
           "takes a comma-separated list)", "NAME:PASSWORD"),
    Option("session_timeout", "--session-timeout", _positive_float,
           "seconds without a request after which a logon session ends", "SECONDS"),
    Option("public_url", "--public-url", _url,
           "base URL for every Href (instead of the scheme and Host of each request)", "URL"),
    Option("log_level", "--log-level", _log_level,
           "log level: critical, error, warning, info, debug", "LEVEL"),
    Option("fixtures", "--fixtures", Path,
           "serve the data in this fixture file or directory of *.json files", "PATH"),
    Option("recorded", "--recorded", Path,
           "also serve the hand-written recorded answers in this directory (default: "
           "the directory recorded beside the --fixtures file, or in the --fixtures "
           "directory)", "DIR"),
    Option("seed", "--seed", int, "generate the data set with this seed (default data: 1)", "N"),
    Option("backup_servers", "--backup-servers", _non_negative_int,
           "generate this many backup servers (default 3)", "N"),
    Option("failover_plans", "--failover-plans", _non_negative_int,
           "generate this many cloud failover plans (default 12)", "N"),
    Option("sessions", "--sessions", _non_negative_int,
           "generate this many cloud failover sessions (default 500)", "N"),
    Option("epoch", "--epoch", _epoch,
           "start the mock's clock at this UTC instant (default: now)", "INSTANT"),
    Option("frozen_clock", "--frozen-clock", _flag,
           "keep the clock still until moved through the control API", is_switch=True),
    Option("max_page_size", "--max-page-size", _non_negative_int,
           "largest pageSize a query may ask for", "N"),
    Option("max_header_size", "--max-header-size", _non_negative_int,
           "largest request line, and largest header section, in bytes (414/431 beyond)",
           "BYTES"),
    Option("max_body_size", "--max-body-size", _non_negative_int,
           "largest request body, in bytes (413 beyond)", "BYTES"),
    Option("control_max_body_size", "--control-max-body-size", _non_negative_int,
           "largest request body on the control API (/mock/), in bytes (413 beyond); "
           "large enough for a whole data set", "BYTES"),
    Option("max_filter_terms", "--max-filter-terms", _positive_int,
           "most comparisons one query filter may hold (400 beyond)", "N"),
    Option("request_timeout", "--request-timeout", _positive_float,
           "seconds a client has to send a whole request (line, headers and body) once it "
           "connects or its previous answer is sent; 408 and close beyond", "SECONDS"),
    Option("max_connections", "--max-connections", _positive_int,
           "open connections each listener serves at once; requests on connections beyond "
           "get 503 and are closed", "N"),
    Option("max_sessions_per_user", "--max-sessions-per-user", _positive_int,
           "live logon sessions one user may hold; the longest idle is ended first", "N"),
    Option("max_sessions", "--max-sessions", _positive_int,
           "live logon sessions in total; the longest idle is ended first", "N"),
    Option("task_delay", "--task-delay", _non_negative_float,
           "seconds (on the mock's clock) before a Task returned by an action is Finished",
           "SECONDS"),
    Option("control_token", "--control-token", str,
           "require this value in the X-Mock-Token header on every /mock/ call", "TOKEN"),
    Option("no_control", "--no-control", _flag,
           "remove the control API (/mock/), all but /mock/health", is_switch=True),
    Option("journal_size", "--journal-size", _non_negative_int,
           "how many requests the journal keeps (0 turns it off)", "N"),
    Option("em_version", "--em-version", _em_version,
           "which Enterprise Manager to imitate: 12 (PascalCase JSON, millisecond times) or 13 "
           "(camelCase JSON keys, microsecond times, upper-case hex in paging links)", "12|13"),
    Option("render_cache_bytes", "--render-cache-bytes", _non_negative_int,
           "bytes of rendered entities (per format, profile and base URL) kept for reuse "
           "until the data changes; 0 turns the cache off", "BYTES"),
    Option("answer_cache_bytes", "--answer-cache-bytes", _non_negative_int,
           "bytes of whole query answers kept for repeated requests until the data "
           "changes; 0 turns the cache off", "BYTES"),
    Option("json_bom", "--json-bom", _flag,
           "start JSON bodies with a UTF-8 byte order mark, as some real servers do",
           is_switch=True),
)


def env_name(option: Option) -> str:
    """``EM_MOCK_<NAME>`` for an option."""
    return "EM_MOCK_" + option.name.upper()


COMMANDS: dict[str, str] = {
    "serve": "serve the EM API (the default when no command is given)",
    "export": "write the data set the options describe as a fixture file (to standard "
              "output without PATH)",
    "capture": "read a live Enterprise Manager (--from URL) into a fixture file em-mock "
               "serves; see em-mock capture --help",
    "health": "ask a running em-mock on this machine whether it serves, at the listener and "
              "port the options describe (exit 0 when healthy); for container health checks",
}
_USAGE = "em-mock [serve | export [PATH] | capture --from URL | health] [options]"


def _add_options(parser: argparse.ArgumentParser) -> None:
    defaults = Settings()
    for option in OPTIONS:
        default = getattr(defaults, option.name)
        shown = ",".join(f"{u}:{p}" for u, p in default) if option.name == "users" else default
        help_text = f"{option.help} [env {env_name(option)}"
        help_text += f"; default {shown}]" if shown not in (None, False) else "]"
        if option.is_switch:
            parser.add_argument(option.flag, dest=option.name, action="store_const",
                                const="true", default=None, help=help_text)
        elif option.name == "users":
            parser.add_argument(option.flag, dest=option.name, action="append", default=None,
                                metavar=option.metavar, help=help_text)
        else:
            parser.add_argument(option.flag, dest=option.name, default=None,
                                metavar=option.metavar, help=help_text)


def _wrap(text: str) -> str:
    return textwrap.fill(text, 78)


def build_parser(prog: str = "em-mock", command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser of ``command`` (``None``: the top level, which serves).

    Every command takes every option (flags only; values are checked in
    :func:`from_values`), before or after the command and its path, in any order.
    """
    variables = ("Every flag can also be set through the environment variable shown; a flag "
                 "wins over its variable.")
    raw = argparse.RawDescriptionHelpFormatter
    if command == "export":
        parser = argparse.ArgumentParser(
            prog=f"{prog} export", usage=f"{prog} export [PATH] [options]",
            formatter_class=raw,
            description=_wrap(
                "Write the data set the options describe (--fixtures, --seed and the sizes, or "
                "the embedded default) as a fixture file, to PATH or to standard output. "
                "Export, load and export again gives the same bytes. " + variables))
        parser.add_argument("path", nargs="?", metavar="PATH",
                            help="the file to write (default: standard output)")
    elif command == "health":
        parser = argparse.ArgumentParser(
            prog=f"{prog} health", usage=f"{prog} health [options]",
            formatter_class=raw,
            description=_wrap(
                "Ask the em-mock the options describe (--host, --port, or --https-port with "
                "--no-http) for GET /mock/health, which is never journaled, never faulted and "
                "served even with --no-control; exit 0 when it answers 200, 1 otherwise. The "
                "Dockerfile's HEALTHCHECK runs it. " + variables))
    else:
        parser = argparse.ArgumentParser(
            prog=prog if command is None else f"{prog} serve",
            usage=_USAGE if command is None else f"{prog} [serve] [options]",
            formatter_class=raw,
            description=_wrap("Serve a stand-in for the Veeam Backup Enterprise Manager REST "
                              "API on seeded in-memory data. " + variables),
            epilog=None if command else "commands (each has its own --help):\n" + "\n".join(
                textwrap.fill(text, 78, initial_indent=f"  {name:<8}",
                              subsequent_indent=" " * 10) for name, text in COMMANDS.items()),
        )
    _add_options(parser)
    return parser


def split_command(argv: Sequence[str]) -> tuple[str | None, list[str]]:
    """``(command, the other arguments)``: the command is the first argument that is neither
    a flag nor a flag's value, when it names one (``None`` when no command is given)."""
    valued = {o.flag for o in OPTIONS if not o.is_switch}
    args = list(argv)
    skip = False
    for index, arg in enumerate(args):
        if skip:
            skip = False
            continue
        if arg == "--":
            break
        if arg.startswith("-"):
            skip = arg in valued
            continue
        if arg in COMMANDS:
            return arg, args[:index] + args[index + 1:]
        raise SettingsError(f"unknown command {arg!r} (commands: {', '.join(COMMANDS)})")
    return None, args


def from_args(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
              ) -> Settings:
    """Settings from flags, then ``EM_MOCK_*`` variables, then defaults."""
    args = build_parser().parse_args(argv)
    return from_values(vars(args), os.environ if environ is None else environ)


def from_values(flags: Mapping[str, Any], environ: Mapping[str, str]) -> Settings:
    """Settings from already-split flag values and an environment."""
    values: dict[str, Any] = {}
    for option in OPTIONS:
        raw = flags.get(option.name)
        source = option.flag
        if raw is None and env_name(option) in environ:
            raw = environ[env_name(option)]
            source = env_name(option)
        if raw is None:
            continue
        if option.name == "users" and isinstance(raw, list):
            raw = ",".join(raw)
        try:
            values[option.name] = option.parse(raw)
        except (ValueError, SettingsError) as exc:
            raise SettingsError(f"{source}: {exc}") from None
    known = {f.name for f in fields(Settings)}
    return Settings(**{k: v for k, v in values.items() if k in known})


def check_serving(settings: Settings) -> None:
    """Refuse option combinations a server cannot start with."""
    if (settings.tls_cert is None) != (settings.tls_key is None):
        raise SettingsError("--tls-cert and --tls-key go together")
    if settings.no_http and settings.no_https:
        raise SettingsError("--no-http and --no-https together leave nothing to serve")
