"""The infrastructure's demo scene: "a repository fills up"."""

from __future__ import annotations

from typing import Any

from em_mock.core.runtime import Runtime
from em_mock.core.scenes import Scene, SceneError, SceneParam, pick, register_scene
from em_mock.families.infrastructure.model import REPOSITORIES, Repository


def _fillable(repository: Repository) -> bool:
    return repository.capacity > 0


def repository_fills(rt: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    """Leave the repository with only ``100 - percent`` of its capacity free."""
    rows = [r for r in REPOSITORIES.rows(rt.store) if _fillable(r)]
    if not rows:
        raise SceneError(400, "There is no repository with a known capacity.")
    if params["repository"] is None:
        repository = max(rows, key=lambda r: (1 - r.free_space / r.capacity, r.name))
    else:
        repository = pick(rows, params["repository"], "repository with a known capacity",
                          lambda r: r.name, lambda r: r.id)
    percent: int = params["percent"]
    repository.free_space = repository.capacity * (100 - percent) // 100
    rt.store.changed()
    return {"repository": repository.name, "repositoryUid":
            f"urn:veeam:Repository:{repository.id}", "percent": percent,
            "capacity": repository.capacity, "freeSpace": repository.free_space}


register_scene(Scene(
    "repository-fills", "A repository fills up",
    "A repository's free space drops so that it is nearly full; the query service and "
    "the repository's own document report the new FreeSpace.",
    (SceneParam("repository", "string", "the repository's name or UID; default: the "
                "fullest one", lookup="Repository"),
     SceneParam("percent", "integer", "how full it becomes, in percent of its capacity",
                97, 1, 100, presets=(90, 97, 100))),
    repository_fills, 20))
