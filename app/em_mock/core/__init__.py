"""The core: what every resource family builds on, and nothing about any one of them.

The neutral representation tree and its writers (``wire``), the HTTP plumbing shared by
every route (``http``), the filter language and query engine, the registries families
fill in, the generic store and fixture format, logon sessions, clock, faults, journal
and the task simulation. Families register themselves here; no module of the core
imports a family (a test keeps it so).
"""
