"""What connects a backup server and changes its credentials records and encryption
password keys.

Statuses follow each action's own documentation page: creating credentials answers 201
with the new ``CredentialsInfo``; creating a password key answers 202 with a ``Task``
(the key exists at once; the finished task links to it); edits and deletions answer 204.
Connecting a backup server answers 202 with a ``Task`` likewise; editing one (``PUT``)
204. Disconnecting one (``DELETE``) answers 204 only when nothing in the data refers to
it any more (no jobs, repositories, managed servers, sessions, ...); otherwise 409 with
an ``Error`` that names what still does, and nothing changes.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from em_mock.core.errors import EMError, bad_request
from em_mock.core.http.actions import spec_fields, task_node
from em_mock.core.http.deps import CurrentSession, RuntimeDep, WireDep, query_params
from em_mock.core.registry import LogonLink, register_logon_links, register_router
from em_mock.core.runtime import Runtime
from em_mock.families.infrastructure.model import (
    CREDENTIALS,
    PASSWORD_KEYS,
    SERVERS,
    BackupServer,
    Credentials,
    PasswordKey,
)
from em_mock.families.infrastructure.routes import (
    one_credentials,
    one_password_key,
    server_of,
)
from em_mock.families.infrastructure.shapes import credentials_info, credentials_path

router = register_router(APIRouter())

_CREDENTIALS_FIELDS = ("Username", "Description", "Password")
_PASSWORD_FIELDS = ("Hint", "Password")


async def _fields(request: Request, specs: tuple[str, ...], known: tuple[str, ...]
                  ) -> dict[str, str]:
    """The body's fields under any of the ``specs`` root names; unknown fields are a 400."""
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    fields: dict[str, str] = {}
    for i, spec in enumerate(specs):
        try:
            fields = spec_fields(body, content_type, spec)
            break
        except EMError as exc:
            if i == len(specs) - 1 or not exc.message.startswith("Expected a "):
                raise
    unknown = sorted(set(fields) - set(known) - {"Links", "Href", "Type", "Id", "ID",
                                                 "LastModificationDate"})
    if unknown:
        raise bad_request(f"The {specs[0]} has no field {unknown[0]!r} (known fields: "
                          f"{', '.join(known)}).")
    return fields


def _create_action(request: Request) -> None:
    action = query_params(request).get("action")
    if action is not None and action.lower() != "create":
        raise bad_request("Parameter action must be create (or left out).")


@router.post("/api/backupservers/{server_id}/credentials")
async def create_credentials(server_id: str, request: Request, _: CurrentSession,
                             rt: RuntimeDep, out: WireDep) -> Response:
    """Add a credentials record: 201 and the new ``CredentialsInfo``."""
    _create_action(request)
    server = server_of(rt, server_id)
    fields = await _fields(request, ("CredentialsInfoSpec", "CredentialsInfo"),
                           _CREDENTIALS_FIELDS)
    username = fields.get("Username", "").strip()
    if not username:
        raise bad_request("The CredentialsInfoSpec needs a Username.")
    made = Credentials(str(uuid.uuid4()), server, username, fields.get("Description", ""),
                       fields.get("Password", ""))
    CREDENTIALS.of(rt.store.data)[made.id] = made
    rt.store.changed()
    return out.send(credentials_info(made, out.ctx), 201,
                    {"Location": out.ctx.api(credentials_path(made))})


@router.put("/api/backupservers/{server_id}/credentials/{item_id}")
async def edit_credentials(server_id: str, item_id: str, request: Request, _: CurrentSession,
                           rt: RuntimeDep) -> Response:
    """Change a credentials record's user name, description or password: 204."""
    record = one_credentials(rt, server_id, item_id)
    fields = await _fields(request, ("CredentialsInfo", "CredentialsInfoSpec"),
                           _CREDENTIALS_FIELDS)
    if "Username" in fields and not fields["Username"].strip():
        raise bad_request("Username cannot be made empty.")
    record.username = fields.get("Username", record.username).strip()
    record.description = fields.get("Description", record.description)
    record.password = fields.get("Password", record.password)
    rt.store.changed()
    return Response(status_code=204)


