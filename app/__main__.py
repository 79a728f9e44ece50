"""``python -m app`` runs the ``em-mock`` command."""

from app.cli import main

raise SystemExit(main())
