"""Titles as a search result's note writes them (issue 25, "Choosing a candidate"): the wanted title read
from a row's name and alias, and where a note names it.

A note matches only where the title stands as a whole: before it the note's start, a separator, a change
of script or a genre label ("电视剧"); after it the note's end, a separator, a change of script or a marker
(season, episode, year, quality). "新庆余年" and "庆余年之XX外传" are other titles: a wrong series saved
into a user's drive is worse than none. Comparisons ignore width (NFKC), case, spaces and punctuation;
simplified and traditional characters are not folded.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
# A number as titles write it: digits, or Chinese up to 99 ("十二", "二十三"). re.ASCII everywhere below:
# a Unicode digit ("٣", "²") is no number here.
NUM = r"(?:\d{1,4}|[零〇一二两三四五六七八九十]{1,3})"
# Years a release names; 2040 on reads as part of a title ("Blade Runner 2049").
YEAR = r"(?:19\d\d|20[0-3]\d)"
_YEARS = re.compile(rf"(?<![0-9a-z])({YEAR})(?![0-9a-z])", re.ASCII)
_RANGE = r"\s*(?:[-~～—至到]|to)\s*"
_SEASON_MARKS = (
    re.compile(rf"第\s*({NUM})(?:{_RANGE}(?:第\s*)?({NUM}))?\s*[季部]", re.ASCII),  # no two \s* meet: episodes.py
    re.compile(rf"全\s*({NUM})\s*[季部]()", re.ASCII),  # all N seasons: 1..N
    re.compile(rf"(?<![0-9])({NUM}){_RANGE}({NUM})\s*季", re.ASCII),  # 1-2季
    # S02, S02E05, S01-S03 ("e" may follow: the episode)
    re.compile(rf"(?<![a-z0-9])s(\d{{1,2}})(?:{_RANGE}s?(\d{{1,2}}))?(?![0-9a-df-z])", re.ASCII),
    re.compile(rf"(?<![a-z])seasons?\s*(\d{{1,2}})(?:{_RANGE}(\d{{1,2}}))?(?![0-9])", re.ASCII),
    # an attacker's review: "二季" without 第, "季2"; not "第二季", "全三季", "1-2季" (above), nor "第2季12集"'s episodes
    re.compile(r"(?<![第全共0-9一二三四五六七八九十两~～—至到-])(\d{1,2}|[一二三四五六七八九十两]{1,2})\s*季()"),
    re.compile(r"季\s*(\d{1,2}|[一二三四五六七八九十]{1,2})()(?![0-9pik])(?!\s*[集话話期回])", re.ASCII),
)
# Another part of one work: "Dune Part Two", "Part 2", "上部"/"下部" (read as its season: first or a later one)
_PARTS = re.compile(r"(?<![a-z])part[\s._\-]*(\d{1,2}|one|two|three|four|five|iii|ii|iv|v|i)(?![a-z0-9])", re.ASCII)
_PART_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}
_CN_PARTS = re.compile(r"([上中下])[部篇]")
_CN_HALVES = {"上": 1, "中": 2, "下": 2}  # a later part of a 上/中/下 split reads as the second: another one all the same
# Right after the title only: a Roman numeral II-X numbers a sequel or a season ("Frozen II"; NFKC reads "Ⅱ" as
# "ii"), a lone 上/下 in brackets or after a space a part ("庆余年 (下)")
ROMAN = {"ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}
_ROMAN_AFTER = re.compile(r"[\s._\-]*(viii|vii|iii|ii|iv|vi|ix|v|x)(?![a-z0-9])", re.ASCII)
_HALF_AFTER = re.compile(r"[\s._\-(\[（【]+([上中下])(?=[)\]）】\s]|$)")
# Right after the title, a season written alone: "庆余年（二）", "庆余年 (2)", "庆余年 二"; a sequel: "庆余年 续集"
_NUMBER_AFTER = re.compile(r"[\s._\-]*[(\[（【]\s*(\d{1,2}|[一二三四五六七八九十]{1,2})\s*[)\]）】]|[\s._\-]+([二三四五六七八九十])(?![\u3400-\u9fff])")
_SEQUEL = re.compile(r"续集|续作|续篇")
# A bare number right after the title is its season ("庆余年2", "流浪地球 2"), unless it starts an episode
# range, an episode or a date, or is zero-padded (an episode: "庆余年 01").
_BARE_SEASON = re.compile(r"[\s._\-]*([1-9]\d?)(?![0-9])(?!\s*(?:[-~～]\s*\d|[集话話期回年月日]|[pikx]|\.\d))", re.ASCII)
_ALL_SEASONS = 1  # marker of _SEASON_MARKS[1]: "全三季" names seasons 1 to 3
# What may follow a title with no separator and still leave it whole (checked on the compact text)
_GLUED_AFTER = re.compile(
    r"第|全|共|更新|完结|合集|系列|国语|粤语|国粤|中字|中英|双语|高清|超清|蓝光|杜比|原盘|无删减|未删减|加长|导演剪辑|完整版"
    r"|最新|连载|预告|花絮|片花|样片|剧集|附|内封|内嵌|特效|\d{1,3}(?!\d)|" + YEAR + r"(?!\d)|\d{3,4}[pi]|[48]k"
    r"|s\d|e\d|ep\d|season|complete|hdr|dolby|bluray|web|hd|uhd|remux|[hx]26[45]|hevc|avc|ddp|dts|aac|atmos|dv|\d+bit"
    r"|nf|amzn|atvp|dsnp|hmax|itunes|proper|repack|multi|chs|cht|eng|trailer|teaser|pv|sample",
    re.ASCII,
)
# What may come right before a title with no separator: the labels notes start with
_GLUED_BEFORE = ("电视剧", "电影", "动漫", "动画", "番剧", "纪录片", "综艺", "剧集", "剧", "名称", "标题", "片名", "剧名", "资源",
                 "合集", "高清", "超清", "蓝光", "杜比", "国语", "粤语", "4k", "最新", "完结", "更新")
# A subtitle: a colon or dash after the title, then words ("沙丘：预言", "Dune: Part Two") are another work's
_SUBTITLE = re.compile(r"\s*(?:[:：·・]|[-—–]+)")
# Another work built on the title: passed over even after a separator ("庆余年 外传")
_SPINOFF = ("之", "外传", "前传", "后传", "番外", "新传", "别传", "剧场版", "电影版", "大电影", "衍生", "特别篇")
_NEAR = 64
_EXTENSION = re.compile(r"\.(?:mkv|mp4|avi|ts|rmvb|flv|mov|wmv|m2ts|iso|srt|ass)$")
_CJK_RANGES = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0x20000, 0x3134F))


def normalise(text: str) -> str:
    """Width and case folded: "ＦＯＵＮＤＡＴＩＯＮ　Ｓ０２" reads "foundation s02"."""
    return unicodedata.normalize("NFKC", text).casefold()


def script(char: str) -> str | None:
    """"cjk", "digit", "word" (any other letter or mark), or None for a separator (space, punctuation, symbol,
    control)."""
    code = ord(char)
    if any(lo <= code <= hi for lo, hi in _CJK_RANGES) or char == "〇":
        return "cjk"
    if "0" <= char <= "9":
        return "digit"
    return "word" if unicodedata.category(char)[0] in "LMN" else None


def cn_number(text: str) -> int | None:
    """`12`, `十二`, `二十三`, `两` as a number; None for anything else."""
    if text.isascii() and text.isdigit():
        return int(text)
    if "十" not in text:
        return CN_DIGITS.get(text) if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1 or (tens and tens not in CN_DIGITS) or (ones and ones not in CN_DIGITS):
        return None
    return (CN_DIGITS[tens] if tens else 1) * 10 + (CN_DIGITS[ones] if ones else 0)


def span(first: str, last: str | None) -> set[int]:
    """A number or a range of them ("1", "1".."3"); a range over 100 or backwards is just its first."""
    lo, hi = cn_number(first), cn_number(last) if last else None
    if lo is None:
        return set()
    if hi is None or hi < lo or hi - lo > 100:
        return {lo}
    return set(range(lo, hi + 1))


def seasons_in(text: str) -> set[int]:
    """The seasons a normalised text names: 第二季, 第1-2季, 全三季, S02, S01E05, S01-S03, Season 2."""
    found: set[int] = set()
    for n, pattern in enumerate(_SEASON_MARKS):
        for match in pattern.finditer(text):
            if n == _ALL_SEASONS:
                found |= span("1", match.group(1))
            else:
                found |= span(match.group(1), match.group(2))
    found |= {_PART_WORDS.get(m.group(1)) or int(m.group(1)) for m in _PARTS.finditer(text)}
    found |= {_CN_HALVES[m.group(1)] for m in _CN_PARTS.finditer(text)}
    return found


def years_in(text: str) -> set[int]:
    """The years a normalised text names (1900-2039, not glued to a letter or digit: not 2160p, 1920x1080)."""
    return {int(y) for y in _YEARS.findall(text)}


@dataclass(frozen=True)
class Compact:
    """A normalised text's word characters, with where each stood and where separators fell between them."""

    text: str
    chars: str
    where: tuple[int, ...]  # index in `text` of each of `chars`
    breaks: tuple[int, ...]  # sorted: i where a separator came before chars[i]; 0 and len(chars) always

    @classmethod
    def of(cls, text: str) -> Compact:
        chars: list[str] = []
        where: list[int] = []
        breaks = [0]
        for i, char in enumerate(text):
            if script(char) is None:
                if chars and breaks[-1] != len(chars):
                    breaks.append(len(chars))
                continue
            chars.append(char)
            where.append(i)
        if breaks[-1] != len(chars):
            breaks.append(len(chars))
        return cls(text, "".join(chars), tuple(where), tuple(breaks))

    def glued_before(self, start: int) -> str:
        return self.chars[self.breaks[bisect_right(self.breaks, start) - 1]:start]

    def glued_after(self, end: int) -> str:
        return self.chars[end:self.breaks[bisect_left(self.breaks, end)]]


