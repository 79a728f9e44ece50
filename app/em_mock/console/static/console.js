// em-mock console: a plain-JavaScript client of the EM API (/api/) and the control API (/mock/).
"use strict";

(() => {
  // ------------------------------------------------------------------ set-up
  const meta = (name) => {
    const node = document.querySelector(`meta[name="${name}"]`);
    return node ? node.getAttribute("content") || "" : "";
  };
  const MOCK = meta("em-mock-base").startsWith("__") ? "/mock" : meta("em-mock-base");
  let controlToken = meta("em-mock-token");
  if (controlToken.startsWith("__EM_MOCK")) controlToken = "";
  // The token came once in the address; keep it out of the address bar and history.
  if (new URLSearchParams(location.search).has("token")) {
    const url = new URL(location.href);
    url.searchParams.delete("token");
    history.replaceState(null, "", url.pathname + url.search + url.hash);
  }

  const POLL_MS = 2000;
  const LIVE_SESSIONS = "type=CloudFailoverSession&format=Entities&sortDesc=CreationTime&pageSize=20";
  const LIVE_RUNNING = "type=CloudFailoverSession&format=Entities&filter=" +
    encodeURIComponent("State!=Stopped") + "&pageSize=200";
  const LIVE_PLANS = "type=CloudFailoverPlan&format=Entities&sortAsc=Name&pageSize=200";
  const LIVE_QUERIES = [LIVE_SESSIONS, LIVE_RUNNING, LIVE_PLANS];
  const LINK_LIMIT = 300;
  const REASONS = {
    200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 400: "Bad Request",
    401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    413: "Payload Too Large", 414: "URI Too Long", 429: "Too Many Requests",
    431: "Request Header Fields Too Large", 500: "Internal Server Error", 502: "Bad Gateway",
    503: "Service Unavailable", 504: "Gateway Timeout",
  };
  const XML_SPEC = '<CloudFailoverPlanManagementSpec xmlns="http://www.veeam.com/ent/v1.0">' +
    "<StartNow>true</StartNow></CloudFailoverPlanManagementSpec>";

  const state = {
    token: null, sessionUrl: null, user: null, renew: null, relogon: null,
    history: [], current: null, view: "browser", browseTicket: 0, queryTicket: 0,
    registry: [], pageLinks: {},
    busy: { dashboard: false, live: false, journal: false, faults: false, clock: false, recorded: false },
    refreshProblem: false, dashProblem: false, dashAccount: null, dashAgain: false,
    dashRefreshes: 0,
  };

  const $ = (id) => document.getElementById(id);

  /** Build an element: h("td", {class: "x", text: "y"}, child, ...). */
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key === "data") Object.assign(node.dataset, value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function say(id, text, kind) {
    const node = $(id);
    node.textContent = text || "";
    node.className = "message" + (kind ? " " + kind : "");
  }

  function reason(status) { return REASONS[status] || ""; }
  /** An EM date-time for a table: a space for the T, whole seconds. */
  function when(text) {
    return text ? String(text).replace("T", " ").replace(/\.\d+(?=Z|$)/, "") : "—";
  }

  /** Same-origin URL for an EM Href (Hrefs may name another host with --public-url). */
  function local(href) {
    const url = new URL(href, location.href);
    if (url.origin !== location.origin && /^\/api(\/|$)/i.test(url.pathname)) {
      return location.origin + url.pathname + url.search;
    }
    return url.href;
  }

  function pathOf(href) {
    const url = new URL(href, location.href);
    return url.origin === location.origin ? url.pathname + url.search : url.href;
  }

  function isApiUrl(text) {
    return typeof text === "string" && /^https?:\/\/[^/\s]+\/api(\/|\?|$)/i.test(text);
  }

  function basic(user, password) {
    const bytes = new TextEncoder().encode(`${user}:${password}`);
    let binary = "";
    for (const b of bytes) binary += String.fromCharCode(b);
    return "Basic " + btoa(binary);
  }

  // ------------------------------------------------------------------ HTTP
  class ControlError extends Error {}

  /** A control call (JSON both ways); throws ControlError with the server's reasons. */
  async function control(method, path, body) {
    const headers = { Accept: "application/json" };
    if (controlToken) headers["X-Mock-Token"] = controlToken;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(MOCK + path, {
        method, headers, cache: "no-store", credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new ControlError(`The control API did not answer (${err.message}).`);
    }
    const text = await response.text();
    let data = null;
    if (text) {
      try { data = JSON.parse(text); } catch (err) { data = text; }
    }
    if (!response.ok) {
      let message = `${response.status} ${reason(response.status)}`;
      if (data && typeof data === "object" && data.error) {
        message = data.error + (data.errors && data.errors.length ? " " + data.errors.join("; ") : "");
      }
      throw new ControlError(message);
    }
    return data;
  }

  /**
   * An EM API call. Resolves to an exchange: what was sent and what came back (never throws).
   * With a remembered logon, a 401 (session ended by reset or expiry) logs on again once.
   */
  async function em(method, url, options = {}) {
    const { accept = "json", body = null, contentType = null, auth = null, retry = true } = options;
    const headers = { Accept: accept === "json" ? "application/json" : "application/xml" };
    if (auth) headers.Authorization = auth;
    else if (state.token) headers["X-RestSvcSessionId"] = state.token;
    if (body !== null) headers["Content-Type"] = contentType || "application/json";
    const target = local(url);
    const exchange = {
      method, url: target, requestHeaders: headers, requestBody: body, status: 0,
      statusText: "", headers: null, text: null, data: null, failure: null, ms: 0,
    };
    const started = performance.now();
    let response;
    try {
      response = await fetch(target, {
        method, headers, body: body === null ? undefined : body, credentials: "omit",
        cache: "no-store", redirect: "manual",
      });
    } catch (err) {
      exchange.failure = "The connection was closed without an answer (a dropped connection).";
      exchange.ms = performance.now() - started;
      return exchange;
    }
    exchange.status = response.status;
    exchange.statusText = response.statusText || reason(response.status);
    exchange.headers = response.headers;
    try {
      exchange.text = await response.text();
    } catch (err) {
      exchange.failure = "The answer stopped half-way (a truncated body).";
    }
    exchange.ms = performance.now() - started;
    const type = response.headers.get("content-type") || "";
    if (exchange.text && type.includes("json")) {
      try { exchange.data = JSON.parse(exchange.text.replace(/^\uFEFF/, "")); } catch (err) {
        exchange.failure = exchange.failure || "The JSON body does not parse.";
      }
    }
    if (response.status === 401 && retry && !auth && state.renew) {
      // Calls made together share one new logon; a token already renewed is just used.
      if (headers["X-RestSvcSessionId"] && headers["X-RestSvcSessionId"] !== state.token &&
          state.token) {
        return em(method, url, { ...options, retry: false });
      }
      if (!state.relogon) {
        state.relogon = state.renew(accept).finally(() => { state.relogon = null; });
      }
      const again = await state.relogon;
      if (again.status === 201) {
        note(`The EM session had ended; the console logged on again as ${state.user}.`);
        return em(method, url, { ...options, retry: false });
      }
    }
    return exchange;
  }

  function errorMessage(exchange) {
    if (exchange.failure) return exchange.failure;
    const data = exchange.data;
    if (data && typeof data === "object" && typeof data.Message === "string") return data.Message;
    if (exchange.text && exchange.text.includes("<Error")) {
      const doc = new DOMParser().parseFromString(exchange.text, "application/xml");
      const root = doc.documentElement;
      if (root && root.getAttribute("Message")) return root.getAttribute("Message");
    }
    return `${exchange.status} ${exchange.statusText}`;
  }

  let noteTimer = null;
  function note(text) {
    say("notice", text, "info");
    clearTimeout(noteTimer);
    noteTimer = setTimeout(() => say("notice", ""), 10000);
  }

  // ------------------------------------------------------------------ logon
  async function logon(user, password, accept) {
    const exchange = await em("POST", "/api/sessionMngr/?v=latest",
      { accept, auth: basic(user, password) });
    if (exchange.status === 201 && exchange.headers) {
      state.token = exchange.headers.get("X-RestSvcSessionId");
      state.sessionUrl = exchange.headers.get("Location");
      state.user = user;
      state.renew = (again) => logon(user, password, again);
    }
    showSession();
    return exchange;
  }

  /** Log the first configured account on through the control API (the dashboard's
   *  logon: the server hands out a session, never the password). */
  async function consoleLogon() {
    let session;
    try {
      session = await control("POST", "/console/logon");
    } catch (err) {
      return { status: 0, failure: err.message };
    }
    state.token = session.token;
    state.sessionUrl = session.sessionUrl;
    state.user = session.user;
    state.renew = () => consoleLogon();
    showSession();
    return { status: 201, user: session.user };
  }

  function showSession() {
    $("session-status").textContent = state.token
      ? `logged on as ${state.user}` : "not logged on";
    $("logoff").disabled = !state.token;
  }

  // ------------------------------------------------------------------ API browser
  function format() {
    const checked = document.querySelector('input[name="format"]:checked');
    return checked ? checked.value : "xml";
  }

  function methodFor(rel) {
    const r = (rel || "").toLowerCase();
    if (r === "delete") return "DELETE";
    if (r === "create" || r === "start" || r === "test" || r === "undo") return "POST";
    return "GET";
  }

  /** Send a request from the browser view and show the whole exchange. */
  async function browse(method, url, body, remember = true) {
    const ticket = ++state.browseTicket;
    const isLogon = method === "POST" && /\/api\/sessionmngr/i.test(pathOf(url));
    $("req-method").value = method;
    $("req-url").value = pathOf(url);
    $("req-body").value = body || "";
    toggleBody();
    let exchange;
    if (isLogon) {
      exchange = await logon($("logon-user").value, $("logon-password").value, format());
    } else {
      const contentType = body ? (body.trim().startsWith("<") ? "application/xml"
        : "application/json") : null;
      exchange = await em(method, url, { accept: format(), body: body || null, contentType });
      if (method === "DELETE" && state.sessionUrl && exchange.status === 204 &&
          pathOf(url).toLowerCase() === pathOf(state.sessionUrl).toLowerCase()) {
        forgetSession();
      }
    }
    if (remember && method === "GET") {
      if (state.current && state.current.method === "GET") state.history.push(state.current);
      state.current = { method, url };
    } else if (remember) {
      state.current = { method, url };
    }
    $("back").disabled = state.history.length === 0;
    // Only the newest request's answer is shown, whatever order the answers arrive in.
    if (ticket === state.browseTicket) showExchange(exchange);
    return exchange;
  }

  function forgetSession() {
    state.token = null;
    state.sessionUrl = null;
    state.renew = null;
    showSession();
  }

  function showExchange(x) {
    const requestLines = [`${x.method} ${pathOf(x.url)} HTTP/1.1`, `Host: ${location.host}`];
    for (const [key, value] of Object.entries(x.requestHeaders)) requestLines.push(`${key}: ${value}`);
    if (x.requestBody) requestLines.push("", x.requestBody);
    $("req-raw").textContent = requestLines.join("\n");

    const head = [];
    if (x.status) {
      head.push(`HTTP/1.1 ${x.status} ${x.statusText}`);
      for (const [key, value] of x.headers.entries()) head.push(`${key}: ${value}`);
    }
    if (x.failure) head.push(x.status ? "" : "(no status line)", `Problem: ${x.failure}`);
    if (x.status >= 400) head.push("", `Error: ${errorMessage(x)}`);
    head.push("", `(${x.ms.toFixed(0)} ms)`);
    $("resp-head").textContent = head.join("\n");
    $("resp-head").classList.toggle("failed", x.status >= 400 || Boolean(x.failure));

    const body = $("resp-body");
    body.replaceChildren();
    const links = [];
    const type = x.headers ? x.headers.get("content-type") || "" : "";
    if (!x.text) {
      $("body-kind").textContent = "(empty)";
      body.textContent = x.status === 204 ? "(no body: 204 No Content)" : "(no body)";
    } else if (type.includes("json") && x.data !== null) {
      $("body-kind").textContent = "(JSON)";
      renderJson(x.data, body, 0);
      collectJsonLinks(x.data, links, true);
    } else if (type.includes("xml")) {
      $("body-kind").textContent = "(XML)";
      const doc = new DOMParser().parseFromString(x.text, "application/xml");
      if (doc.getElementsByTagName("parsererror").length) {
        body.textContent = x.text;
      } else {
        renderXml(doc.documentElement, body, 0);
        collectXmlLinks(doc.documentElement, links);
      }
    } else {
      $("body-kind").textContent = `(${type || "unknown type"})`;
      body.textContent = x.text;
    }
    showLinks(links);
  }

  function collectJsonLinks(value, out, root) {
    if (Array.isArray(value)) {
      for (const item of value) collectJsonLinks(item, out, false);
    } else if (value && typeof value === "object") {
      if (typeof value.Href === "string") {
        out.push({ rel: value.Rel || (root ? "Self" : "Item"), href: value.Href,
          name: value.Name || "", type: value.Type || "" });
      }
      for (const [key, item] of Object.entries(value)) {
        if (key !== "Href") collectJsonLinks(item, out, false);
      }
    }
  }

  function collectXmlLinks(root, out) {
    const walk = (el) => {
      if (el.hasAttribute("Href")) {
        out.push({ rel: el.getAttribute("Rel") || (el === root ? "Self" : "Item"),
          href: el.getAttribute("Href"), name: el.getAttribute("Name") || "",
          type: el.getAttribute("Type") || "" });
      }
      for (const child of el.children) walk(child);
    };
    walk(root);
  }

  function showLinks(links) {
    const list = $("links");
    list.replaceChildren();
    if (!links.length) {
      list.append(h("li", { class: "muted", text: "This representation has no links." }));
      return;
    }
    for (const link of links.slice(0, LINK_LIMIT)) {
      const method = methodFor(link.rel);
      const verb = method === "GET" ? link.rel
        : link.rel.toUpperCase() === method ? method : `${method} ${link.rel}`;
      const label = verb + (link.type ? `: ${link.type}` : "");
      list.append(h("li", {},
        h("button", { type: "button", class: "follow" + (method === "GET" ? "" : " unsafe"),
          onclick: () => followLink(link, method) }, label),
        link.name ? h("span", { class: "lname", text: link.name }) : null,
        h("code", { class: "lhref", text: pathOf(link.href) })));
    }
    if (links.length > LINK_LIMIT) {
      list.append(h("li", { class: "muted",
        text: `…and ${links.length - LINK_LIMIT} more links (in the body).` }));
    }
  }

  function followLink(link, method) {
    const rel = link.rel.toLowerCase();
    let body = null;
    if (rel === "start" || rel === "test" || rel === "undo") {
      body = format() === "json" ? '{"StartNow": true}' : XML_SPEC;
    }
    return browse(method, link.href, body);
  }

  function text(parent, value, cls) {
    parent.append(cls ? h("span", { class: cls, text: value }) : document.createTextNode(value));
  }

  function anchor(parent, label, href) {
    parent.append(h("a", { href: local(href), class: "href", onclick: (event) => {
      event.preventDefault();
      browse("GET", href);
    } }, label));
  }

  function renderJson(value, out, depth) {
    const pad = "  ".repeat(depth);
    if (value === null) {
      text(out, "null", "j-null");
    } else if (Array.isArray(value)) {
      if (!value.length) { text(out, "[]"); return; }
      text(out, "[\n");
      value.forEach((item, i) => {
        text(out, pad + "  ");
        renderJson(item, out, depth + 1);
        text(out, i < value.length - 1 ? ",\n" : "\n");
      });
      text(out, pad + "]");
    } else if (typeof value === "object") {
      const entries = Object.entries(value);
      if (!entries.length) { text(out, "{}"); return; }
      text(out, "{\n");
      entries.forEach(([key, item], i) => {
        text(out, pad + "  ");
        text(out, JSON.stringify(key), "j-key");
        text(out, ": ");
        renderJson(item, out, depth + 1);
        text(out, i < entries.length - 1 ? ",\n" : "\n");
      });
      text(out, pad + "}");
    } else if (isApiUrl(value)) {
      anchor(out, JSON.stringify(value), value);
    } else if (typeof value === "string") {
      text(out, JSON.stringify(value), "j-str");
    } else {
      text(out, String(value), "j-num");
    }
  }

  function escapeXml(value) {
    return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
  }

  function renderXml(el, out, depth) {
    const pad = "  ".repeat(depth);
    text(out, pad + "<");
    text(out, el.nodeName, "x-tag");
    for (const attr of el.attributes) {
      text(out, " ");
      text(out, attr.name, "x-attr");
      text(out, '="');
      if (attr.name === "Href" && isApiUrl(attr.value)) anchor(out, escapeXml(attr.value), attr.value);
      else text(out, escapeXml(attr.value), "x-val");
      text(out, '"');
    }
    const kids = [...el.childNodes].filter((n) => n.nodeType === Node.ELEMENT_NODE ||
      (n.nodeType === Node.TEXT_NODE && n.nodeValue.trim()));
    if (!kids.length) { text(out, "/>\n"); return; }
    if (kids.length === 1 && kids[0].nodeType === Node.TEXT_NODE) {
      text(out, ">");
      const value = kids[0].nodeValue;
      if (isApiUrl(value.trim())) anchor(out, escapeXml(value), value.trim());
      else text(out, escapeXml(value), "x-text");
      text(out, "</");
      text(out, el.nodeName, "x-tag");
      text(out, ">\n");
      return;
    }
    text(out, ">\n");
    for (const kid of kids) {
      if (kid.nodeType === Node.ELEMENT_NODE) renderXml(kid, out, depth + 1);
      else text(out, pad + "  " + escapeXml(kid.nodeValue.trim()) + "\n", "x-text");
    }
    text(out, pad + "</");
    text(out, el.nodeName, "x-tag");
    text(out, ">\n");
  }

  function toggleBody() {
    const method = $("req-method").value;
    $("req-body-label").hidden = method === "GET" || method === "DELETE";
  }

  // ------------------------------------------------------------------ query builder
  async function loadRegistry() {
    try {
      const data = await control("GET", "/registry");
      state.registry = data.types;
    } catch (err) {
      say("q-filter-error", `The query types could not be loaded: ${err.message}`);
      return;
    }
    const select = $("q-type");
    select.replaceChildren(...state.registry.map((t) => h("option", { value: t.name, text: t.name })));
    select.value = state.registry.some((t) => t.name === "CloudFailoverSession")
      ? "CloudFailoverSession" : state.registry[0].name;
    typeChanged();
  }

  function currentType() {
    return state.registry.find((t) => t.name === $("q-type").value);
  }

  function typeChanged() {
    const qtype = currentType();
    if (!qtype) return;
    const sort = $("q-sort");
    const previous = sort.value;
    sort.replaceChildren(h("option", { value: "", text: "(creation order)" }),
      ...qtype.fields.map((f) => h("option", { value: f.name, text: f.name })));
    sort.value = qtype.fields.some((f) => f.name === previous) ? previous
      : (qtype.fields.some((f) => f.name === "CreationTime") ? "CreationTime" : "");
    $("q-fields-type").textContent = qtype.name;
    $("q-fields-body").replaceChildren(...qtype.fields.map((f) => h("tr", {},
      h("th", { scope: "row" }, h("code", { text: f.name })),
      h("td", { text: f.kind }),
      h("td", { text: f.values.length ? f.values.join(", ") : "—" }))));
    clearFilterError();
  }

  function clearFilterError() {
    $("q-filter-error").textContent = "";
    $("q-filter").removeAttribute("aria-invalid");
  }

  function queryUrl() {
    const params = new URLSearchParams();
    params.set("type", $("q-type").value);
    params.set("format", $("q-format").value);
    const filter = $("q-filter").value.trim();
    if (filter) params.set("filter", filter);
    const sort = $("q-sort").value;
    if (sort) params.set($("q-dir").value === "asc" ? "sortAsc" : "sortDesc", sort);
    params.set("pageSize", $("q-size").value || "10");
    return "/api/query?" + params.toString();
  }

  async function runQuery(url) {
    if (!state.token && !state.renew) {
      say("q-filter-error", "Log on first (API browser): the query service needs an EM session.");
      return;
    }
    const ticket = ++state.queryTicket;
    $("q-request").textContent = `GET ${pathOf(local(url))}`;
    const exchange = await em("GET", url, { accept: "json" });
    if (ticket !== state.queryTicket) return;  // a newer query is on its way
    const table = $("q-table");
    if (exchange.status !== 200 || !exchange.data) {
      const message = errorMessage(exchange);
      $("q-filter-error").textContent = `${exchange.status || "No answer"}: ${message}`;
      if (/filter/i.test(message)) $("q-filter").setAttribute("aria-invalid", "true");
      table.tHead.replaceChildren();
      table.tBodies[0].replaceChildren();
      $("q-page").textContent = "No results: the server refused the query.";
      setPaging({});
      return;
    }
    clearFilterError();
    const data = exchange.data;
    const paging = data.PagingInfo || {};
    const links = {};
    for (const link of paging.Links || []) links[link.Rel] = link.Href;
    setPaging(links);
    let rows;
    if (data.Refs) {
      rows = data.Refs.Refs || [];
    } else {
      const qtype = state.registry.find((t) => url.toLowerCase().includes(
        `type=${t.name.toLowerCase()}`)) || currentType();
      const group = data.Entities && data.Entities[qtype.plural];
      rows = group ? group[qtype.plural] || [] : [];
    }
    $("q-page").textContent = `Page ${paging.PageNum} of ${Math.max(paging.PagesCount, 1)}` +
      ` (${rows.length} on this page, page size ${paging.PageSize})`;
    fillResultTable(table, rows);
  }

  function setPaging(links) {
    state.pageLinks = links;
    for (const id of ["q-first", "q-prev", "q-next", "q-last"]) {
      const button = $(id);
      button.disabled = !links[button.dataset.rel];
    }
  }

  function fillResultTable(table, rows) {
    const skip = new Set(["Href", "Type", "Name"]);
    const columns = [];
    for (const row of rows) {
      for (const [key, value] of Object.entries(row)) {
        if (skip.has(key) || columns.includes(key)) continue;
        if (value !== null && typeof value === "object") continue;
        columns.push(key);
      }
    }
    const used = columns.filter((c) => rows.some((r) => r[c] !== null && r[c] !== undefined));
    used.sort((a, b) => (a === "UID") - (b === "UID"));
    table.tHead.replaceChildren(h("tr", {}, h("th", { scope: "col", text: "Name" }),
      ...used.map((c) => h("th", { scope: "col", text: c }))));
    const body = table.tBodies[0];
    if (!rows.length) {
      body.replaceChildren(h("tr", {}, h("td", { colspan: used.length + 1, text: "No matches." })));
      return;
    }
    body.replaceChildren(...rows.map((row) => h("tr", {},
      h("th", { scope: "row" }, row.Href
        ? h("button", { type: "button", class: "linkish", title: "Open in the API browser",
          onclick: () => { location.hash = "#browser"; browse("GET", row.Href); } },
        row.Name || row.UID || "(open)")
        : (row.Name || "")),
      ...used.map((c) => h("td", { class: c === "UID" ? "mono small" : "",
        text: c.endsWith("UTC") ? when(row[c]) : (row[c] === null ? "—" : String(row[c])) })))));
  }

  /**
   * Let each cell of a row-per-card table name its column (shown on narrow screens), and
   * keep the table's roles for assistive technology when CSS turns rows into blocks.
   */
  function labelCells(table) {
    const heads = [...table.tHead.rows[0].cells];
    table.setAttribute("role", "table");
    for (const group of [table.tHead, ...table.tBodies]) group.setAttribute("role", "rowgroup");
    table.tHead.rows[0].setAttribute("role", "row");
    for (const th of heads) th.setAttribute("role", "columnheader");
    for (const row of table.tBodies[0].rows) {
      row.setAttribute("role", "row");
      [...row.cells].forEach((cell, i) => {
        cell.setAttribute("role", cell.tagName === "TH" ? "rowheader" : "cell");
        if (row.cells.length === heads.length) cell.dataset.label = heads[i].textContent.trim();
      });
    }
  }

  // ------------------------------------------------------------------ live view
  function entities(exchange, plural) {
    const group = exchange.data && exchange.data.Entities && exchange.data.Entities[plural];
    return group ? group[plural] || [] : [];
  }

  function progressCell(value, label) {
    const percent = Number(value) || 0;
    return h("td", { class: "progress" },
      h("progress", { max: "100", value: String(percent), "aria-hidden": "true" }),
      h("span", { text: `${percent} %`, "aria-label": `${label}: ${percent} percent` }));
  }

  function stateBadge(value) {
    return h("span", { class: `badge s-${String(value).toLowerCase()}`, text: value });
  }

  async function refreshLive() {
    if (state.busy.live) return;
    if (!state.token && !state.renew) {
      say("live-message", "Not logged on: log on in the API browser to see plans and sessions.",
        "info");
      state.refreshProblem = true;
      return;
    }
    state.busy.live = true;
    try {
      const [sessionsX, runningX, plansX] = await Promise.all(
        LIVE_QUERIES.map((q) => em("GET", "/api/query?" + q, { accept: "json" })));
      const failed = [sessionsX, runningX, plansX].find((x) => x.status !== 200);
      if (failed) {
        say("live-message", `Refresh failed: ${failed.status || "no answer"} ${errorMessage(failed)}`,
          "error");
        state.refreshProblem = true;
        return;
      }
      const sessions = entities(sessionsX, "CloudFailoverSessions");
      const running = entities(runningX, "CloudFailoverSessions");
      const plans = entities(plansX, "CloudFailoverPlans");
      fillPlans(plans, running, sessions);
      const pages = plansX.data.PagingInfo ? plansX.data.PagingInfo.PagesCount : 1;
      $("plans-more").textContent = pages > 1 ? "(the first 200, by name)" : "";
      fillSessions(sessions);
      // A problem (or "not logged on") from an earlier refresh is over now; messages that
      // answer the user's own actions (a refused start) stay until the next action.
      if (state.refreshProblem) {
        say("live-message", "");
        state.refreshProblem = false;
      }
    } finally {
      state.busy.live = false;
    }
  }

  function fillAndLabel(body, rows) {
    body.replaceChildren(...rows);
    labelCells(body.closest("table"));
  }

  function fillPlans(plans, running, latest) {
    const body = $("plans-table").tBodies[0];
    if (!plans.length) {
      fillAndLabel(body, [h("tr", {}, h("td", { colspan: 6, text: "No failover plans." }))]);
      return;
    }
    fillAndLabel(body, plans.map((plan) => {
      const run = running.find((s) => s.Name === plan.Name);
      const last = latest.find((s) => s.Name === plan.Name && s.State === "Stopped");
      const up = (plan.Links || []).find((l) => l.Rel === "Up");
      const info = plan.CloudFailoverPlanInfo;
      const vms = info && info.Includes && info.Includes.CloudFailoverPlanVms
        ? info.Includes.CloudFailoverPlanVms.length : "—";
      let status;
      if (run) {
        status = h("td", { class: "status" }, "Running: ", stateBadge(run.State), " ",
          h("progress", { max: "100", value: String(run.Progress || 0), "aria-hidden": "true" }),
          ` ${run.Progress || 0} %`);
      } else if (last) {
        status = h("td", { class: "status" }, "Idle; last run ", stateBadge(last.Result));
      } else {
        status = h("td", { class: "status", text: "Idle" });
      }
      const actions = h("td", { class: "actions" }, ...["Start", "Test", "Undo"].map((rel) =>
        h("button", { type: "button", "aria-label": `${rel} ${plan.Name}`,
          onclick: () => planAction(plan, rel) }, rel)));
      return h("tr", { data: { plan: plan.Name } },
        h("th", { scope: "row" }, plan.Name), h("td", { text: plan.TenantName || "" }),
        h("td", { text: up ? up.Name : "" }), h("td", { text: String(vms) }), status, actions);
    }));
  }

  function fillSessions(sessions) {
    const body = $("sessions-table").tBodies[0];
    if (!sessions.length) {
      fillAndLabel(body, [h("tr", {}, h("td", { colspan: 7, text: "No failover sessions." }))]);
      return;
    }
    fillAndLabel(body, sessions.map((s) => h("tr", { data: { session: s.UID } },
      h("th", { scope: "row" }, h("button", { type: "button", class: "linkish",
        title: "Open in the API browser",
        onclick: () => { location.hash = "#browser"; browse("GET", s.Href); } }, s.Name)),
      h("td", { text: when(s.CreationTimeUTC) }), h("td", { text: when(s.EndTimeUTC) }),
      h("td", {}, stateBadge(s.State)), h("td", {}, stateBadge(s.Result)),
      progressCell(s.Progress, `Progress of ${s.Name}`),
      h("td", { class: "small", text: s.FailureMessage || "" }))));
  }

  async function planAction(plan, rel) {
    const link = (plan.Links || []).find((l) => l.Rel === rel);
    const href = link ? link.Href
      : plan.Href.replace(/\?.*$/, "") + `?action=${rel.toLowerCase()}`;
    say("live-message", `${rel}: sending for ${plan.Name}…`);
    const exchange = await em("POST", href, { accept: "json", body: '{"StartNow": true}' });
    if (exchange.status === 202 && exchange.data) {
      say("live-message", `${rel} ${plan.Name}: accepted (202), task ${exchange.data.TaskId} ` +
        `is ${exchange.data.State}.`, "ok");
    } else {
      say("live-message", `${rel} ${plan.Name} refused (${exchange.status || "no answer"}): ` +
        errorMessage(exchange), "error");
    }
    await refreshLive();
  }

  // ------------------------------------------------------------------ dashboard
  const SVG_NS = "http://www.w3.org/2000/svg";
  const DAYS = 14;
  const JOB_SESSION_TYPES = [["BackupJobSession", "BackupJobSessions"],
    ["ReplicaJobSession", "ReplicaJobSessions"]];
  const RESULTS = ["Success", "Warning", "Failed"];
  const OBJECT_STORAGE = /s3|azure|blob|object|wasabi|google|ibmcloud/i;
  const DAY_MS = 86400000;

  /** An SVG element: s("rect", {x: 1}, child, ...). */
  function s(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined) continue;
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, String(value));
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function q(query) { return "/api/query?" + query; }

  /** Every entity a query answers, following its Next links (a page holds up to 1000). */
  async function allEntities(query, plural) {
    const rows = [];
    let url = q(query);
    for (let pages = 0; url && pages < 50; pages++) {
      const exchange = await em("GET", url, { accept: "json" });
      if (exchange.status !== 200) throw new Error(`${query.split("&")[0]}: ` +
        `${exchange.status || "no answer"} ${errorMessage(exchange)}`);
      rows.push(...entities(exchange, plural));
      const next = ((exchange.data.PagingInfo || {}).Links || []).find((l) => l.Rel === "Next");
      url = next ? next.Href : null;
    }
    return rows;
  }

  function bytes(value) {
    const units = ["B", "KB", "MB", "GB", "TB", "PB"];
    let n = Number(value) || 0;
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return `${n >= 100 || i === 0 ? n.toFixed(0) : n.toFixed(1)} ${units[i]}`;
  }

  function dayOf(ms) { return new Date(ms).toISOString().slice(0, 10); }

  async function dashboardLogon() {
    if (state.token || state.relogon) return true;
    const done = await consoleLogon();
    if (done.status !== 201) {
      $("dash-who").textContent = `Not logged on: ${done.failure} Log on in the API browser.`;
      return false;
    }
    $("logon-user").value = done.user;
    state.dashAccount = done.user;
    return true;
  }

  function showWho() {
    if (!state.token) return;
    $("dash-who").textContent = state.user === state.dashAccount
      ? `Logged on to the EM API as ${state.user} (the first configured account).`
      : `Logged on to the EM API as ${state.user}.`;
  }

  /** Refresh every panel; a call while a refresh is under way makes it run once more. */
  async function refreshDashboard() {
    if (state.busy.dashboard) {
      state.dashAgain = true;
      return;
    }
    state.busy.dashboard = true;
    state.dashAgain = false;
    try {
      if (!(await dashboardLogon())) return;
      showWho();
      const clock = await control("GET", "/clock");
      const nowMs = Date.parse(clock.now);
      const first = Date.parse(dayOf(nowMs - (DAYS - 1) * DAY_MS) + "T00:00:00Z");
      const since = new Date(first).toISOString().replace(/\.\d+Z$/, "Z");
      const [sessions, running, repos, tenants, plans, planRuns, failures] = await Promise.all([
        Promise.all(JOB_SESSION_TYPES.map(([type, plural]) => allEntities(
          `type=${type}&format=Entities&pageSize=1000&filter=` +
          encodeURIComponent(`CreationTime>=${since}`), plural))),
        Promise.all([...JOB_SESSION_TYPES, ["CloudFailoverSession", "CloudFailoverSessions"]]
          .map(([type, plural]) => allEntities(`type=${type}&format=Entities&pageSize=200&` +
            "sortDesc=CreationTime&filter=" + encodeURIComponent("State!=Stopped"), plural))),
        allEntities("type=Repository&format=Entities&sortAsc=Name&pageSize=500", "Repositories"),
        allEntities("type=CloudTenant&format=Entities&sortAsc=Name&pageSize=500", "CloudTenants"),
        allEntities("type=CloudFailoverPlan&format=Entities&sortAsc=Name&pageSize=500",
          "CloudFailoverPlans"),
        allEntities("type=CloudFailoverSession&format=Entities&sortDesc=CreationTime" +
          "&pageSize=200", "CloudFailoverSessions"),
        Promise.all([...JOB_SESSION_TYPES, ["CloudFailoverSession", "CloudFailoverSessions"]]
          .map(([type, plural]) => allEntities(`type=${type}&format=Entities&pageSize=8&` +
            "sortDesc=CreationTime&filter=" + encodeURIComponent("Result==Failed"), plural)
            .then((rows) => rows.slice(0, 8)))),
      ]);
      drawDays(sessions.flat(), first);
      fillRunning(running.flat());
      fillRepositories(repos);
      fillTenants(tenants);
      fillDashPlans(plans, planRuns);
      fillFailures(failures.flat());
      $("dash-updated").textContent = `Updated at ${when(clock.now)} (mock clock).`;
      state.dashRefreshes += 1;
      $("dashboard").dataset.refreshes = String(state.dashRefreshes);
      if (state.dashProblem) { say("dash-message", ""); state.dashProblem = false; }
    } catch (err) {
      say("dash-message", `Refresh failed: ${err.message}`, "error");
      state.dashProblem = true;
    } finally {
      state.busy.dashboard = false;
    }
    if (state.dashAgain) await refreshDashboard();
  }

  function drawDays(sessions, first) {
    const days = [];
    for (let i = 0; i < DAYS; i++) {
      days.push({ day: dayOf(first + i * DAY_MS), Success: 0, Warning: 0, Failed: 0 });
    }
    const byDay = Object.fromEntries(days.map((d) => [d.day, d]));
    for (const session of sessions) {
      const day = byDay[String(session.CreationTimeUTC || "").slice(0, 10)];
      if (day && RESULTS.includes(session.Result)) day[session.Result] += 1;
    }
    const top = Math.max(1, ...days.map((d) => d.Success + d.Warning + d.Failed));
    const narrow = $("days-chart").clientWidth > 0 && $("days-chart").clientWidth < 560;
    const width = narrow ? 420 : 700;
    const height = narrow ? 300 : 250;
    const left = 36;
    const bottom = 34;
    const plot = height - bottom - 12;
    const slot = (width - left) / DAYS;
    const bar = slot * 0.64;
    const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, class: "bars", role: "img",
      "aria-labelledby": "days-svg-title days-svg-desc" },
      s("title", { id: "days-svg-title", text: "Job results per day, last 14 days" }),
      s("desc", { id: "days-svg-desc", text: days.map((d) =>
        `${d.day}: ${d.Success} success, ${d.Warning} warning, ${d.Failed} failed`).join("; ") }));
    for (const tick of [0, Math.round(top / 2), top]) {
      const y = 12 + plot - (tick / top) * plot;
      svg.append(s("line", { x1: left, x2: width, y1: y, y2: y, class: "grid" }),
        s("text", { x: left - 6, y: y + 4, class: "axis", "text-anchor": "end", text: tick }));
    }
    days.forEach((d, i) => {
      const x = left + i * slot + (slot - bar) / 2;
      const total = d.Success + d.Warning + d.Failed;
      const label = `${d.day}: ${d.Success} success, ${d.Warning} warning, ${d.Failed} failed`;
      const group = s("g", { class: "day", tabindex: "0", role: "img", "aria-label": label,
        "data-day": d.day, "data-success": d.Success, "data-warning": d.Warning,
        "data-failed": d.Failed }, s("title", { text: label }));
      let y = 12 + plot;
      for (const result of RESULTS) {
        const tall = (d[result] / top) * plot;
        if (!tall) continue;
        y -= tall;
        group.append(s("rect", { x, y, width: bar, height: tall, class: `r-${result.toLowerCase()}` }));
      }
      if (total) {
        group.append(s("text", { x: x + bar / 2, y: y - 3, class: "count", "text-anchor": "middle",
          text: total }));
      }
      group.append(s("text", { x: x + bar / 2, y: height - bottom + 16, class: "axis",
        "text-anchor": "middle", text: d.day.slice(8) }));
      svg.append(group);
    });
    const legend = h("p", { class: "legend" }, ...RESULTS.map((r) =>
      h("span", { class: `key r-${r.toLowerCase()}` }, r)));
    $("days-chart").replaceChildren(svg, legend);
    $("days-table").tBodies[0].replaceChildren(...days.map((d) => h("tr", {},
      h("th", { scope: "row", text: d.day }), h("td", { text: String(d.Success) }),
      h("td", { text: String(d.Warning) }), h("td", { text: String(d.Failed) }))));
  }

  /** A horizontal bar: ``parts`` are [value, class, label]; the whole bar is ``total``. */
  function meter(parts, total, label) {
    const svg = s("svg", { viewBox: "0 0 100 8", preserveAspectRatio: "none", class: "meter",
      role: "img", "aria-label": label }, s("title", { text: label }));
    let x = 0;
    for (const [value, cls] of parts) {
      const w = total > 0 ? Math.max(0, Math.min(100 - x, (value / total) * 100)) : 0;
      svg.append(s("rect", { x, y: 0, width: w, height: 8, class: cls }));
      x += w;
    }
    return svg;
  }

  function openLink(label, href) {
    return h("a", { href: local(href), class: "href", title: "Open in the API browser",
      onclick: (event) => { event.preventDefault(); location.hash = "#browser";
        browse("GET", href); } }, label);
  }

  function listOrEmpty(id, items, empty) {
    $(id).replaceChildren(...(items.length ? items : [h("li", { class: "muted", text: empty })]));
  }

  function fillRunning(rows) {
    listOrEmpty("running-list", rows.map((r) => {
      const progress = Number(r.Progress) || 0;
      const kind = r.Type === "CloudFailoverSession" ? "failover" : "job";
      return h("li", { data: { session: r.UID, progress: String(progress) } },
        h("div", { class: "meter-head" }, openLink(r.Name, r.Href),
          h("span", {}, stateBadge(r.State), ` ${progress} %`)),
        meter([[progress, "m-run"], [100 - progress, "m-rest"]], 100,
          `${r.Name} (${kind}): ${r.State}, ${progress} percent`));
    }), "Nothing is running.");
  }

  function fillRepositories(rows) {
    listOrEmpty("repos-list", rows.map((r) => {
      const objectStorage = OBJECT_STORAGE.test(r.Kind || "");
      const mark = objectStorage ? h("span", { class: "badge object", text: "object storage" })
        : null;
      if (!(Number(r.Capacity) > 0)) {
        return h("li", { data: { repository: r.Name, uid: r.UID } },
          h("div", { class: "meter-head" }, openLink(r.Name, r.Href), mark,
            h("span", { class: "small muted", text: "capacity not reported" })));
      }
      const used = r.Capacity - r.FreeSpace;
      const percent = Math.round((used / r.Capacity) * 100);
      const label = `${r.Name}: ${bytes(used)} used, ${bytes(r.FreeSpace)} free of ` +
        `${bytes(r.Capacity)} (${percent} % used)`;
      return h("li", { class: percent >= 90 ? "full" : "", data: { repository: r.Name,
        uid: r.UID, used: String(used), free: String(r.FreeSpace), percent: String(percent) } },
      h("div", { class: "meter-head" }, openLink(r.Name, r.Href), mark,
        h("span", { class: "small", text: `${percent} % used · ${bytes(r.FreeSpace)} free` })),
      meter([[used, percent >= 90 ? "m-full" : "m-used"], [r.FreeSpace, "m-free"]],
        r.Capacity, label));
    }), "No repositories.");
  }

  function fillTenants(rows) {
    listOrEmpty("tenants-list", rows.map((t) => {
      const resources = (t.Resources && t.Resources.CloudTenantResources) || [];
      const quota = resources.reduce((sum, r) => sum + (Number(r.Quota) || 0), 0);
      const used = resources.reduce((sum, r) => sum + (Number(r.UsedQuota) || 0), 0);
      const percent = quota ? Math.round((used / quota) * 100) : 0;
      const label = quota ? `${t.Name}: ${bytes(used * 1048576)} of ${bytes(quota * 1048576)} ` +
        `quota used (${percent} %)` : `${t.Name}: no backup quota`;
      return h("li", { data: { tenant: t.Name, percent: String(percent) } },
        h("div", { class: "meter-head" }, openLink(t.Name, t.Href),
          t.Enabled === false ? h("span", { class: "badge", text: "disabled" }) : null,
          h("span", { class: "small", text: quota ? `${percent} % of ${bytes(quota * 1048576)}`
            : "no quota" })),
        meter([[used, percent >= 90 ? "m-full" : "m-used"], [Math.max(quota - used, 0),
          "m-free"]], quota, label));
    }), "No tenants.");
  }

  function fillDashPlans(plans, sessions) {
    listOrEmpty("dplans-list", plans.map((p) => {
      const last = sessions.find((x) => x.Name === p.Name);
      return h("li", { data: { plan: p.Name } }, openLink(p.Name, p.Href),
        h("span", { class: "small muted", text: ` ${p.CloudTenantName || ""} ` }),
        last ? h("span", {}, "· last run ", openLink(when(last.CreationTimeUTC), last.Href), " ",
          stateBadge(last.State === "Stopped" ? last.Result : last.State))
          : h("span", { class: "muted", text: "· never run" }));
    }), "No failover plans.");
  }

  function fillFailures(rows) {
    rows.sort((a, b) => String(b.CreationTimeUTC).localeCompare(String(a.CreationTimeUTC)));
    listOrEmpty("failures-list", rows.slice(0, 10).map((r) => h("li", { data: { session: r.UID } },
      openLink(r.Name, r.Href), h("span", { class: "small muted", text: ` ${when(r.CreationTimeUTC)}` }),
      h("div", { class: "reason", text: r.FailureMessage || "(no reason given)" }))),
    "No failures.");
  }

  async function loadScenes() {
    let scenes;
    try {
      scenes = await control("GET", "/scenes");
    } catch (err) {
      $("scenes").replaceChildren(h("p", { class: "error", text: `Scenes: ${err.message}` }));
      return;
    }
    $("scenes").replaceChildren(...scenes.map(sceneForm));
    await fillLookups();
  }

  function presetLabel(param, value) {
    if (param.name === "hours") return value % 24 === 0 ? `+${value / 24} day${value > 24 ? "s" : ""}`
      : `+${value} h`;
    return `${value}${param.name === "percent" ? " %" : ""}`;
  }

  function sceneForm(scene) {
    const only = scene.params.length === 1 && scene.params[0].presets.length ? scene.params[0] : null;
    const form = h("form", { class: "scene", data: { scene: scene.name } });
    form.append(h("h4", { text: scene.title }), h("p", { class: "small", text: scene.description }));
    if (only) {
      form.append(h("div", { class: "buttons" }, ...only.presets.map((value) =>
        h("button", { type: "button", "aria-label": `${scene.title}: ${presetLabel(only, value)}`,
          onclick: () => playScene(scene, { [only.name]: value }) },
        `${scene.title}: ${presetLabel(only, value)}`))));
      return form;
    }
    const fields = h("div", { class: "fields" });
    for (const p of scene.params) {
      const id = `scene-${scene.name}-${p.name}`;
      let input;
      if (p.lookup) {
        input = h("select", { id, name: p.name, data: { lookup: p.lookup } },
          h("option", { value: "", text: "(default)" }));
      } else if (p.presets.length) {
        input = h("select", { id, name: p.name }, ...p.presets.map((v) =>
          h("option", { value: String(v), text: presetLabel(p, v), selected: v === p.default })));
      } else if (p.kind === "integer") {
        input = h("input", { id, name: p.name, type: "number", min: p.minimum, max: p.maximum,
          value: p.default });
      } else {
        input = h("input", { id, name: p.name, placeholder: "(default)", autocomplete: "off" });
      }
      const label = p.name.charAt(0).toUpperCase() + p.name.slice(1);
      fields.append(h("div", { class: "field" }, h("label", { for: id, title: p.description,
        text: label }), input));
    }
    fields.append(h("div", { class: "buttons" }, h("button", { type: "submit" },
      `Play: ${scene.title}`)));
    form.append(fields);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = {};
      for (const p of scene.params) {
        const value = form.elements[p.name].value.trim();
        if (value === "") continue;
        body[p.name] = p.kind === "integer" ? Number(value) : value;
      }
      playScene(scene, body);
    });
    return form;
  }

  async function fillLookups() {
    if (!state.token) return;
    for (const select of document.querySelectorAll("#scenes select[data-lookup]")) {
      const type = select.dataset.lookup;
      const exchange = await em("GET", q(`type=${type}&format=References&sortAsc=Name&` +
        "pageSize=500"), { accept: "json" });
      if (exchange.status !== 200 || !exchange.data || !exchange.data.Refs) continue;
      const refs = (exchange.data.Refs.Refs || []).filter((r) => r.Name && r.UID);
      const seen = {};
      for (const r of refs) seen[r.Name] = (seen[r.Name] || 0) + 1;
      // A name several entities share says where each is (its backup server).
      const label = (r) => {
        const up = (r.Links || []).find((l) => l.Rel === "Up" && l.Type === "BackupServerReference");
        return seen[r.Name] > 1 && up ? `${r.Name} (${up.Name})` : r.Name;
      };
      const chosen = select.value;
      select.replaceChildren(h("option", { value: "", text: "(default)" }),
        ...refs.map((r) => h("option", { value: r.UID, text: label(r) })));
      select.value = refs.some((r) => r.UID === chosen) ? chosen : "";
    }
  }

  function sceneSummary(done) {
    const parts = [];
    for (const [key, value] of Object.entries(done)) {
      if (key === "scene" || key.endsWith("Uid") || key === "session") continue;
      parts.push(`${key} ${typeof value === "string" && /^\d{4}-\d\d-\d\dT/.test(value)
        ? when(value) : value}`);
    }
    return parts.join(", ");
  }

  async function playScene(scene, body) {
    say("dash-message", `${scene.title}: playing…`);
    try {
      const done = await control("POST", `/scenes/${encodeURIComponent(scene.name)}`, body);
      say("dash-message", `${scene.title}: done (${sceneSummary(done)}).`, "ok");
      refreshClock();
    } catch (err) {
      say("dash-message", `${scene.title}: ${err.message}`, "error");
      return;
    }
    await refreshDashboard();
  }

  // ------------------------------------------------------------------ controls
  function clockText(clock) {
    return `${when(clock.now)}${clock.frozen ? " (frozen)" : " (running)"}`;
  }

  async function refreshClock() {
    if (state.busy.clock) return;
    state.busy.clock = true;
    try {
      const clock = await control("GET", "/clock");
      showClock(clock);
    } catch (err) {
      $("clock-status").textContent = `unknown (${err.message})`;
    } finally {
      state.busy.clock = false;
    }
  }

  function showClock(clock) {
    $("clock-status").textContent = clockText(clock);
    $("clock-detail").textContent = `Now ${when(clock.now)}; ${clock.frozen
      ? "frozen: it moves only when you move it" : "running: it follows real time"}; ` +
      `started at ${when(clock.start)}.`;
    $("clock-freeze").disabled = clock.frozen;
    $("clock-resume").disabled = !clock.frozen;
  }

  async function changeClock(change, where) {
    try {
      const clock = await control("POST", "/clock", change);
      showClock(clock);
      const what = change.action === "advance" ? `advanced by ${change.seconds} s`
        : change.action === "set" ? "set" : change.action === "freeze" ? "frozen" : "resumed";
      say(where, `Clock ${what}: now ${clockText(clock)}.`, "ok");
      if (state.view === "live") await refreshLive();
    } catch (err) {
      say(where, `The clock did not change: ${err.message}`, "error");
    }
  }

  function faultRule() {
    const rule = { action: $("fault-action").value };
    if ($("fault-method").value) rule.method = $("fault-method").value;
    if ($("fault-path").value.trim()) rule.path = $("fault-path").value.trim();
    if ($("fault-type").value.trim()) rule.type = $("fault-type").value.trim();
    const probability = $("fault-probability").value;
    if (probability !== "") rule.probability = Number(probability);
    if ($("fault-count").value !== "") rule.count = Number($("fault-count").value);
    if (rule.action === "error") {
      if ($("fault-status").value !== "") rule.status = Number($("fault-status").value);
      if ($("fault-message").value.trim()) rule.message = $("fault-message").value.trim();
    }
    if (rule.action === "latency") {
      rule.latencyMs = Number($("fault-latency").value || 0);
      rule.jitterMs = Number($("fault-jitter").value || 0);
    }
    return rule;
  }

  function faultActionChanged() {
    const action = $("fault-action").value;
    for (const label of document.querySelectorAll("#fault-form [data-for]")) {
      label.hidden = label.dataset.for !== action;
    }
  }

  async function refreshFaults() {
    if (state.busy.faults) return;
    state.busy.faults = true;
    try {
      const rules = await control("GET", "/faults");
      const body = $("faults-table").tBodies[0];
      if (!rules.length) {
        fillAndLabel(body, [h("tr", {}, h("td", { colspan: 8, text: "No fault rules." }))]);
        return;
      }
      fillAndLabel(body, rules.map((r) => {
        let details = "";
        if (r.action === "error") details = `status ${r.status}, "${r.message}"`;
        else if (r.action === "latency") details = `${r.latencyMs} ms + up to ${r.jitterMs} ms`;
        details += `; probability ${r.probability}; ${r.count === null ? "always"
          : `at most ${r.count} times`}`;
        return h("tr", { data: { rule: r.id } },
          h("th", { scope: "row", text: String(r.id) }), h("td", { text: r.action }),
          h("td", { text: r.method }), h("td", {}, h("code", { text: r.path })),
          h("td", { text: r.type || "any" }), h("td", { class: "small", text: details }),
          h("td", { text: `${r.matched} / ${r.fired}` }),
          h("td", {}, h("button", { type: "button", "aria-label": `Remove fault rule ${r.id}`,
            onclick: () => removeFault(r.id) }, "Remove")));
      }));
    } catch (err) {
      say("controls-message", `Fault rules: ${err.message}`, "error");
    } finally {
      state.busy.faults = false;
    }
  }

  async function removeFault(id) {
    try {
      await control("DELETE", `/faults/${id}`);
      say("controls-message", `Fault rule ${id} removed.`, "ok");
    } catch (err) {
      say("controls-message", `Fault rule ${id}: ${err.message}`, "error");
    }
    await refreshFaults();
  }

  async function refreshRecorded() {
    if (state.busy.recorded) return;
    state.busy.recorded = true;
    try {
      const answers = await control("GET", "/recorded");
      const body = $("recorded-table").tBodies[0];
      if (!answers.length) {
        fillAndLabel(body, [h("tr", {}, h("td", { colspan: 4, text: "No recorded answers." }))]);
        return;
      }
      fillAndLabel(body, answers.map((a) => {
        const formats = ["Xml", "Json"].filter((f) => a[f])
          .map((f) => `${f.toUpperCase()} ${a[f].Status}`).join(", ");
        return h("tr", { data: { path: a.Path } },
          h("th", { scope: "row" }, h("code", { text: "/api" + a.Path })),
          h("td", { text: formats }),
          h("td", { class: "small", text: a.Modelled ? "no: em-mock models this path" : "yes" }),
          h("td", {}, h("button", { type: "button", "aria-label": `Remove recorded answer ${a.Path}`,
            onclick: () => removeRecorded(a.Path) }, "Remove")));
      }));
    } catch (err) {
      say("controls-message", `Recorded answers: ${err.message}`, "error");
    } finally {
      state.busy.recorded = false;
    }
  }

  async function removeRecorded(path) {
    try {
      await control("DELETE", "/recorded?path=" + encodeURIComponent(path));
      say("controls-message", `Recorded answer ${path} removed.`, "ok");
    } catch (err) {
      say("controls-message", `Recorded answer ${path}: ${err.message}`, "error");
    }
    await refreshRecorded();
  }

  async function refreshJournal() {
    if (state.busy.journal) return;
    state.busy.journal = true;
    try {
      const params = new URLSearchParams();
      if ($("journal-method").value) params.set("method", $("journal-method").value);
      if ($("journal-path").value.trim()) params.set("path", $("journal-path").value.trim());
      if ($("journal-status").value) params.set("status", $("journal-status").value);
      const query = params.toString();
      let entries = await control("GET", "/requests" + (query ? "?" + query : ""));
      const total = entries.length;
      if ($("journal-hide-live").checked) {
        entries = entries.filter((e) => !(e.path.toLowerCase() === "/api/query" &&
          LIVE_QUERIES.includes(e.query)));
      }
      const shown = entries.slice(0, 100);
      $("journal-count").textContent = `${total} matching requests in the journal; ` +
        `showing ${shown.length}${total - entries.length ? `, ${total - entries.length} of the ` +
        "live view's polling hidden" : ""}.`;
      const body = $("journal-table").tBodies[0];
      if (!shown.length) {
        fillAndLabel(body, [h("tr", {}, h("td", { colspan: 6, text: "No requests." }))]);
        return;
      }
      fillAndLabel(body, shown.map((e) => h("tr", { class: e.status >= 400 || e.fault
        ? "bad" : "" },
        h("td", { class: "small", text: when(e.time) }), h("td", { text: e.method }),
        h("td", { class: "mono small wrap", text: e.path + (e.query ? "?" + e.query : "") }),
        h("td", { text: e.status ? `${e.status} ${reason(e.status)}` : "no answer" }),
        h("td", { text: e.fault || "—" }),
        h("td", { class: "small", text: `${e.duration_ms} ms` }))));
    } catch (err) {
      say("controls-message", `Journal: ${err.message}`, "error");
    } finally {
      state.busy.journal = false;
    }
  }

  async function afterDataChange(message) {
    say("controls-message", message, "ok");
    if (state.renew) {
      const again = await state.renew("json");
      if (again.status === 201) {
        say("controls-message", `${message} The console logged on again as ${state.user}.`, "ok");
      }
    }
    await Promise.all([refreshClock(), refreshFaults(), refreshRecorded(), refreshJournal()]);
  }

  // ------------------------------------------------------------------ views and polling
  const VIEWS = ["dashboard", "browser", "query", "live", "controls"];

  function showView(moveFocus) {
    const wanted = location.hash.replace("#", "");
    // Other fragments (the skip link's #main) leave the current view as it is.
    if (!VIEWS.includes(wanted) && moveFocus) return;
    const view = VIEWS.includes(wanted) ? wanted : "dashboard";
    state.view = view;
    for (const id of VIEWS) $(id).hidden = id !== view;
    for (const link of document.querySelectorAll("nav.views a")) {
      if (link.getAttribute("href") === `#${view}`) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    if (moveFocus) $(`${view}-title`).focus();
    if (view === "dashboard") refreshDashboard().then(fillLookups);
    if (view === "live") refreshLive();
    if (view === "controls") { refreshFaults(); refreshRecorded(); refreshJournal(); }
  }

  function tick() {
    if (document.hidden) return;
    refreshClock();
    if (state.view === "dashboard" && $("dash-auto").checked) refreshDashboard();
    if (state.view === "live" && $("live-auto").checked) refreshLive();
    if (state.view === "controls") {
      refreshFaults();
      refreshRecorded();
      if ($("journal-auto").checked) refreshJournal();
    }
  }

  // ------------------------------------------------------------------ wiring
  function wire() {
    $("logon-form").addEventListener("submit", (event) => {
      event.preventDefault();
      browse("POST", "/api/sessionMngr/?v=latest", null, false);
    });
    $("logoff").addEventListener("click", async () => {
      if (!state.sessionUrl) return;
      await browse("DELETE", state.sessionUrl, null, false);
      forgetSession();
    });
    $("request-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const method = $("req-method").value;
      const body = method === "POST" || method === "PUT" ? $("req-body").value : null;
      browse(method, $("req-url").value.trim() || "/api/", body);
    });
    $("req-method").addEventListener("change", toggleBody);
    $("back").addEventListener("click", () => {
      const previous = state.history.pop();
      if (!previous) return;
      state.current = null;
      browse(previous.method, previous.url, null, true);
    });
    $("home").addEventListener("click", () => browse("GET", "/api/"));
    for (const radio of document.querySelectorAll('input[name="format"]')) {
      radio.addEventListener("change", () => {
        if (state.current && state.current.method === "GET") {
          browse("GET", state.current.url, null, false);
        }
      });
    }

    $("q-type").addEventListener("change", typeChanged);
    $("q-filter").addEventListener("input", clearFilterError);
    $("query-form").addEventListener("submit", (event) => {
      event.preventDefault();
      runQuery(queryUrl());
    });
    for (const id of ["q-first", "q-prev", "q-next", "q-last"]) {
      $(id).addEventListener("click", () => {
        const href = state.pageLinks[$(id).dataset.rel];
        if (href) runQuery(href);
      });
    }

    $("dash-refresh").addEventListener("click", refreshDashboard);
    $("live-refresh").addEventListener("click", refreshLive);
    for (const button of document.querySelectorAll("[data-advance]")) {
      button.addEventListener("click", () => changeClock(
        { action: "advance", seconds: Number(button.dataset.advance) }, "live-message"));
    }

    $("clock-freeze").addEventListener("click", () => changeClock({ action: "freeze" },
      "controls-message"));
    $("clock-resume").addEventListener("click", () => changeClock({ action: "resume" },
      "controls-message"));
    $("advance-form").addEventListener("submit", (event) => {
      event.preventDefault();
      changeClock({ action: "advance", seconds: Number($("advance-seconds").value) },
        "controls-message");
    });
    $("set-form").addEventListener("submit", (event) => {
      event.preventDefault();
      changeClock({ action: "set", instant: $("set-instant").value.trim() }, "controls-message");
    });
    $("reset").addEventListener("click", async () => {
      try {
        const ready = await control("POST", "/reset");
        await afterDataChange(`Reset: ${ready.backupServers} backup servers, ` +
          `${ready.failoverPlans} failover plans, ${ready.failoverSessions} failover sessions; ` +
          `clock at ${when(ready.clock)}; fault rules and journal cleared.`);
      } catch (err) {
        say("controls-message", `Reset failed: ${err.message}`, "error");
      }
    });
    $("seed-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const spec = {
        seed: Number($("seed-seed").value || 1),
        backupServers: Number($("seed-servers").value || 0),
        failoverPlans: Number($("seed-plans").value || 0),
        sessions: Number($("seed-sessions").value || 0),
      };
      try {
        const ready = await control("POST", "/seed", spec);
        say("controls-message", `Reseeded with seed ${spec.seed}: ${ready.backupServers} backup ` +
          `servers, ${ready.failoverPlans} failover plans, ${ready.failoverSessions} failover ` +
          "sessions.", "ok");
      } catch (err) {
        say("controls-message", `Reseed failed: ${err.message}`, "error");
      }
    });

    $("fault-action").addEventListener("change", faultActionChanged);
    $("fault-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const rule = await control("POST", "/faults", faultRule());
        say("controls-message", `Fault rule ${rule.id} added: ${rule.action} on ` +
          `${rule.method} ${rule.path}.`, "ok");
      } catch (err) {
        say("controls-message", err.message, "error");
      }
      await refreshFaults();
    });
    $("fault-clear").addEventListener("click", async () => {
      try {
        await control("DELETE", "/faults");
        say("controls-message", "Every fault rule removed.", "ok");
      } catch (err) {
        say("controls-message", err.message, "error");
      }
      await refreshFaults();
    });

    $("journal-form").addEventListener("submit", (event) => {
      event.preventDefault();
      refreshJournal();
    });
    for (const id of ["journal-method", "journal-hide-live"]) {
      $(id).addEventListener("change", refreshJournal);
    }
    $("journal-clear").addEventListener("click", async () => {
      try {
        await control("DELETE", "/requests");
        say("controls-message", "Journal cleared.", "ok");
      } catch (err) {
        say("controls-message", err.message, "error");
      }
      await refreshJournal();
    });

    window.addEventListener("hashchange", () => showView(true));
  }

  async function start() {
    if (controlToken) {
      const docsLink = document.querySelector('footer a[href$="/docs"]');
      if (docsLink) docsLink.replaceWith(h("span", { text: "Control API reference: /mock/docs " +
        "(send the X-Mock-Token header)" }));
    }
    wire();
    faultActionChanged();
    showSession();
    showView(false);
    await Promise.all([refreshClock(), loadRegistry(), browse("GET", "/api/"), loadScenes()]);
    if (state.view === "dashboard") await refreshDashboard();
    await fillLookups();
    setInterval(tick, POLL_MS);
    document.body.dataset.ready = "true";
  }

  start();
})();