@router.delete("/api/backupservers/{server_id}/credentials/{item_id}")
async def delete_credentials(server_id: str, item_id: str, _: CurrentSession,
                             rt: RuntimeDep) -> Response:
    """Remove a credentials record: 204."""
    record = one_credentials(rt, server_id, item_id)
    del CREDENTIALS.of(rt.store.data)[record.id]
    rt.store.changed()
    return Response(status_code=204)


@router.post("/api/backupservers/{server_id}/passwords")
async def create_password_key(server_id: str, request: Request, me: CurrentSession,
                              rt: RuntimeDep, out: WireDep) -> Response:
    """Add an encryption password: 202 and a ``Task`` that links to the new key."""
    _create_action(request)
    server = server_of(rt, server_id)
    fields = await _fields(request, ("PasswordKeyInfoSpec",), _PASSWORD_FIELDS)
    if not fields.get("Password"):
        raise bad_request("The PasswordKeyInfoSpec needs a Password.")
    now = rt.clock.now_ms()
    key = PasswordKey(str(uuid.uuid4()), server, fields.get("Hint", ""), now, fields["Password"])
    PASSWORD_KEYS.of(rt.store.data)[key.id] = key
    rt.store.changed()
    task = rt.simulation.task(me.id, "CreatePasswordKey", now, True,
                              f"Password key {key.id} created.",
                              ("PasswordKeyInfo", credentials_path(key)), key.hint)
    return out.send(task_node(task, out.ctx, now), 202)


@router.put("/api/backupservers/{server_id}/passwords/{item_id}")
async def edit_password_key(server_id: str, item_id: str, request: Request, _: CurrentSession,
                            rt: RuntimeDep) -> Response:
    """Change a password key's hint: 204."""
    key = one_password_key(rt, server_id, item_id)
    fields = await _fields(request, ("PasswordKeyInfoSpec", "PasswordKeyInfo"), ("Hint",))
    if "Hint" in fields:
        key.hint = fields["Hint"]
        key.modified_ms = rt.clock.now_ms()
        rt.store.changed()
    return Response(status_code=204)


@router.delete("/api/backupservers/{server_id}/passwords/{item_id}")
async def delete_password_key(server_id: str, item_id: str, _: CurrentSession,
                              rt: RuntimeDep) -> Response:
    """Remove an encryption password key: 204."""
    key = one_password_key(rt, server_id, item_id)
    del PASSWORD_KEYS.of(rt.store.data)[key.id]
    rt.store.changed()
    return Response(status_code=204)


_SERVER_SPEC = "BackupServerSpec"
_SERVER_REQUIRED = ("Description", "DnsNameOrIpAddress", "Port", "Username", "Password")
_SERVER_FIELDS = (*_SERVER_REQUIRED, "WcfPort", "VbrCertificateThumbprint")


def _port(fields: dict[str, str], key: str, default: int) -> int:
    raw = fields.get(key)
    if raw is None:
        return default
    if not raw.strip().isdigit() or not 0 < int(raw) < 65536:
        raise bad_request(f"{key} {raw!r} is not a port number (1-65535).")
    return int(raw)


