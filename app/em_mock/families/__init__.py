"""The resource families. Importing this package registers every family with the core.

Each family is one package holding everything about its types: model, query
declarations, wire shapes, routes, seeded data, fixture sections and actions. Importing
those modules registers them; the order below is the order routes are included. Where
order shows on the wire (logon links, fixture sections, generation steps), each
declaration carries its own rank instead.
"""

import em_mock.families.agents.actions
import em_mock.families.agents.data
import em_mock.families.agents.fixtures
import em_mock.families.agents.queries
import em_mock.families.agents.routes
import em_mock.families.agents.shapes
import em_mock.families.cdp.actions
import em_mock.families.cdp.data
import em_mock.families.cdp.fixtures
import em_mock.families.cdp.queries
import em_mock.families.cdp.routes
import em_mock.families.cdp.shapes
import em_mock.families.cloud.actions
import em_mock.families.cloud.data
import em_mock.families.cloud.fixtures
import em_mock.families.cloud.lifecycle
import em_mock.families.cloud.queries
import em_mock.families.cloud.routes
import em_mock.families.cloud.scenes
import em_mock.families.cloud.shapes
import em_mock.families.cloud.writes
import em_mock.families.infrastructure.actions
import em_mock.families.infrastructure.data
import em_mock.families.infrastructure.fixtures
import em_mock.families.infrastructure.queries
import em_mock.families.infrastructure.routes
import em_mock.families.infrastructure.scenes
import em_mock.families.infrastructure.shapes
import em_mock.families.jobs.actions
import em_mock.families.jobs.data
import em_mock.families.jobs.fixtures
import em_mock.families.jobs.queries
import em_mock.families.jobs.routes
import em_mock.families.jobs.scenes
import em_mock.families.jobs.shapes
import em_mock.families.lookup.routes
import em_mock.families.nas.actions
import em_mock.families.nas.data
import em_mock.families.nas.fixtures
import em_mock.families.nas.queries
import em_mock.families.nas.routes
import em_mock.families.nas.shapes
import em_mock.families.reports.routes
import em_mock.families.restore.actions
import em_mock.families.restore.catalog
import em_mock.families.restore.data
import em_mock.families.restore.fixtures
import em_mock.families.restore.mounts
import em_mock.families.restore.queries
import em_mock.families.restore.quickbackup
import em_mock.families.restore.routes
import em_mock.families.restore.shapes
import em_mock.families.security.actions
import em_mock.families.security.data
import em_mock.families.security.fixtures
import em_mock.families.security.routes
import em_mock.families.security.shapes
