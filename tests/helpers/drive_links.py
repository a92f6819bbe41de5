"""Every drive's link forms (issue 24, drives-api.md sections 4-11): the real shapes the reference quotes and
a hypothesis strategy writing a link of any drive from an id and a passcode. Shared by the link readers' tests
(tests/unit/providers/test_drive_links.py) and the resources commands' (tests/unit/resources/)."""

from __future__ import annotations

import string

from hypothesis import strategies as st

# (text, drive, share id, passcode): the ids and forms the reference quotes
FORMS = [
    # UC (section 4)
    ("https://drive.uc.cn/s/d60d722172f84?public=1#/list/share", "uc", "d60d722172f84", ""),
    ("https://drive.uc.cn/s/d60d722172f84?public=1&password=ab12#/list/share/abc-名字", "uc", "d60d722172f84", "ab12"),
    ("https://fast.uc.cn/s/d60d722172f84?pwd=x1y2", "uc", "d60d722172f84", "x1y2"),
    ("资源 https://drive.uc.cn/s/d60d722172f84 提取码:Qw3r", "uc", "d60d722172f84", "Qw3r"),
    ("https://drive.uc.cn/s/d60d722172f84\n提取码：abcd", "uc", "d60d722172f84", "abcd"),
    # Baidu (section 5): the API's surl is the /s/ id without its leading 1
    ("https://pan.baidu.com/s/1AbCdEfGh-ij_k?pwd=ab12", "baidu", "AbCdEfGh-ij_k", "ab12"),
    ("https://pan.baidu.com/share/init?surl=AbCdEfGh-ij_k&pwd=ab12", "baidu", "AbCdEfGh-ij_k", "ab12"),
    ("https://pan.baidu.com/wap/init?surl=AbCdEfGh", "baidu", "AbCdEfGh", ""),
    ("链接: https://pan.baidu.com/s/1AbCdEfGh 提取码: 9x8y 复制这段内容后打开百度网盘", "baidu", "AbCdEfGh", "9x8y"),
    ("https://yun.baidu.com/s/1AbCdEfGh\n密码：q1w2", "baidu", "AbCdEfGh", "q1w2"),
    ("https://pan.baidu.com/s/1AbCdEfGh提取码：q1w2", "baidu", "AbCdEfGh", "q1w2"),
    # Aliyun (section 6)
    ("https://www.alipan.com/s/4F9AbCdEfGh", "aliyun", "4F9AbCdEfGh", ""),
    ("https://www.aliyundrive.com/s/4F9AbCdEfGh/folder/64a1b2c3d4e5 提取码: 8x8x", "aliyun", "4F9AbCdEfGh", "8x8x"),
    ("https://www.aliyundrive.com/t/4F9AbCdEfGh?password=abcd", "aliyun", "4F9AbCdEfGh", "abcd"),
    ("https://alywp.net/4F9AbCdEfGh 提取码：ab12", "aliyun", "4F9AbCdEfGh", "ab12"),
    # 123 (section 7): every mirror, .html, per-user hosts, 提取码 glued or percent-encoded
    ("https://www.123pan.com/s/yXg6Vv-enZ7v", "123", "yXg6Vv-enZ7v", ""),
    ("https://www.123pan.cn/s/yXg6Vv-enZ7v.html?pwd=abcd", "123", "yXg6Vv-enZ7v", "abcd"),
    ("https://www.123684.com/s/yXg6Vv-enZ7v提取码:abcd", "123", "yXg6Vv-enZ7v", "abcd"),
    ("https://www.123865.com/s/yXg6Vv-enZ7v%E6%8F%90%E5%8F%96%E7%A0%81%3Aq1w2", "123", "yXg6Vv-enZ7v", "q1w2"),
    ("https://1814215835.share.123pan.cn/123pan/yXg6Vv-enZ7v", "123", "yXg6Vv-enZ7v", ""),
    ("https://www.123912.com/s/yXg6Vv-enZ7v 提取码：q1w2", "123", "yXg6Vv-enZ7v", "q1w2"),
    ("https://www.123592.com/s/yXg6Vv-enZ7v", "123", "yXg6Vv-enZ7v", ""),
    # Tianyi (section 8): the access code full-width after the link, or percent-encoded
    ("https://cloud.189.cn/t/AbCdEf123456（访问码：ab12）", "tianyi", "AbCdEf123456", "ab12"),
    ("https://cloud.189.cn/t/AbCdEf123456%EF%BC%88%E8%AE%BF%E9%97%AE%E7%A0%81%EF%BC%9Aab12%EF%BC%89", "tianyi", "AbCdEf123456", "ab12"),
    ("https://cloud.189.cn/web/share?code=AbCdEf123456", "tianyi", "AbCdEf123456", ""),
    ("https://h5.cloud.189.cn/share.html#/t/AbCdEf123456", "tianyi", "AbCdEf123456", ""),
    ("https://h5.cloud.189.cn/share/AbCdEf123456?accessCode=qq11", "tianyi", "AbCdEf123456", "qq11"),
    ("https://cloud.189.cn/t/AbCdEf123456 访问码：zx12", "tianyi", "AbCdEf123456", "zx12"),
    # 139 (section 9): the id in the query or the fragment
    ("https://caiyun.139.com/m/i?0a5CfleicjAWV", "mobile", "0a5CfleicjAWV", ""),
    ("https://caiyun.139.com/w/i/2rJV89vKpVPsr 提取码:ab12", "mobile", "2rJV89vKpVPsr", "ab12"),
    ("https://yun.139.com/shareweb/#/w/i/0a5CfleicjAWV", "mobile", "0a5CfleicjAWV", ""),
    ("https://yun.139.com/link/w/i/0a5CfleicjAWV", "mobile", "0a5CfleicjAWV", ""),
    ("http://caiyun.139.com/front/#/detail?linkID=0a5CfleicjAWV", "mobile", "0a5CfleicjAWV", ""),
    ("https://caiyun.feixin.10086.cn/0a5CfleicjAWV", "mobile", "0a5CfleicjAWV", ""),
    # 115 (section 10): password in the query or the fragment, a trailing # or &#
    ("https://115.com/s/swfsfjg3h7i?password=ab12", "115", "swfsfjg3h7i", "ab12"),
    ("https://115cdn.com/s/swfsfjg3h7i?password=ab12&#", "115", "swfsfjg3h7i", "ab12"),
    ("https://anxia.com/s/swfsfjg3h7i#password=ab12", "115", "swfsfjg3h7i", "ab12"),
    ("https://115.com/s/swfsfjg3h7i\n访问码：ab12", "115", "swfsfjg3h7i", "ab12"),
    # Xunlei (section 11)
    ("https://pan.xunlei.com/s/VOgB-u2O5NaciNH2WsBVJXNhA1?pwd=ab12#", "xunlei", "VOgB-u2O5NaciNH2WsBVJXNhA1", "ab12"),
    ("https://pan.xunlei.com/s/VOgB-u2O5NaciNH2WsBVJXNhA1 提取码：ab12", "xunlei", "VOgB-u2O5NaciNH2WsBVJXNhA1", "ab12"),
    # Quark keeps its own forms
    ("https://pan.quark.cn/s/abcd00000001?pwd=1234", "quark", "abcd00000001", "1234"),
]

