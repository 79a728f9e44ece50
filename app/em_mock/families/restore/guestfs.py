"""The guest file system of a VM restore point, as a mounted point shows it.

Every Windows VM's backup holds the same small tree; file contents name the VM and the
point's time, so a downloaded file says where it came from. Paths compare in any case
(URL paths reach the routes lower-cased) and with ``/`` or ``\\`` between parts.
"""

from __future__ import annotations

from dataclasses import dataclass

from em_mock.core.times import format_instant
from em_mock.families.jobs.model import TaskSession

OWNER = "BUILTIN\\Administrators"
ROOT = "C:\\"

# Directory -> (its subdirectories, its files as (name, size or None for text)).
_TREE: dict[str, tuple[tuple[str, ...], tuple[tuple[str, int | None], ...]]] = {
    "C:\\": (("Users", "Windows"), ()),
    "C:\\Users": (("Administrator",), ()),
    "C:\\Users\\Administrator": (("Desktop", "Documents"), ()),
    "C:\\Users\\Administrator\\Desktop": ((), (("todo.txt", None),)),
    "C:\\Users\\Administrator\\Documents": ((), (("notes.txt", None),
                                                  ("report.docx", 24_576))),
    "C:\\Windows": (("System32",), (("win.ini", None),)),
    "C:\\Windows\\System32": ((), (("notepad.exe", 201_216),)),
}
_INDEX = {k.lower(): k for k in _TREE}


@dataclass(frozen=True, slots=True)
class Entry:
    """A file or directory: its full path and name."""

    path: str
    name: str
    is_dir: bool
    size: int = 0


def normalize(path: str) -> str:
    """``c:/users/`` -> ``c:\\users`` (lower-case, backslashes, no trailing separator but
    the root's)."""
    path = path.replace("/", "\\").strip("\\").lower()
    if len(path) == 2 and path.endswith(":"):
        return path + "\\"
    return path


def directory(path: str) -> str | None:
    """The canonical spelling of a directory, or ``None``."""
    return _INDEX.get(normalize(path))


def _join(parent: str, name: str) -> str:
    return parent + name if parent.endswith("\\") else f"{parent}\\{name}"


def content(t: TaskSession, path: str) -> bytes:
    """The bytes of the file at canonical ``path`` in ``t``'s restore point."""
    parent, _, name = path.rpartition("\\")
    size = next(s for n, s in _TREE[directory(parent) or ROOT][1] if n == name)
    if size is not None:
        return (f"{name} of {t.vm_name}\n".encode() * (size // 16 + 1))[:size]
    return (f"{name} on {t.vm_name}, restore point of "
            f"{format_instant(t.creation_ms, 3)}\r\n").encode()


def listing(t: TaskSession, path: str) -> tuple[list[Entry], list[Entry]]:
    """``(directories, files)`` in the directory at canonical ``path``."""
    dirs, files = _TREE[path]
    return ([Entry(_join(path, d), d, True) for d in dirs],
            [Entry(_join(path, f), f, False, len(content(t, _join(path, f))))
             for f, _ in files])


def file(path: str) -> str | None:
    """The canonical spelling of a file, or ``None``."""
    parent, _, name = normalize(path).rpartition("\\")
    found = directory(parent)
    if found is None:
        return None
    for f, _ in _TREE[found][1]:
        if f.lower() == name:
            return _join(found, f)
    return None