@dataclass(frozen=True)
class TitleMatch:
    """Where a title stands in a note: the title as wanted, and the note's normalised text around it."""

    title: str
    head: str
    tail: str

    @property
    def rest(self) -> str:
        """The note without the title, for its markers (a title's own number or word is not a marker)."""
        return f"{self.head} {self.tail}"


def _whole_before(glued: str, title: str) -> bool:
    return not glued or script(glued[-1]) != script(title[0]) or glued.endswith(_GLUED_BEFORE)


def _whole_after(glued: str, title: str) -> bool:
    if not glued:
        return True
    if script(glued[0]) == "digit" and script(title[-1]) == "digit":
        return False  # "24" in "242": the number goes on
    if _GLUED_AFTER.match(glued):
        return True
    return script(glued[0]) != "digit" and script(glued[0]) != script(title[-1])


def _subtitled(tail: str, title: str) -> bool:
    """"：预言 S01" after 沙丘 is a subtitle; "：第二季" and "- 4K" are markers, "： Dune" the title in another script."""
    colon = _SUBTITLE.match(tail)
    if colon is None:
        return False
    after = Compact.of(tail[colon.end():])
    return not _whole_after(after.chars[:after.breaks[1]] if len(after.breaks) > 1 else "", title)


def find_title(note: Compact, title: str) -> TitleMatch | None:
    """The first place `note` names `title` (normalised) as a whole title, or None."""
    wanted = Compact.of(title).chars
    if not wanted:
        return None
    start = note.chars.find(wanted)
    while start >= 0:
        end = start + len(wanted)
        if _whole_before(note.glued_before(start), wanted) and _whole_after(note.glued_after(end), wanted):
            head, tail = note.text[:note.where[start]], note.text[note.where[end - 1] + 1:]
            near = tail[:_NEAR]  # what decides is right after the title: a long note costs no more per place
            if not Compact.of(near).chars.startswith(_SPINOFF) and not _subtitled(near, wanted):
                return TitleMatch(title, head, tail)
        start = note.chars.find(wanted, start + 1)
    return None