ALNUM = string.ascii_letters + string.digits
# drive -> how a link of it is written from an id and a passcode; ids as the reference's patterns allow
MAKERS = {
    "uc": (st.text(ALNUM, min_size=8, max_size=24), lambda i, p: f"https://drive.uc.cn/s/{i}?pwd={p}"),
    "baidu": (st.text(ALNUM + "_-", min_size=5, max_size=24), lambda i, p: f"https://pan.baidu.com/s/1{i}?pwd={p}"),
    "aliyun": (st.text(ALNUM, min_size=8, max_size=14), lambda i, p: f"https://www.alipan.com/s/{i} 提取码：{p}"),
    "123": (st.text(ALNUM + "_-", min_size=1, max_size=30), lambda i, p: f"https://www.123pan.com/s/{i}?pwd={p}"),
    "tianyi": (st.text(ALNUM, min_size=8, max_size=14), lambda i, p: f"https://cloud.189.cn/t/{i}（访问码：{p}）"),
    "mobile": (st.text(ALNUM + "_-", min_size=8, max_size=20), lambda i, p: f"https://caiyun.139.com/w/i/{i}\n提取码:{p}"),
    "115": (st.text(ALNUM, min_size=8, max_size=24), lambda i, p: f"https://115.com/s/{i}?password={p}"),
    "xunlei": (st.text(ALNUM + "_-", min_size=8, max_size=30), lambda i, p: f"https://pan.xunlei.com/s/{i}?pwd={p}"),
}


@st.composite
def drive_links(draw: st.DrawFn) -> tuple[str, str, str, str]:
    drive = draw(st.sampled_from(sorted(MAKERS)))
    ids, make = MAKERS[drive]
    share_id, code = draw(ids), draw(st.text(ALNUM, min_size=4, max_size=4))
    return drive, share_id, code, make(share_id, code)
