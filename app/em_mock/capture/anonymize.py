"""``--anonymize``: the captured document with what names the environment replaced.

Replaced, consistently (the same input always gives the same stand-in, in every section
and in the recorded answers' bodies, so links, references and filters still line up):

- every free-text string: names, host names, user, tenant and account names,
  descriptions, hints, paths, messages, e-mail addresses, URLs' host names;
- IP addresses (by stand-ins in 10.0.0.0/8), host names (``host-N.example.invalid``);
- GUIDs, wherever they stand (bare, inside URNs, in hrefs and paths), by other GUIDs;
- hex strings (thumbprints, hashes) by other hex strings of the same length.

Kept: numbers (sizes, counts, ports), booleans, times, version numbers, and the API's own
vocabulary (enum values: one CamelCase word with no digits, such as ``WindowsLocal``, or
one word under a key naming a type, kind, state, result, status or mode;
``urn:veeam:<Type>:`` prefixes; the API paths of links).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
from typing import Any

from lxml import etree

from em_mock.core.ids import ONE_GUID_KINDS, derived_id
from em_mock.core.times import parse_instant_ms

__all__ = ["Anonymizer", "anonymize"]

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12}")
_ENUM = re.compile(r"^[A-Z][A-Za-z]*$|^[a-z]+[A-Z][A-Za-z]*$")
_VERSION = re.compile(r"^v?\d+(\.\d+)+$|^v\d+_\d+$|^\d+$")
_HEX = re.compile(r"^[0-9A-Fa-f]{16,}$")
_URL = re.compile(r"^(https?)://([^/:?#\[\]]+|\[[0-9A-Fa-f:.]+\])(:\d+)?(/[^?#]*)?(\?[^#]*)?$")
_URN = re.compile(r"^urn:veeam:([A-Za-z]+):(.*)$")
_HOST = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
# Keys whose values are the environment's words whatever their shape ("Administrator").
_FREE_TEXT = re.compile(r"(Name|Description|Path|Message|Hint|Title|Username|User|Email|"
                        r"Login|Account|Host|Address|Comment|Reason|Note|Text|Server)$",
                        re.IGNORECASE)
# Keys whose one-word values are the API's vocabulary ("AmazonS3Compatible", "ESXi").
_ENUM_KEY = re.compile(r"(Type|Kind|State|Result|Status|Mode|Platform|Rel)$")
_WORD = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


class Anonymizer:
    """Stand-ins keyed by the original value; one instance per capture."""

    def __init__(self, secret: str = "em-mock") -> None:
        self.secret = secret
        self.strings: dict[str, str] = {}
        self.counts: dict[str, int] = {}
        # An id em-mock derives from another item's GUID -> (its kind, that GUID).
        self.derived: dict[str, tuple[str, str]] = {}

    def learn_derived(self, value: Any, key: str = "") -> None:
        """Note the ids derived from every item's own GUID in ``value`` (``UID``, ``Id``,
        ``ID``), so a reference to one is re-derived from the stand-in of its source and
        still names the same item once em-mock loads the document."""
        if isinstance(value, dict):
            for k, v in value.items():
                self.learn_derived(v, k)
        elif isinstance(value, list):
            for v in value:
                self.learn_derived(v, key)
        elif isinstance(value, str) and key in ("UID", "Id", "ID"):
            for source in _GUID.findall(value):
                for kind in ONE_GUID_KINDS:
                    self.derived[derived_id(kind, source.lower())] = (kind, source.lower())

    def _digest(self, text: str) -> bytes:
        return hashlib.sha256(f"{self.secret}\0{text}".encode()).digest()

    def guid(self, guid: str) -> str:
        """Another GUID for ``guid`` (any case gives the same, in the input's case)."""
        derived = self.derived.get(guid.lower())
        if derived is not None:
            made = derived_id(derived[0], self.guid(derived[1]))
            return made.upper() if guid.isupper() else made
        h = self._digest(guid.lower()).hex()
        out = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"
        return out.upper() if guid.isupper() else out

    def guids(self, text: str) -> str:
        """``text`` with every GUID in it remapped."""
        return _GUID.sub(lambda m: self.guid(m.group(0)), text)

    def _stand_in(self, kind: str, text: str) -> str:
        known = self.strings.get(text)
        if known is not None:
            return known
        n = self.counts[kind] = self.counts.get(kind, 0) + 1
        if kind == "ip":
            address = ipaddress.ip_address(text)
            made = str(ipaddress.ip_address(0x0A000000 + n)) if address.version == 4 \
                else f"fd00::{n:x}"
        elif kind == "host":
            made = f"host-{n}.example.invalid"
        elif kind == "email":
            made = f"user-{n}@example.invalid"
        elif kind == "path":
            made = f"/path-{n}"
        elif kind == "account":
            made = f"DOMAIN\\user-{n}"
        elif kind == "hex":
            made = self._digest(text).hex()[:len(text)]
            made = made.upper() if text.isupper() else made
        else:
            made = f"text-{n}"
        self.strings[text] = made
        return made

    def url(self, match: re.Match[str]) -> str:
        scheme, host, port, path, query = match.groups()
        host = self.text(host) if host and not host.startswith("[") else host
        return (f"{scheme}://{host}{port or ''}{self.guids(path or '')}"
                f"{self.guids(query or '')}")

    def text(self, value: str, key: str = "") -> str:
        """The stand-in of one string value (kept when it is vocabulary, a time, a
        number or a version; a value under a free-text key such as ``Name`` is never
        taken for vocabulary)."""
        if not value:
            return value
        try:
            ipaddress.ip_address(value)
            return self._stand_in("ip", value)
        except ValueError:
            pass
        if (_ENUM.match(value) or _VERSION.match(value)) and not _FREE_TEXT.search(key):
            return value
        if _ENUM_KEY.search(key) and _WORD.match(value):
            return value
        if parse_instant_ms(value) is not None and any(c.isdigit() for c in value):
            return value
        if (url := _URL.match(value)) is not None:
            return self.url(url)
        if (urn := _URN.match(value)) is not None:
            return f"urn:veeam:{urn.group(1)}:{self.guids(urn.group(2))}" \
                if _GUID.search(urn.group(2)) else f"urn:veeam:{urn.group(1)}:" \
                + self.text(urn.group(2))
        if _GUID.fullmatch(value):
            return self.guid(value)
        if _HEX.match(value):
            return self._stand_in("hex", value)
        if _EMAIL.match(value):
            return self._stand_in("email", value)
        if _HOST.match(value) and " " not in value:
            return self._stand_in("host", value.lower()) if value.lower() in self.strings \
                else self._host(value)
        if value.startswith(("/", "\\\\")) or re.match(r"^[A-Za-z]:\\|^[a-z0-9]+://", value):
            return self._stand_in("path", value)
        if re.match(r"^[^\\\s]+\\[^\\\s]+$", value):
            return self._stand_in("account", value)
        return self._stand_in("text", value)

    def _host(self, value: str) -> str:
        made = self._stand_in("host", value)
        # The short name of a host is the same host: it gets the stand-in's short name.
        short = value.split(".", 1)[0]
        self.strings.setdefault(short, made.split(".", 1)[0])
        return made

    def tree(self, value: Any, key: str = "") -> Any:
        """Every string of a JSON value replaced (keys kept)."""
        if isinstance(value, str):
            return self.text(value, key)
        if isinstance(value, list):
            return [self.tree(v, key) for v in value]
        if isinstance(value, dict):
            return {k: self.tree(v, k) for k, v in value.items()}
        return value

    def body(self, body: str, content_type: str) -> str:
        """A recorded answer's body: its JSON values or XML texts and attributes replaced
        (other text: only the GUIDs and known strings in it)."""
        kind = content_type.lower()
        if "json" in kind:
            try:
                return json.dumps(self.tree(json.loads(body)), ensure_ascii=False,
                                  separators=(",", ":"))
            except ValueError:
                pass
        if "xml" in kind:
            try:
                parser = etree.XMLParser(resolve_entities=False, no_network=True)
                root = etree.fromstring(body.encode("utf-8"), parser)
            except etree.XMLSyntaxError:
                pass
            else:
                for element in root.iter():
                    if isinstance(element.tag, str):
                        tag = etree.QName(element).localname
                        if element.text and element.text.strip():
                            element.text = self.text(element.text, tag)
                        for name, attr in element.attrib.items():
                            key, value = str(name), str(attr)
                            if not key.startswith("{"):
                                element.attrib[key] = self.text(value, key)
                return etree.tostring(root, xml_declaration=body.startswith("<?xml"),
                                      encoding="utf-8").decode("utf-8")
        return self.known(body)

    def known(self, text: str) -> str:
        """``text`` with every string seen so far, and every GUID, replaced."""
        text = self.guids(text)
        for original in sorted(self.strings, key=len, reverse=True):
            if len(original) > 3:
                text = text.replace(original, self.strings[original])
        return text


_KEEP_SECTIONS = frozenset({"Format", "Anchor"})


def anonymize(doc: dict[str, Any], secret: str = "em-mock") -> dict[str, Any]:
    """The captured document with the environment's strings replaced (see the module)."""
    anon = Anonymizer(secret)
    anon.learn_derived({k: v for k, v in doc.items() if k not in _KEEP_SECTIONS})
    out: dict[str, Any] = {}
    recorded = None
    for key, value in doc.items():
        if key in _KEEP_SECTIONS:
            out[key] = value
        elif key == "RecordedAnswers":
            recorded = value
        else:
            out[key] = anon.tree(value)
    if recorded is not None:
        answers = []
        for item in recorded:
            item = dict(item)
            item["Path"] = anon.guids(item.get("Path", ""))
            if item.get("BaseUrl"):
                match = _URL.match(item["BaseUrl"])
                item["BaseUrl"] = anon.url(match) if match else item["BaseUrl"]
            for fmt in ("Xml", "Json"):
                capture = item.get(fmt)
                if isinstance(capture, dict) and isinstance(capture.get("Body"), str):
                    capture = dict(capture)
                    capture["Body"] = anon.body(capture["Body"], capture.get("ContentType", ""))
                    item[fmt] = capture
            answers.append(item)
        out["RecordedAnswers"] = answers
    return out
