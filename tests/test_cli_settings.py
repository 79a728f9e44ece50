"""``em_mock.settings.from_args``: every option as a flag and as an ``EM_MOCK_*`` variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from em_mock.core.times import parse_instant_ms
from em_mock.settings import OPTIONS, Settings, SettingsError, env_name, from_args
from tests.conftest import EPOCH, EPOCH_MS, ROOT

LATER = "2027-01-02T03:04:05Z"
LATER_MS = parse_instant_ms(LATER)

# option name -> (flag text, expected from flag, env text, expected from env); options whose
# value needs a particular form. The others get samples from their default's type below.
SPECIAL: dict[str, tuple[str, Any, str, Any]] = {
    "host": ("0.0.0.0", "0.0.0.0", "::1", "::1"),
    "port": ("9398", 9398, "0", 0),
    "session_timeout": ("60", 60.0, "1.5", 1.5),
    "public_url": ("https://em.example.com:9398/", "https://em.example.com:9398",
                   "http://other.example.org", "http://other.example.org"),
    "log_level": ("DEBUG", "debug", "warning", "warning"),
    "fixtures": ("/tmp/a.json", Path("/tmp/a.json"), "data", Path("data")),
    "seed": ("7", 7, "42", 42),
    "backup_servers": ("5", 5, "0", 0),
    "failover_plans": ("2", 2, "20", 20),
    "sessions": ("100", 100, "0", 0),
    "epoch": (EPOCH, EPOCH_MS, LATER, LATER_MS),
    "max_page_size": ("50", 50, "200", 200),
    "em_version": ("13", 13, "12", 12),
}
DEFAULTS = Settings()
SWITCHES = tuple(o.name for o in OPTIONS if o.is_switch)
FLAG = {option.name: option.flag for option in OPTIONS}


def _samples(option) -> tuple[str, Any, str, Any]:
    if option.name in SPECIAL:
        return SPECIAL[option.name]
    default = getattr(DEFAULTS, option.name)
    if isinstance(default, int):
        texts = ("7", "3")
    elif isinstance(default, float):
        texts = ("2.5", "4")
    else:
        texts = ("flag-value", "env-value")
    return texts[0], option.parse(texts[0]), texts[1], option.parse(texts[1])


VALUED = {o.name: _samples(o) for o in OPTIONS if not o.is_switch and o.name != "users"}


def test_every_option_is_a_settings_field():
    assert {option.name for option in OPTIONS} == set(Settings.__dataclass_fields__)


def test_every_option_has_a_flag_and_variable():
    for option in OPTIONS:
        assert option.flag == "--" + option.name.replace("_", "-") or option.name == "users"
        assert env_name(option) == "EM_MOCK_" + option.name.upper()
    assert FLAG["users"] == "--user"


def test_the_samples_differ_from_the_defaults():
    for name, (_, flag_value, _, env_value) in VALUED.items():
        assert flag_value != env_value, name
        assert flag_value != getattr(DEFAULTS, name), name


def test_defaults_without_flags_or_variables():
    assert from_args([], {}) == Settings()
    settings = Settings()
    assert settings.users == (("veeam", "veeam"),)
    assert settings.session_timeout == 900
    assert settings.json_bom is False
    assert settings.public_url is None


def test_unrelated_variables_are_ignored():
    assert from_args([], {"EM_MOCK": "1", "PORT": "1", "em_mock_port": "2"}) == Settings()


@pytest.mark.parametrize("name", list(VALUED))
def test_option_as_flag(name):
    flag_text, flag_value, _, _ = VALUED[name]
    settings = from_args([FLAG[name], flag_text], {})
    assert getattr(settings, name) == flag_value


@pytest.mark.parametrize("name", list(VALUED))
def test_option_as_flag_with_equals(name):
    flag_text, flag_value, _, _ = VALUED[name]
    settings = from_args([f"{FLAG[name]}={flag_text}"], {})
    assert getattr(settings, name) == flag_value


@pytest.mark.parametrize("name", list(VALUED))
def test_option_as_variable(name):
    _, _, env_text, env_value = VALUED[name]
    settings = from_args([], {f"EM_MOCK_{name.upper()}": env_text})
    assert getattr(settings, name) == env_value


@pytest.mark.parametrize("name", list(VALUED))
def test_flag_wins_over_variable(name):
    flag_text, flag_value, env_text, _ = VALUED[name]
    settings = from_args([FLAG[name], flag_text], {f"EM_MOCK_{name.upper()}": env_text})
    assert getattr(settings, name) == flag_value


@pytest.mark.parametrize("name", SWITCHES)
def test_switch_as_flag(name):
    assert getattr(from_args([FLAG[name]], {}), name) is True
    assert getattr(from_args([], {}), name) is False


@pytest.mark.parametrize("name", SWITCHES)
@pytest.mark.parametrize(("text", "value"), [("true", True), ("1", True), ("YES", True),
                                             ("on", True), ("false", False), ("0", False),
                                             ("no", False), ("Off", False), ("", False)])
def test_switch_as_variable(name, text, value):
    assert getattr(from_args([], {f"EM_MOCK_{name.upper()}": text}), name) is value


@pytest.mark.parametrize("name", SWITCHES)
def test_switch_flag_wins_over_a_false_variable(name):
    assert getattr(from_args([FLAG[name]], {f"EM_MOCK_{name.upper()}": "false"}), name) is True


def test_env_names_include_the_documented_ones():
    assert {env_name(o) for o in OPTIONS} >= {
        "EM_MOCK_HOST", "EM_MOCK_PORT", "EM_MOCK_USERS", "EM_MOCK_SESSION_TIMEOUT",
        "EM_MOCK_PUBLIC_URL", "EM_MOCK_LOG_LEVEL", "EM_MOCK_FIXTURES", "EM_MOCK_SEED",
        "EM_MOCK_BACKUP_SERVERS", "EM_MOCK_FAILOVER_PLANS", "EM_MOCK_SESSIONS", "EM_MOCK_EPOCH",
        "EM_MOCK_FROZEN_CLOCK", "EM_MOCK_MAX_PAGE_SIZE", "EM_MOCK_JSON_BOM"}


# --- users -------------------------------------------------------------------------------

def test_user_flag_once():
    assert from_args(["--user", "alice:secret"], {}).users == (("alice", "secret"),)


def test_user_flag_is_repeatable_in_order():
    settings = from_args(["--user", "alice:a", "--user", "bob:b", "--user", "carol:c"], {})
    assert settings.users == (("alice", "a"), ("bob", "b"), ("carol", "c"))


def test_users_variable_is_a_comma_list():
    settings = from_args([], {"EM_MOCK_USERS": "alice:a,bob:b, carol:c"})
    assert settings.users == (("alice", "a"), ("bob", "b"), ("carol", "c"))


def test_user_flags_win_over_the_variable():
    settings = from_args(["--user", "alice:a"], {"EM_MOCK_USERS": "bob:b,carol:c"})
    assert settings.users == (("alice", "a"),)


def test_password_may_contain_a_colon_or_be_empty():
    assert from_args(["--user", "alice:pa:ss"], {}).users == (("alice", "pa:ss"),)
    assert from_args(["--user", "alice:"], {}).users == (("alice", ""),)


# --- bad values --------------------------------------------------------------------------

BAD = [
    ("port", "abc"),
    ("port", "-1"),
    ("port", "1.5"),
    ("users", "nocolon"),
    ("users", ":nameless"),
    ("users", "alice:a,,bob:b"),
    ("session_timeout", "0"),
    ("session_timeout", "-5"),
    ("session_timeout", "soon"),
    ("public_url", "em.example.com:9398"),
    ("public_url", "ftp://em.example.com"),
    ("log_level", "loud"),
    ("seed", "x"),
    ("backup_servers", "-1"),
    ("backup_servers", "three"),
    ("failover_plans", "-2"),
    ("sessions", "many"),
    ("sessions", "-10"),
    ("epoch", "yesterday"),
    ("epoch", "2026-13-45T99:00:00Z"),
    ("max_page_size", "-1"),
    ("max_page_size", "big"),
    ("max_header_size", "-1"),
    ("max_header_size", "huge"),
    ("task_delay", "-1"),
    ("task_delay", "later"),
    ("journal_size", "-1"),
    ("journal_size", "x"),
]
BAD = [(name, text) for name, text in BAD if name in FLAG]


@pytest.mark.parametrize(("name", "text"), BAD)
def test_bad_flag_value_names_the_flag(name, text):
    flag = "--user" if name == "users" else FLAG[name]
    with pytest.raises(SettingsError) as caught:
        from_args([f"{flag}={text}"], {})
    assert flag in str(caught.value)


@pytest.mark.parametrize(("name", "text"), BAD)
def test_bad_variable_value_names_the_variable(name, text):
    variable = f"EM_MOCK_{name.upper()}"
    with pytest.raises(SettingsError) as caught:
        from_args([], {variable: text})
    assert variable in str(caught.value)


@pytest.mark.parametrize("name", SWITCHES)
def test_bad_switch_variable_names_the_variable(name):
    variable = f"EM_MOCK_{name.upper()}"
    with pytest.raises(SettingsError) as caught:
        from_args([], {variable: "maybe"})
    assert variable in str(caught.value)


def test_settings_error_is_a_value_error():
    assert issubclass(SettingsError, ValueError)


def test_a_good_flag_hides_a_bad_variable():
    assert from_args(["--port", "1"], {"EM_MOCK_PORT": "junk"}).port == 1


# --- the command -------------------------------------------------------------------------

def test_help_exits_0_and_names_every_variable():
    env = {k: v for k, v in os.environ.items() if not k.startswith("EM_MOCK_")}
    done = subprocess.run([sys.executable, "-m", "em_mock", "--help"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    for option in OPTIONS:
        assert env_name(option) in done.stdout, env_name(option)
        assert option.flag in done.stdout, option.flag
