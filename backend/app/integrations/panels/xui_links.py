"""Share links of a 3x-ui client built from its inbound, as the panel's subscription server builds them.

Needed for legacy panels (before v3.1), whose API has no "links of a client" call.
"""

from __future__ import annotations

import base64
import ipaddress
import json
from typing import Any
from urllib.parse import quote, urlencode

_ANY_ADDRESS = {"", "0.0.0.0", "::", "::0"}  # noqa: S104 - listen addresses to recognise, not bind


def parse_json_field(value: Any) -> dict[str, Any]:
    """An inbound's settings/streamSettings: a JSON string before v3.1, an object from v3.1."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.strip():
        try:
            parsed = json.loads(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def _host(address: str) -> str:
    try:
        if ipaddress.ip_address(address).version == 6:
            return f"[{address}]"
    except ValueError:
        pass
    return address


def _first(value: Any) -> str:
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return str(value or "")


def _transport_params(network: str, stream: dict[str, Any]) -> dict[str, str]:
    params: dict[str, str] = {}
    if network == "tcp":
        header = (stream.get("tcpSettings") or {}).get("header") or {}
        if header.get("type") == "http":
            request = header.get("request") or {}
            params["headerType"] = "http"
            params["path"] = _first(request.get("path"))
            params["host"] = _first((request.get("headers") or {}).get("Host"))
    elif network in ("ws", "httpupgrade", "xhttp"):
        conf = stream.get(f"{network}Settings") or {}
        params["path"] = str(conf.get("path") or "")
        params["host"] = str(conf.get("host") or (conf.get("headers") or {}).get("Host") or "")
        if network == "xhttp" and conf.get("mode"):
            params["mode"] = str(conf["mode"])
    elif network == "grpc":
        conf = stream.get("grpcSettings") or {}
        params["serviceName"] = str(conf.get("serviceName") or "")
        params["authority"] = str(conf.get("authority") or "")
        if conf.get("multiMode"):
            params["mode"] = "multi"
    elif network == "kcp":
        conf = stream.get("kcpSettings") or {}
        params["headerType"] = str((conf.get("header") or {}).get("type") or "none")
        if conf.get("seed"):
            params["seed"] = str(conf["seed"])
    return params


def _security_params(security: str, stream: dict[str, Any]) -> dict[str, str]:
    params: dict[str, str] = {}
    if security == "tls":
        tls = stream.get("tlsSettings") or {}
        inner = tls.get("settings") or {}
        if tls.get("serverName"):
            params["sni"] = str(tls["serverName"])
        if tls.get("alpn"):
            params["alpn"] = ",".join(str(a) for a in tls["alpn"])
        if inner.get("fingerprint"):
            params["fp"] = str(inner["fingerprint"])
    elif security == "reality":
        reality = stream.get("realitySettings") or {}
        inner = reality.get("settings") or {}
        params["sni"] = _first(reality.get("serverNames"))
        params["pbk"] = str(inner.get("publicKey") or "")
        params["sid"] = _first(reality.get("shortIds"))
        params["fp"] = str(inner.get("fingerprint") or "chrome")
        if inner.get("spiderX"):
            params["spx"] = str(inner["spiderX"])
    return params


def _url_link(scheme: str, user: str, address: str, port: int, params: dict[str, str], remark: str) -> str:
    query = urlencode(sorted(params.items()))  # Go's url.Values.Encode sorts the keys
    return f"{scheme}://{user}@{_host(address)}:{port}?{query}#{quote(remark, safe='')}"


def _one_link(
    inbound: dict[str, Any], client: dict[str, Any], address: str, port: int, remark: str
) -> str | None:
    protocol = str(inbound.get("protocol") or "")
    settings = parse_json_field(inbound.get("settings"))
    stream = parse_json_field(inbound.get("streamSettings"))
    network = str(stream.get("network") or "tcp")
    security = str(stream.get("security") or "none")
    params = {"type": network, "security": security}
    params |= _transport_params(network, stream) | _security_params(security, stream)
    flow = str(client.get("flow") or "")
    flow_ok = network == "tcp" and security in ("tls", "reality")
    if protocol == "vless":
        params["encryption"] = str(settings.get("encryption") or "none")
        if flow and flow_ok:
            params["flow"] = flow
        return _url_link("vless", str(client.get("id") or ""), address, port, params, remark)
    if protocol == "trojan":
        if flow and security == "reality" and network == "tcp":
            params["flow"] = flow
        user = quote(str(client.get("password") or ""), safe="")
        return _url_link("trojan", user, address, port, params, remark)
    if protocol == "vmess":
        header_type = params.get("headerType", "none")
        body = {
            "v": "2",
            "ps": remark,
            "add": address,
            "port": port,
            "id": str(client.get("id") or ""),
            "scy": str(client.get("security") or "auto"),
            "net": network,
            "type": "multi" if params.get("mode") == "multi" else header_type,
            "tls": security,
            "path": params.get("path", params.get("serviceName", "")),
            "host": params.get("host", params.get("authority", "")),
            "sni": params.get("sni", ""),
            "alpn": params.get("alpn", ""),
            "fp": params.get("fp", ""),
        }
        encoded = base64.b64encode(json.dumps(body, sort_keys=True, indent=2).encode()).decode()
        return f"vmess://{encoded}"
    if protocol == "shadowsocks":
        method = str(settings.get("method") or client.get("method") or "")
        password = str(client.get("password") or "")
        userinfo = f"{method}:{password}"
        if method.startswith("2022-blake3"):
            userinfo = f"{method}:{settings.get('password') or ''}:{password}"
        encoded = base64.b64encode(userinfo.encode()).decode()
        query = urlencode({"type": network})
        return f"ss://{encoded}@{_host(address)}:{port}?{query}#{quote(remark, safe='')}"
    return None


def build_links(inbound: dict[str, Any], client: dict[str, Any], default_host: str) -> list[str]:
    """The links for one client entry of one inbound (one per external proxy when some are set)."""
    stream = parse_json_field(inbound.get("streamSettings"))
    listen = str(inbound.get("listen") or "")
    address = default_host if listen in _ANY_ADDRESS or listen.startswith("@") else listen
    port = int(inbound.get("port") or 0)
    remark = f"{inbound.get('remark') or ''}-{client.get('email') or ''}".strip("-")
    targets: list[tuple[str, int, str]] = [
        (
            str(p.get("dest") or address),
            int(p.get("port") or port),
            f"{remark}-{p['remark']}" if p.get("remark") else remark,
        )
        for p in stream.get("externalProxy") or []
        if isinstance(p, dict)
    ] or [(address, port, remark)]
    links = [_one_link(inbound, client, addr, prt, rmk) for addr, prt, rmk in targets]
    return [link for link in links if link]
