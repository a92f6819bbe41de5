"""The reference script's `push_config` keys, translated into apprise URLs.

quark-auto-save (Cp0204, `notify.py`) sends with one hand-written function per service, driven by
keys such as BARK_PUSH or TG_BOT_TOKEN. quarkctl sends through apprise instead, so each key family
becomes one apprise URL here, one small function per family. Whatever cannot be expressed as an
apprise URL is named in a warning, never dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from quarkctl.i18n import _

# Keys that configure no sender: the reference's own switches. Not warned about.
SWITCHES = {"HITOKOTO", "CONSOLE", "QUARK_SIGN_NOTIFY"}


@dataclass
class Translation:
    urls: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


Family = Callable[[dict[str, str], Translation], None]


def _q(value: str) -> str:
    return quote(value, safe="")


def _query(params: Mapping[str, str]) -> str:
    params = {k: v for k, v in params.items() if v not in ("", None)}
    return ("?" + urlencode(params, quote_via=quote, safe=",")) if params else ""


def _unsupported(out: Translation, key: str, why: str) -> None:
    out.warnings.append(_("warning: push_config {key}: {why}; not sent there").format(key=key, why=why))  # README's prefix


def _host_path(url: str) -> tuple[bool, str, str]:
    """(secure, host[:port], path without trailing slash) of an http(s) URL or a bare host."""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    return parts.scheme == "https", parts.netloc, parts.path.rstrip("/")


# -- one function per key family -------------------------------------------------------------------

def _bark(c: dict[str, str], out: Translation) -> None:
    push = c["BARK_PUSH"]
    if push.startswith("http"):
        secure, host, path = _host_path(push)
        segments = [s for s in path.split("/") if s]
        if not segments:
            return _unsupported(out, "BARK_PUSH", _("no device key in the URL"))
        key, prefix = segments[-1], "/".join(segments[:-1])
        host = f"{host}/{prefix}" if prefix else host
    else:
        secure, host, key = True, "api.day.app", push
    params = {"sound": c.get("BARK_SOUND", ""), "group": c.get("BARK_GROUP", ""), "level": c.get("BARK_LEVEL", ""),
              "click": c.get("BARK_URL", ""), "icon": c.get("BARK_ICON", "")}
    if c.get("BARK_ARCHIVE"):
        params["archive"] = "yes" if c["BARK_ARCHIVE"].lower() in ("1", "true", "yes") else "no"
    out.urls.append(f"{'barks' if secure else 'bark'}://{host}/{_q(key)}{_query(params)}")


def _telegram(c: dict[str, str], out: Translation) -> None:
    for key in ("TG_API_HOST", "TG_PROXY_HOST", "TG_PROXY_PORT", "TG_PROXY_AUTH"):
        if c.get(key):
            _unsupported(out, key, _("apprise's Telegram sender has no API host or proxy setting (use HTTPS_PROXY)"))
    out.urls.append(f"tgram://{c['TG_BOT_TOKEN']}/{_q(c['TG_USER_ID'])}")


def _serverchan(c: dict[str, str], out: Translation) -> None:
    if re.match(r"sctp\d+t", c["PUSH_KEY"]):
        return _unsupported(out, "PUSH_KEY", _("Server酱³ keys (sctp...) are not supported by apprise, only SendKey (SCT...)"))
    out.urls.append(f"schan://{_q(c['PUSH_KEY'])}")


def _pushplus(c: dict[str, str], out: Translation) -> None:
    topic = c.get("PUSH_PLUS_USER", "")
    out.urls.append(f"pushplus://{_q(c['PUSH_PLUS_TOKEN'])}" + (f"/{_q(topic)}" if topic else ""))


def _wecom_bot(c: dict[str, str], out: Translation) -> None:
    if c.get("QYWX_ORIGIN"):
        _unsupported(out, "QYWX_ORIGIN", _("apprise sends to qyapi.weixin.qq.com directly"))
    out.urls.append(f"wecombot://{_q(c['QYWX_KEY'])}")


def _wecom_app(c: dict[str, str], out: Translation) -> None:
    parts = [p.strip() for p in c["QYWX_AM"].split(",")]
    if len(parts) not in (4, 5) or not parts[3].isdigit():
        return _unsupported(out, "QYWX_AM", _("expected corpid,corpsecret,touser,agentid[,media_id]"))
    corpid, secret, touser, agentid = parts[:4]
    if len(parts) == 5 and parts[4]:
        _unsupported(out, "QYWX_AM media_id", _("apprise sends text, not mpnews; the message goes as text"))
    if c.get("QYWX_ORIGIN") and not c.get("QYWX_KEY"):
        _unsupported(out, "QYWX_ORIGIN", _("apprise sends to qyapi.weixin.qq.com directly"))
    to = "@all" if touser in ("", "@all") else "|".join(f"@{u}" for u in touser.split("|"))
    out.urls.append(f"wechat://{_q(corpid)}:{_q(secret)}@{agentid}/{_query({'to': to})}")


def _dingtalk(c: dict[str, str], out: Translation) -> None:
    out.urls.append(f"dingtalk://{_q(c['DD_BOT_SECRET'])}@{_q(c['DD_BOT_TOKEN'])}/")


def _feishu(c: dict[str, str], out: Translation) -> None:
    out.urls.append(f"feishu://{_q(c['FSKEY'])}")


def _gotify_priority(value: str) -> str:
    try:
        n = int(value)
    except ValueError:
        return ""
    return "low" if n <= 1 else "moderate" if n <= 4 else "normal" if n <= 7 else "high" if n <= 9 else "emergency"


def _gotify(c: dict[str, str], out: Translation) -> None:
    secure, host, path = _host_path(c["GOTIFY_URL"])
    prefix = f"{path}/" if path else "/"
    priority = _gotify_priority(str(c.get("GOTIFY_PRIORITY", "")))
    out.urls.append(f"{'gotifys' if secure else 'gotify'}://{host}{prefix}{_q(c['GOTIFY_TOKEN'])}{_query({'priority': priority})}")


_NTFY_PRIORITY = {"1": "min", "2": "low", "3": "default", "4": "high", "5": "max"}


def _ntfy(c: dict[str, str], out: Translation) -> None:
    priority = _NTFY_PRIORITY.get(str(c.get("NTFY_PRIORITY", "")).strip(), "")
    query = _query({"priority": priority})
    if c.get("NTFY_URL"):
        secure, host, path = _host_path(c["NTFY_URL"])
        base = f"{host}{path}"
        out.urls.append(f"{'ntfys' if secure else 'ntfy'}://{base}/{_q(c['NTFY_TOPIC'])}{query}")
    else:
        out.urls.append(f"ntfys://ntfy.sh/{_q(c['NTFY_TOPIC'])}{query}")


def _pushdeer(c: dict[str, str], out: Translation) -> None:
    key = c.get("PUSHDEER_KEY") or c["DEER_KEY"]
    server = c.get("PUSHDEER_URL") or c.get("DEER_URL")
    if server:
        secure, host, _path = _host_path(server)  # the reference takes the whole endpoint; apprise adds /message/push
        out.urls.append(f"{'pushdeers' if secure else 'pushdeer'}://{host}/{_q(key)}")
    else:
        out.urls.append(f"pushdeer://{_q(key)}")


def _smtp(c: dict[str, str], out: Translation) -> None:
    server, email, password = c["SMTP_SERVER"], c["SMTP_EMAIL"], c.get("SMTP_PASSWORD", "")
    host, _sep, port = server.partition(":")
    ssl = str(c.get("SMTP_SSL", "false")).lower() == "true"
    params = {"smtp": host, "user": email, "pass": password, "from": email, "name": c.get("SMTP_NAME", ""),
              "to": c.get("SMTP_EMAIL_TO", "") or email, "mode": "ssl" if ssl else ""}
    if c.get("SMTP_NAME_TO"):
        _unsupported(out, "SMTP_NAME_TO", _("apprise addresses recipients by e-mail only"))
    # Without SSL the reference talks plain SMTP (smtplib.SMTP, no STARTTLS): apprise's mailto:// does the same.
    schema = "mailtos" if ssl else "mailto"
    out.urls.append(f"{schema}://{host}{':' + port if port else ''}{_query(params)}")


def _webhook_body(body: str, content_type: str, out: Translation) -> dict[str, str]:
    """The reference's `key: value` body lines as apprise payload mapping (`:key=value`)."""
    mapping: dict[str, str] = {}
    if not body:
        return mapping
    fields = dict(re.findall(r"(\w+):\s*((?:(?!\n\w+:).)*)", body, re.S))
    if not fields or content_type == "text/plain":
        _unsupported(out, "WEBHOOK_BODY", _("only `key: value` lines for JSON or form bodies can be translated"))
        return mapping
    mapping = {"version": "", "type": "", "attachments": "", "title": "", "message": ""}
    for key, value in fields.items():
        value = value.strip()
        if value == "$title":
            mapping["title"] = key
        elif value == "$content":
            mapping["message"] = key
        elif "$title" in value or "$content" in value:
            _unsupported(out, f"WEBHOOK_BODY {key}", _("a value mixing text with $title/$content cannot be built by apprise"))
        else:
            mapping[key] = value
    return mapping


