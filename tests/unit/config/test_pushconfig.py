"""Every push_config key of the reference script: its apprise URL, or a warning that names it."""

from __future__ import annotations

import apprise
import pytest

from quarkctl.config.pushconfig import translate

TG_TOKEN = "1407203283:AAG9rt-6RDaaX0HBLZQq0laNOh898iFYaRQ"
DD_TOKEN = "ab" * 32

CASES = {
    "bark device key": ({"BARK_PUSH": "DxHcxxxxxRxxxxxxcm"}, "barks://api.day.app/DxHcxxxxxRxxxxxxcm"),
    "bark own server + options": (
        {"BARK_PUSH": "http://bark.lan:8080/Key123/", "BARK_SOUND": "minuet", "BARK_GROUP": "quark", "BARK_LEVEL": "active",
         "BARK_URL": "https://pan.quark.cn", "BARK_ICON": "https://x/i.png", "BARK_ARCHIVE": "1"},
        "bark://bark.lan:8080/Key123?sound=minuet&group=quark&level=active&click=https%3A%2F%2Fpan.quark.cn"
        "&icon=https%3A%2F%2Fx%2Fi.png&archive=yes"),
    "telegram": ({"TG_BOT_TOKEN": TG_TOKEN, "TG_USER_ID": "1434078534"}, f"tgram://{TG_TOKEN}/1434078534"),
    "serverchan": ({"PUSH_KEY": "SCT12345TabcDEF"}, "schan://SCT12345TabcDEF"),
    "pushplus": ({"PUSH_PLUS_TOKEN": "0123456789abcdef0123456789abcdef"}, "pushplus://0123456789abcdef0123456789abcdef"),
    "pushplus topic": ({"PUSH_PLUS_TOKEN": "0123456789abcdef0123456789abcdef", "PUSH_PLUS_USER": "family"},
                       "pushplus://0123456789abcdef0123456789abcdef/family"),
    "wecom bot": ({"QYWX_KEY": "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"}, "wecombot://693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"),
    "wecom app": ({"QYWX_AM": "ww0123456789abcd,SecretSecret123,@all,1000002"}, "wechat://ww0123456789abcd:SecretSecret123@1000002/?to=%40all"),
    "wecom app users": ({"QYWX_AM": "wwcorp,Secret99,zhang|li,1000002"}, "wechat://wwcorp:Secret99@1000002/?to=%40zhang%7C%40li"),
    "dingtalk": ({"DD_BOT_TOKEN": DD_TOKEN, "DD_BOT_SECRET": "SECabc123"}, f"dingtalk://SECabc123@{DD_TOKEN}/"),
    "feishu": ({"FSKEY": "0d3b3a7c-1234-4567-89ab-0123456789ab"}, "feishu://0d3b3a7c-1234-4567-89ab-0123456789ab"),
    "gotify": ({"GOTIFY_URL": "https://push.example.de:8080", "GOTIFY_TOKEN": "AbCdEf123456", "GOTIFY_PRIORITY": 0},
               "gotifys://push.example.de:8080/AbCdEf123456?priority=low"),
    "gotify subpath http": ({"GOTIFY_URL": "http://nas/gotify/", "GOTIFY_TOKEN": "Tok123456", "GOTIFY_PRIORITY": "8"},
                            "gotify://nas/gotify/Tok123456?priority=high"),
    "ntfy.sh": ({"NTFY_TOPIC": "quark-news"}, "ntfys://ntfy.sh/quark-news"),
    "ntfy own server": ({"NTFY_TOPIC": "quark", "NTFY_URL": "http://ntfy.lan:81", "NTFY_PRIORITY": "4"},
                        "ntfy://ntfy.lan:81/quark?priority=high"),
    "pushdeer": ({"PUSHDEER_KEY": "PDU1234TabcdEF"}, "pushdeer://PDU1234TabcdEF"),
    "pushdeer reference name + server": ({"DEER_KEY": "PDU99", "DEER_URL": "https://deer.lan/message/push"}, "pushdeers://deer.lan/PDU99"),
    "smtp ssl": (
        {"SMTP_SERVER": "smtp.exmail.qq.com:465", "SMTP_SSL": "true", "SMTP_EMAIL": "me@example.com",
         "SMTP_PASSWORD": "pw/1", "SMTP_NAME": "夸克", "SMTP_EMAIL_TO": "a@example.com,b@example.com"},
        "mailtos://smtp.exmail.qq.com:465?smtp=smtp.exmail.qq.com&user=me%40example.com&pass=pw%2F1&from=me%40example.com"
        "&name=%E5%A4%B8%E5%85%8B&to=a%40example.com,b%40example.com&mode=ssl"),
    "smtp plain to self": ({"SMTP_SERVER": "mail.lan:25", "SMTP_SSL": "false", "SMTP_EMAIL": "me@lan", "SMTP_PASSWORD": "x"},
                           "mailto://mail.lan:25?smtp=mail.lan&user=me%40lan&pass=x&from=me%40lan&to=me%40lan"),
    "webhook json": (
        {"WEBHOOK_URL": "https://hook.example.com/notify?src=q", "WEBHOOK_METHOD": "PUT",
         "WEBHOOK_BODY": "title: $title\ncontent: $content\nsource: quark", "WEBHOOK_HEADERS": "Authorization: Bearer abc",
         "WEBHOOK_CONTENT_TYPE": "application/json"},
        "jsons://hook.example.com/notify?method=PUT&+Authorization=Bearer%20abc&:version=&:type=&:attachments="
        "&:title=title&:message=content&:source=quark&-src=q"),
    "webhook form, default method": ({"WEBHOOK_URL": "http://hook.lan/x", "WEBHOOK_CONTENT_TYPE": "application/x-www-form-urlencoded"},
                                     "form://hook.lan/x?method=POST"),
}