def note_seasons(match: TitleMatch) -> set[int]:
    """The seasons a note names around the title it matched, the bare number after the title included."""
    found = seasons_in(match.rest)
    bare = _BARE_SEASON.match(match.tail)
    if bare:
        found.add(int(bare.group(1)))
    if roman := _ROMAN_AFTER.match(match.tail):
        found.add(ROMAN[roman.group(1)])
    if half := _HALF_AFTER.match(match.tail):
        found.add(_CN_HALVES[half.group(1)])
    if (alone := _NUMBER_AFTER.match(match.tail)) and (n := cn_number(alone.group(1) or alone.group(2))) is not None:
        found.add(n)
    if _SEQUEL.search(match.tail):
        found.add(2)
    return found


# Words after a Latin title that leave it whole: markers (_GLUED_AFTER) and these
_PLAIN_WORDS = frozenset({"series", "complete", "extended", "uncut", "remastered", "collection", "boxset", "dvd", "dvdrip", "bdrip",
                          "webrip", "hdtv", "hdrip", "bdremux", "imax", "sdr", "unrated", "theatrical", "limited", "criterion",
                          "director", "directors", "episode", "episodes", "part", "vol", "edition", "version", *ROMAN})
# Brackets separate as a space does (a second review of issue 25: "Alien (Romulus) 2024", "The Office (UK)" and
# "三体（黑暗森林）" were kept while "Alien Romulus" and "三体 黑暗森林" were not); NFKC makes "（［" "(["
_BRACKETS = "()[]【】〔〕{}《》<>「」『』"
_NEXT_WORD = re.compile(r"([\s._" + re.escape(_BRACKETS) + r"]+)([a-z]+)(?![a-z0-9'])", re.ASCII)
# Who made or shows it, in brackets after the title, names the same work: "Sherlock (BBC)", "Dark [Netflix]"
_BRACKETED_LABELS = frozenset({"bbc", "hbo", "netflix", "amazon", "apple", "disney", "pbs", "itv", "fx", "amc", "showtime",
                               "starz", "tv", "web", "hd", "uhd"})