def _webhook(c: dict[str, str], out: Translation) -> None:
    url = c["WEBHOOK_URL"]
    if "$title" in url or "$content" in url:
        return _unsupported(out, "WEBHOOK_URL", _("$title/$content inside the URL cannot be built by apprise"))
    content_type = c.get("WEBHOOK_CONTENT_TYPE", "") or "application/json"
    kind = "form" if content_type == "application/x-www-form-urlencoded" else "json"
    if content_type not in ("application/json", "application/x-www-form-urlencoded", "text/plain"):
        _unsupported(out, "WEBHOOK_CONTENT_TYPE", _("{type} is sent as JSON").format(type=content_type))
    parts = urlsplit(url)
    params: dict[str, str] = {"method": (c.get("WEBHOOK_METHOD") or "POST").upper()}
    for line in c.get("WEBHOOK_HEADERS", "").splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip():
            params[f"+{name.strip()}"] = value.strip()
    params.update({f":{k}": v for k, v in _webhook_body(c.get("WEBHOOK_BODY", ""), content_type, out).items()})
    for key, value in re.findall(r"([^&=]+)=([^&]*)", parts.query):
        params[f"-{key}"] = value  # apprise's way of passing the URL's own query arguments through
    schema = f"{kind}s" if parts.scheme == "https" else kind
    query = "?" + "&".join(f"{quote(k, safe='+:-')}={quote(v, safe='')}" for k, v in params.items())
    out.urls.append(f"{schema}://{parts.netloc}{parts.path}{query}")