@pytest.mark.parametrize("key", list(CASES))
def test_each_key_translates_to_an_apprise_url_apprise_accepts(key: str) -> None:
    config, expected = CASES[key]
    out = translate(config)
    assert out.urls == [expected]
    assert out.warnings == []
    assert apprise.Apprise.instantiate(expected) is not None  # a URL apprise itself can send with


def test_every_key_named_in_the_issue_has_a_case() -> None:
    named = {"BARK_PUSH", "TG_BOT_TOKEN", "TG_USER_ID", "PUSH_KEY", "PUSH_PLUS_TOKEN", "QYWX_KEY", "QYWX_AM", "DD_BOT_TOKEN",
             "DD_BOT_SECRET", "FSKEY", "GOTIFY_URL", "GOTIFY_TOKEN", "NTFY_TOPIC", "NTFY_URL", "PUSHDEER_KEY", "SMTP_SERVER",
             "SMTP_SSL", "SMTP_EMAIL", "SMTP_PASSWORD", "SMTP_NAME", "SMTP_EMAIL_TO", "WEBHOOK_URL", "WEBHOOK_METHOD",
             "WEBHOOK_BODY", "WEBHOOK_HEADERS", "WEBHOOK_CONTENT_TYPE"}
    covered = {key for config, _url in CASES.values() for key in config}
    assert named - covered == set()


def test_empty_values_and_switches_are_quiet() -> None:
    reference_template = {"HITOKOTO": False, "CONSOLE": True, "QUARK_SIGN_NOTIFY": False, "BARK_PUSH": "", "GOTIFY_PRIORITY": 0,
                          "NTFY_PRIORITY": "3", "_comment": "mine"}
    out = translate(reference_template)
    assert out.urls == [] and out.warnings == []


@pytest.mark.parametrize("config, named", [
    ({"GOBOT_URL": "http://127.0.0.1/send_private_msg", "GOBOT_QQ": "user_id=1"}, ["GOBOT_QQ", "GOBOT_URL"]),
    ({"IGOT_PUSH_KEY": "k", "QMSG_KEY": "k", "QMSG_TYPE": "send"}, ["IGOT_PUSH_KEY", "QMSG_KEY", "QMSG_TYPE"]),
    ({"TG_BOT_TOKEN": TG_TOKEN}, ["TG_BOT_TOKEN"]),  # its partner is missing
    ({"DD_BOT_SECRET": "SEC1"}, ["DD_BOT_SECRET"]),
    ({"PUSH_KEY": "sctp1234tABCDEF"}, ["PUSH_KEY"]),  # Server酱³
    ({"TG_BOT_TOKEN": TG_TOKEN, "TG_USER_ID": "1", "TG_API_HOST": "https://tg.proxy"}, ["TG_API_HOST"]),
    ({"WEBHOOK_URL": "https://h/x?t=$title", "WEBHOOK_METHOD": "GET"}, ["WEBHOOK_URL"]),
    ({"WEBHOOK_URL": "https://h/x", "WEBHOOK_BODY": "text: 【$title】$content"}, ["WEBHOOK_BODY text"]),
    ({"QYWX_AM": "only,three,parts"}, ["QYWX_AM"]),
])
def test_what_cannot_be_translated_is_warned_by_name(config: dict, named: list[str]) -> None:
    out = translate(config)
    for key in named:
        assert sum(f"push_config {key}:" in warning for warning in out.warnings) == 1, out.warnings
    assert all(warning.startswith("warning: push_config ") for warning in out.warnings)  # README's prefix
    for value in ("sctp1234tABCDEF", TG_TOKEN):
        assert all(value not in warning for warning in out.warnings)  # warnings name keys, never secrets
