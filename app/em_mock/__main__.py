"""``python -m em_mock`` runs the ``em-mock`` command."""

from em_mock.cli import main

raise SystemExit(main())
