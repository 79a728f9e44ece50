"""Instructions spent building and writing entity fragments, counted by callgrind.

CPU time on a shared machine moves with the load; an instruction count does not. This
script builds a data set of 2,000 cloud failover sessions, then builds and writes the
entity fragment of 1,000 of them (as a cold page does) inside ``itertools.starmap``, so
that callgrind can count only that part::

    CG_ON=1 valgrind --tool=callgrind --instr-atstart=no --toggle-collect=starmap_next \\
        --callgrind-out-file=/tmp/cg.out python bench/render_instructions.py xml

(``xml``, ``json`` for EM 12 JSON, or ``camel`` for EM 13 JSON.) ``Collected`` in
valgrind's summary is the count. With ``CG_ON`` set, the script asks ``callgrind_control``
to switch instrumentation on once the data is built (the set-up runs uninstrumented,
which is several times faster); compare two versions of the code by their counts.
"""

from __future__ import annotations

import collections
import itertools
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    if str(ROOT / "app") not in sys.path:
        sys.path.insert(0, str(ROOT / "app"))
    from em_mock.core.registry import RESOURCES, query_type
    from em_mock.core.runtime import Runtime
    from em_mock.core.wire.documents import Ctx
    from em_mock.core.wire.json import to_json, to_json_fragment
    from em_mock.core.wire.xml import to_xml_fragment
    from em_mock.settings import Settings

    mode = sys.argv[1] if len(sys.argv) > 1 else "xml"
    rt = Runtime.create(Settings(sessions=2000, seed=1, epoch=1_781_524_800_000,
                                 frozen_clock=True))
    qtype = query_type("CloudFailoverSession")
    assert qtype is not None
    resource = RESOURCES["CloudFailoverSession"]
    rows = list(qtype.rows(rt.store))[:1000]
    ctx12, ctx13 = Ctx("http://127.0.0.1:9399", 12), Ctx("http://127.0.0.1:9399", 13)
    writers = {
        "xml": lambda row: to_xml_fragment(resource.entity(row, ctx12)),
        "json": lambda row: to_json(resource.entity(row, ctx12)),
        "camel": lambda row: to_json_fragment(resource.entity(row, ctx13), camel=True),
    }
    work: Any = writers[mode]
    work(rows[0])  # tables and memos filled once, outside the count
    if os.environ.get("CG_ON"):
        subprocess.Popen(["callgrind_control", "-i", "on", str(os.getpid())],
                         stdout=subprocess.DEVNULL)
        started = time.time()
        while time.time() - started < 8:  # until callgrind has seen the request
            sum(range(1000))
    collections.deque(itertools.starmap(work, ((row,) for row in rows)), maxlen=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