_LAST_WORD = re.compile(r"(?<![a-z0-9'])([a-z]+)[\s._]+$", re.ASCII)
# Words before a Latin title that leave it whole: who made or shows it, and the labels of _GLUED_BEFORE
_PLAIN_BEFORE = frozenset({"bbc", "hbo", "netflix", "nf", "amazon", "amzn", "apple", "disney", "marvel", "dc", "pbs", "itv", "fx", "amc",
                           "showtime", "starz", "tv", "the", "web", "hd", "uhd", "new", "complete", "movie", "series", "film"})
# Words after a CJK title, after a space, that leave it whole: labels, versions of the same work
_CJK_PLAIN = ("电视剧", "电影", "剧集", "全集", "高清", "超清", "蓝光", "中字", "中英", "双语", "字幕", "国语", "粤语", "国粤", "无删减",
              "未删减", "完整", "加长", "导演剪辑", "原盘", "杜比", "完结", "合集", "系列", "连载", "最新", "附", "内封", "内嵌", "特效",
              "纪录片", "动漫", "动画", "番剧", "综艺", "剧版", "电视版", "网剧", "大陆", "国产", "美剧", "英剧", "日剧", "韩剧", "港剧",
              "台剧", "泰剧", "热播", "独播", "首播", "热门", "经典", "收藏", "精品", "珍藏", "修复", "重制", "典藏", "正片", "分集",
              "上部", "中部", "下部", "上篇", "中篇", "下篇")  # a part: seasons_in reads it


def _cjk_word(tail: str) -> str | None:
    """The CJK word after the title and a separator ("三体 黑暗森林"): 2 or more CJK characters, no marker or label."""
    stripped = tail.lstrip(" ._-|/·・" + _BRACKETS)
    if len(stripped) == len(tail):
        return None  # glued to the title: _whole_after decided
    word = ""
    for char in stripped:
        if script(char) != "cjk":
            break
        word += char
    if len(word) < 2 or _GLUED_AFTER.match(word) or word.startswith(_CJK_PLAIN) or seasons_in(word) or _SEQUEL.match(word):
        return None  # a marker, a label, a season ("二季": note_seasons reads it)
    return word


