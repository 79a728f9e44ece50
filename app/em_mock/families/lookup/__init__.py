"""The virtual infrastructure lookup: ``/lookupSvc`` and ``/lookup``."""