@router.post("/api/backupservers")
async def add_backup_server(request: Request, me: CurrentSession, rt: RuntimeDep,
                            out: WireDep) -> Response:
    """Connect a backup server (``?action=create``): 202 and a ``Task`` that links to it.

    The server is there at once, with nothing on it yet; a server already connected
    under the same DNS name or address is a 400."""
    action = (query_params(request).get("action") or "").lower()
    if action != "create":
        raise bad_request("Parameter action must be create.")
    fields = await _fields(request, (_SERVER_SPEC,), _SERVER_FIELDS)
    missing = [key for key in _SERVER_REQUIRED if not fields.get(key, "").strip()]
    if missing:
        raise bad_request(f"The {_SERVER_SPEC} needs {', '.join(missing)}.")
    address = _checked_address(rt, fields, None)
    server = BackupServer(str(uuid.uuid4()), address, fields["Description"],
                          _port(fields, "Port", 9392), wcf_port=_port(fields, "WcfPort", 9405),
                          certificate_thumbprint=fields.get("VbrCertificateThumbprint", ""),
                          ip_or_dns_name=address)
    SERVERS.of(rt.store.data)[server.id] = server
    rt.store.changed()
    now = rt.clock.now_ms()
    task = rt.simulation.task(me.id, "CreateBackupServer", now, True,
                              f"Backup server {address} connected.",
                              ("BackupServer", f"backupServers/{server.id}"), server.name)
    return out.send(task_node(task, out.ctx, now), 202)


def _checked_address(rt: Runtime, fields: dict[str, str], server: BackupServer | None) -> str:
    """The spec's ``DnsNameOrIpAddress``: required, and no other server's."""
    address = fields.get("DnsNameOrIpAddress", "").strip()
    if not address:
        raise bad_request(f"The {_SERVER_SPEC} needs DnsNameOrIpAddress.")
    if any(c.isspace() or not c.isprintable() for c in address):
        raise bad_request(f"DnsNameOrIpAddress {address!r} is not a DNS name or an address.")
    if any(s is not server and address.lower() in (s.ip_or_dns_name.lower(), s.name.lower())
           for s in SERVERS.of(rt.store.data).values()):
        raise bad_request(f"The backup server {address!r} is already connected.")
    return address


@router.put("/api/backupservers/{server_id}")
async def edit_backup_server(server_id: str, request: Request, _: CurrentSession,
                             rt: RuntimeDep) -> Response:
    """Change a backup server's address, description, ports or thumbprint: 204.

    ``DnsNameOrIpAddress`` is required (and becomes the server's name, as on connecting);
    the credentials fields are accepted and not kept. Nothing changes on a 400."""
    server = server_of(rt, server_id)
    fields = await _fields(request, (_SERVER_SPEC,), _SERVER_FIELDS)
    address = _checked_address(rt, fields, server)
    port = _port(fields, "Port", server.port)
    wcf_port = _port(fields, "WcfPort", server.wcf_port)
    server.name = server.ip_or_dns_name = address
    server.port, server.wcf_port = port, wcf_port
    server.description = fields.get("Description", server.description)
    server.certificate_thumbprint = fields.get("VbrCertificateThumbprint",
                                               server.certificate_thumbprint)
    rt.store.changed()
    return Response(status_code=204)


def _refers_to(row: Any, server: BackupServer) -> bool:
    if getattr(row, "backup_server", None) is server:
        return True
    return dataclasses.is_dataclass(row) and any(
        getattr(row, f.name, None) is server for f in dataclasses.fields(row))


def dependants(rt: Runtime, server: BackupServer) -> list[str]:
    """The tables of the data that hold something referring to ``server``."""
    return [name.replace("_", " ") for name, rows in rt.store.data.tables.items()
            if any(row is not server and _refers_to(row, server) for row in rows.values())]


@router.delete("/api/backupservers/{server_id}")
async def delete_backup_server(server_id: str, _: CurrentSession, rt: RuntimeDep) -> Response:
    """Disconnect a backup server that nothing refers to: 204; otherwise 409."""
    server = server_of(rt, server_id)
    held = dependants(rt, server)
    if held:
        raise EMError(409, f"The backup server {server.name!r} still has {', '.join(held)}: "
                           "em-mock disconnects only a server nothing refers to.")
    del SERVERS.of(rt.store.data)[server.id]
    rt.store.changed()
    return Response(status_code=204)


# The real server offers this as a Create link of the logon session, after the two
# collections' entity links.
register_logon_links(LogonLink(360, "backupServers?action=create", None, rel="Create"))