def longer_title(match: TitleMatch, note: str) -> str | None:
    """The word that makes the title a longer one, or None. For a Latin title a word right after it that is no
    marker ("Sherlock Holmes 2009", "Alien vs Predator", "Sherlock Jr"; "Sherlock S01 1080p" and "Sherlock complete"
    keep it) or a word right before it that is no label ("Young Sherlock"; "BBC Sherlock" keeps it); for a CJK title
    a CJK word after a space that is no marker or label ("三体 黑暗森林", another book; "三体 全30集" keeps it).
    `note` is unused: kept for the callers (the case no longer counts: an attacker's review, "sherlock jr")."""
    del note
    if not match.title:
        return None
    if script(match.title[-1]) == "cjk" and script(match.title[0]) == "cjk":
        return _cjk_word(match.tail)
    if script(match.title[-1]) != "word" or not match.title[-1].isascii():
        return None
    word = _NEXT_WORD.match(match.tail)
    if word is not None and word.group(2) not in _PLAIN_WORDS and not _GLUED_AFTER.fullmatch(word.group(2)):
        if not (word.group(2) in _BRACKETED_LABELS and set(word.group(1)) & set(_BRACKETS)):
            return word.group(2)
    before = _LAST_WORD.search(match.head) if match.title[0].isascii() and script(match.title[0]) == "word" else None
    if before is not None and before.group(1) not in _PLAIN_BEFORE and not _GLUED_AFTER.fullmatch(before.group(1)):
        return before.group(1)
    return None


@dataclass(frozen=True)
class ParsedTitle:
    title: str
    season: int | None
    year: int | None


def parse_title(name: str) -> ParsedTitle:
    """A row's name or alias read as a title, a season and a year: "庆余年 第二季", "庆余年2", "Foundation S02",
    "沙丘 (2021)", "沙丘2021", "庆余年.S01E01.2160p.mkv" (an alias may be a saved file's name).

    The title is what comes before the first marker; a trailing 1-2 digit number after a CJK title is
    its season ("庆余年2"), while a Latin title keeps its number ("Toy Story 3": sequels are numbered so).
    """
    text = _EXTENSION.sub("", normalise(name).strip())
    marks = [m for p in (*_SEASON_MARKS, _PARTS, _CN_PARTS, _YEARS, re.compile(r"(?<![a-z0-9])(?:e|ep)\d{1,4}|\d{3,4}[pi](?![a-z])|[48]k(?![a-z])",
                                                              re.ASCII)) for m in p.finditer(text)]
    seasons = seasons_in(text)
    years = years_in(text)
    cut = min((m.start() for m in marks), default=len(text))
    title = text[:cut]
    if not Compact.of(title).chars:  # "[2021] 沙丘": the title comes after its markers
        title = text
        for m in sorted(marks, key=lambda m: -m.start()):
            title = title[:m.start()] + " " + title[m.end():]
    if not Compact.of(title).chars:  # "1917": the year is the title
        return ParsedTitle(_clean(text), None, None)
    title = _clean(title)
    bare = re.search(r"(?<=[^0-9])[\s._\-]*([1-9]\d?)$", title, re.ASCII)
    if bare and script(title[bare.start() - 1]) == "cjk" and not seasons:
        seasons = {int(bare.group(1))}
        title = _clean(title[:bare.start()])
    roman = re.search(r"[\s._\-]*\b(viii|vii|iii|ii|iv|vi|ix|v|x)$", title, re.ASCII)
    if roman and roman.start() > 0 and script(title[roman.start() - 1]) == "cjk" and not seasons:  # "流浪地球Ⅱ"
        seasons = {ROMAN[roman.group(1)]}
        title = _clean(title[:roman.start()])
    return ParsedTitle(title, min(seasons) if len(seasons) == 1 else None, min(years) if len(years) == 1 else None)


def _clean(text: str) -> str:
    """Separators trimmed from both ends; brackets left empty by a cut marker gone ("沙丘 ()")."""
    text = re.sub(r"[(\[（【〔{《<]\s*[)\]）】〕}》>]", " ", text)
    start, end = 0, len(text)
    while start < end and script(text[start]) is None:
        start += 1
    while end > start and script(text[end - 1]) is None:
        end -= 1
    return text[start:end]