def _pushme(c: dict[str, str], out: Translation) -> None:
    if c.get("PUSHME_URL"):
        _unsupported(out, "PUSHME_URL", _("apprise sends to push.i-i.me only"))
    out.urls.append(f"pushme://{_q(c['PUSHME_KEY'])}")


# (keys that must all be set, keys it also reads, the translator). The first key names the family.
FAMILIES: list[tuple[tuple[str, ...], tuple[str, ...], Family]] = [
    (("BARK_PUSH",), ("BARK_ARCHIVE", "BARK_GROUP", "BARK_SOUND", "BARK_ICON", "BARK_LEVEL", "BARK_URL"), _bark),
    (("TG_BOT_TOKEN", "TG_USER_ID"), ("TG_API_HOST", "TG_PROXY_AUTH", "TG_PROXY_HOST", "TG_PROXY_PORT"), _telegram),
    (("PUSH_KEY",), (), _serverchan),
    (("PUSH_PLUS_TOKEN",), ("PUSH_PLUS_USER",), _pushplus),
    (("QYWX_KEY",), ("QYWX_ORIGIN",), _wecom_bot),
    (("QYWX_AM",), ("QYWX_ORIGIN",), _wecom_app),
    (("DD_BOT_TOKEN", "DD_BOT_SECRET"), (), _dingtalk),
    (("FSKEY",), (), _feishu),
    (("GOTIFY_URL", "GOTIFY_TOKEN"), ("GOTIFY_PRIORITY",), _gotify),
    (("NTFY_TOPIC",), ("NTFY_URL", "NTFY_PRIORITY"), _ntfy),
    (("PUSHDEER_KEY",), ("PUSHDEER_URL", "DEER_URL"), _pushdeer),
    (("DEER_KEY",), ("DEER_URL",), _pushdeer),
    (("SMTP_SERVER", "SMTP_EMAIL"), ("SMTP_SSL", "SMTP_PASSWORD", "SMTP_NAME", "SMTP_EMAIL_TO", "SMTP_NAME_TO"), _smtp),
    (("WEBHOOK_URL",), ("WEBHOOK_METHOD", "WEBHOOK_BODY", "WEBHOOK_HEADERS", "WEBHOOK_CONTENT_TYPE"), _webhook),
    (("PUSHME_KEY",), ("PUSHME_URL",), _pushme),
]


def _text(value: Any) -> str:
    if value is None or value is False:
        return ""
    return str(value).strip()


def translate(push_config: Mapping[str, Any]) -> Translation:
    """Apprise URLs for every family configured in push_config, and a warning for each key left over."""
    config = {key: _text(value) for key, value in push_config.items() if _text(value)}
    out = Translation()
    # A family's optional keys (priorities, sound, proxy...) configure nothing alone: quiet when it is unused.
    used: set[str] = set(SWITCHES).union(*(optional for _required, optional, _family in FAMILIES))
    for required, optional, family in FAMILIES:
        if required[0] == "DEER_KEY" and config.get("PUSHDEER_KEY"):
            used.add("DEER_KEY")  # PUSHDEER_KEY wins; one PushDeer target
            continue
        present = [key for key in required if config.get(key)]
        if not present:
            continue
        used.update(required + optional)
        if len(present) < len(required):
            missing = ", ".join(key for key in required if key not in present)
            _unsupported(out, present[0], _("also needs {keys}").format(keys=missing))
            continue
        before = len(out.urls)
        try:
            family(config, out)
            for url in out.urls[before:]:
                url.encode("utf-8")  # a lone surrogate (JSON allows "\ud800") some families pass through whole
        except ValueError:  # urlsplit on "http://[x", quote() on a lone surrogate; UnicodeEncodeError is one
            del out.urls[before:]
            _unsupported(out, required[0], _("a value here is not a usable URL or text"))
    for key in sorted(set(config) - used):
        if not key.startswith("_"):  # _comment keys
            _unsupported(out, key, _("no apprise equivalent (add an apprise URL to `notify` instead)"))
    return out
