"""Golden tests of the rename engine against quark-auto-save's behaviour.

"README" is the reference README's 正则整理示例 table; "template" is the reference's own
quark_config.json; "code" names the MagicRename method (quark_auto_save.py, Modify: 2026-02-04)
whose logic gives the expected value.
"""

from __future__ import annotations

from datetime import date

import pytest

from quarkctl.config.autosave.rename import BUILTIN_MAGIC_REGEX, Renamer, RenameError, explicit_group_refs

TODAY = date(2026, 3, 4)
SHOW_PRO = {  # the reference template's magic_regex entry
    "pattern": r"^(?!.*纯享)(?!.*加更)(?!.*抢先)(?!.*预告).*?第\d+期.*",
    "replace": "{II}.{TASKNAME}.{DATE}.第{E}期{PART}.{EXT}",
}


def renamer(taskname: str = "鸣xx年", **magic: dict[str, str]) -> Renamer:
    return Renamer(magic, taskname, today=TODAY)


# -- README examples ---------------------------------------------------------------------------


@pytest.mark.parametrize(("pattern", "replace", "source", "expected"), [
    # README: `.*` and no replace: save everything, no renaming
    (".*", "", "【电影TT】形似走肉01.mp4", "【电影TT】形似走肉01.mp4"),
    # README: `^【电影TT】形似走肉(\d+).(mp4|mkv)` + `\1.\2`
    (r"^【电影TT】形似走肉(\d+).(mp4|mkv)", r"\1.\2", "【电影TT】形似走肉01.mp4", "01.mp4"),
    (r"^【电影TT】形似走肉(\d+).(mp4|mkv)", r"\1.\2", "【电影TT】形似走肉02.mkv", "02.mkv"),
    # README: `^(\d+).mp4` + `S02E\1.mp4`
    (r"^(\d+).mp4", r"S02E\1.mp4", "01.mp4", "S02E01.mp4"),
    (r"^(\d+).mp4", r"S02E\1.mp4", "02.mp4", "S02E02.mp4"),
])
def test_readme_examples(pattern: str, replace: str, source: str, expected: str) -> None:
    r = renamer()
    assert r.matches(pattern, source)
    assert r.new_name(pattern, replace, source) == expected


def test_readme_filters_without_renaming() -> None:
    # README: `\.mp4$` and no replace: every .mp4, names kept
    r = renamer()
    assert [n for n in ("a.mp4", "b.mkv", "c.mp4.txt") if r.matches(r"\.mp4$", n)] == ["a.mp4"]
    assert r.new_name(r"\.mp4$", "", "a.mp4") == "a.mp4"
    assert r.matches("", "anything at all.txt")  # an empty pattern takes everything


# -- magic regex ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "expected"), [
    # code: magic_regex["$TV"] pattern with replace \1E\2.\3
    ("Show.S02E05.1080p.mkv", "S02E05.mkv"),
    ("第10集.mp4", "E10.mp4"),
    ("EP03.mp4", "E03.mp4"),
    ("12.mp4", "E12.mp4"),
    ("我的剧 (05).mp4", "E05.mp4"),
])
def test_tv(source: str, expected: str) -> None:
    r = renamer()
    assert r.matches("$TV", source)
    assert r.new_name("$TV", "", source) == expected


def test_tv_takes_only_videos() -> None:
    r = renamer()
    assert not r.matches("$TV", "01.srt")
    assert not r.matches("$TV", "简介.txt")


def test_black_word_filters_and_does_not_rename() -> None:
    # code: magic_regex["$BLACK_WORD"], replace "" = no rename
    r = renamer()
    names = ["第1期.mp4", "第1期 纯享版.mp4", "第1期 加更.mp4", "超前企划.mp4", "训练室 01.mp4", "蒸蒸日上.mp4", "第2期上.mp4"]
    assert [n for n in names if r.matches("$BLACK_WORD", n)] == ["第1期.mp4", "第2期上.mp4"]
    assert r.new_name("$BLACK_WORD", "", "第1期.mp4") == "第1期.mp4"


def test_resolve_uses_magic_replace_only_when_the_task_has_none() -> None:
    # code: magic_regex_conv
    r = renamer()
    assert r.resolve("$TV", "") == (BUILTIN_MAGIC_REGEX["$TV"]["pattern"], r"\1E\2.\3")
    assert r.resolve("$TV", "{TASKNAME}.S02E{E}.{EXT}") == (BUILTIN_MAGIC_REGEX["$TV"]["pattern"], "{TASKNAME}.S02E{E}.{EXT}")
    assert r.resolve(r"(\d+)", "") == (r"(\d+)", "")
    assert r.resolve(*r.resolve("$TV", "")) == r.resolve("$TV", "")  # resolving twice changes nothing


def test_user_magic_regex_is_merged_over_the_builtins() -> None:
    r = Renamer({"$TV": {"pattern": r"(\d+)\.mp4", "replace": r"EP\1.mp4"}, "$TV_PRO": {"pattern": "", "replace": "{TASKNAME}.{SXX}E{E}.{EXT}"}},
                "剧", today=TODAY)
    assert r.new_name("$TV", "", "x 05.mp4") == "x EP05.mp4"
    assert r.new_name("$TV_PRO", "", "第10集.mp4") == "剧.S01E10.mp4"  # template: $TV_PRO
    assert r.matches("$BLACK_WORD", "第1期.mp4")  # the other built-in is still there


# -- magic variables -------------------------------------------------------------------------------


def test_taskname_e_ext() -> None:
    # issue: {TASKNAME}.S02E{E}.{EXT}; code: sub, {E} patterns in order
    r = renamer("鸣xx年")
    assert r.new_name("", "{TASKNAME}.S02E{E}.{EXT}", "第10集.mp4") == "鸣xx年.S02E10.mp4"
    assert r.new_name("$TV", "{TASKNAME}.S02E{E}.{EXT}", "鸣xx年 EP07 4K.mkv") == "鸣xx年.S02E07.mkv"
    assert r.new_name("", "{TASKNAME}.S02E{E}.{EXT}", "Show.S01E123.mp4") == "鸣xx年.S02E123.mp4"


def test_sxx_defaults_to_s01() -> None:
    # code: sub, `elif key == "{SXX}" and not match: "S01"`
    r = renamer("剧")
    assert r.new_name("", "{TASKNAME}.{SXX}E{E}.{EXT}", "第10集.mp4") == "剧.S01E10.mp4"
    assert r.new_name("", "{TASKNAME}.{SXX}E{E}.{EXT}", "剧.S02E05.mp4") == "剧.S02E05.mp4"
    assert r.new_name("", "S{S}E{E}.{EXT}", "x.s3e04.mp4") == "S3E04.mp4"


def test_unmatched_variables_are_removed() -> None:
    # code: sub, "清理未匹配的 magic_variable key"
    r = renamer("剧")
    assert r.new_name("", "{TASKNAME}{VER}{PART}.E{E}.{EXT}", "第3集.mp4") == "剧.E3.mp4"
    assert r.new_name("", "{TASKNAME}.{YEAR}.{EXT}", "剧 1998.mkv") == "剧.1998.mkv"
    assert r.new_name("", "{CHINESE}.{VER}.{EXT}", "今天 导演版.mp4") == "今天.导演版.mp4"


@pytest.mark.parametrize(("source", "expected"), [
    ("综艺 2024-01-05.mp4", "20240105.mp4"),  # 8 digits already: as the reference
    ("综艺 24.01.05.mp4", "20240105.mp4"),  # two-digit year: the century of today, as the reference
    ("综艺 20240105.mp4", "20240105.mp4"),  # second {DATE} pattern, kept
    ("综艺 240105 期.mp4", "20240105.mp4"),  # compact yymmdd: year filled in, as the reference
    ("综艺 01.05.mp4", "20260105.mp4"),  # no year: today's year (2026 injected), as the reference
    # Beyond the reference (issue: "normalised to 8 digits"): unpadded parts are padded.
    # The reference gives "20202415" and "202615" for these two.
    ("综艺 2024年1月5日.mp4", "20240105.mp4"),
    ("综艺 1月5 第3期.mp4", "20260105.mp4"),
])
def test_date_is_eight_digits_with_the_year_filled_in(source: str, expected: str) -> None:
    assert renamer().new_name("", "{DATE}.{EXT}", source) == expected


def test_empty_replace_means_no_rename_and_empty_pattern_means_whole_name() -> None:
    r = renamer("剧")
    assert r.new_name(r"(\d+)", "", "第3集.mp4") == "第3集.mp4"
    # empty pattern with a replace: the name is the filled-in template (code: `else: file_name = replace`)
    assert r.new_name("", "{TASKNAME}.E{E}.{EXT}", "乱七八糟 第3集 [1080p].mp4") == "剧.E3.mp4"


def test_group_reference_next_to_a_variable_and_backslashes_in_values() -> None:
    r = renamer("A\\B")
    # `\1{E}`: group 1 then the episode (the reference would read `\13` as group 13 and fail)
    assert r.new_name(r"^(.*?) 第\d+集\.mp4", r"\1{E}.mp4", "剧名 第3集.mp4") == "剧名3.mp4"
    assert r.new_name(r"^.*\.mp4$", r"{TASKNAME}.mp4", "x.mp4") == "A\\B.mp4"
    assert explicit_group_refs(r"\1\\2\10\101\g<1>") == r"\g<1>\\2\g<10>\101\g<1>"


def test_a_template_re_cannot_apply_is_a_rename_error() -> None:
    with pytest.raises(RenameError, match="invalid group reference"):
        renamer().new_name(r"(\d+)", r"\3", "01.mp4")


# -- already saved ------------------------------------------------------------------------------


def _saved(r, name: str, new_name: str, targets: list[str], ignore_extension: bool = False, is_dir: bool = False) -> bool:
    """The reference's two looks, as quarkctl/autosave/task.py makes them: the source name (a folder never
    ignores extensions), then, for a file, the renamed name."""
    if r.exists(name, targets, ignore_extension and not is_dir) is not None:
        return True
    return not is_dir and r.exists(new_name, targets, ignore_extension) is not None


def test_saved_when_the_original_or_the_renamed_name_is_there() -> None:
    # code: dir_check_and_save, is_exists(file_name) then is_exists(file_name_re)
    r = renamer()
    target = ["S02E01.mp4", "07.mp4"]
    assert _saved(r, "01.mp4", r.new_name(r"^(\d+).mp4", r"S02E\1.mp4", "01.mp4"), target)
    assert _saved(r, "07.mp4", "S02E07.mp4", target)
    assert not _saved(r, "02.mp4", "S02E02.mp4", target)


def test_ignore_extension_with_subtitles() -> None:
    # README 忽略后缀: 01.mp4 02.mp4 there, the source has 01.mkv 02.mkv 03.mkv: only 03.mkv is new.
    # code: is_exists compares os.path.splitext(name)[0], so 01.srt counts as saved next to 01.mp4,
    # while 01.chs.ass (stem "01.chs") does not.
    r = renamer()
    target = ["01.mp4", "02.mp4"]
    share = ["01.mkv", "02.mkv", "03.mkv", "01.srt", "02.ass", "01.chs.ass", "03.srt"]
    assert [n for n in share if not _saved(r, n, n, target, True)] == ["03.mkv", "01.chs.ass", "03.srt"]
    assert [n for n in share if not _saved(r, n, n, target, False)] == share
    # the renamed name too: S02E01.mkv is there, so 01.srt renamed to S02E01.srt is saved already
    assert _saved(r, "01.srt", "S02E01.srt", ["S02E01.mkv"], True)
    assert not _saved(r, "01.srt", "S02E01.srt", ["S02E01.mkv"], False)


def test_folders_never_ignore_extensions_and_are_not_renamed() -> None:
    # code: is_exists(..., ignore_extension and not share_file["dir"])
    r = renamer()
    assert not _saved(r, "Season.2", "Season.2", ["Season.1"], True, is_dir=True)
    assert _saved(r, "Season.2", "Season.2", ["Season.2"], True, is_dir=True)
    assert not _saved(r, "4k", "renamed", ["renamed"], False, is_dir=True)


def test_a_sequence_slot_matches_any_number() -> None:
    # code: is_exists, `{I+}` -> \d per I, re.match
    r = renamer()
    assert r.exists("{II}.综艺.20240105.第1期上.mp4", ["01.综艺.20240105.第1期上.mp4"]) == "01.综艺.20240105.第1期上.mp4"
    assert r.exists("{II}.综艺.20240105.第1期上.mp4", ["1.综艺.20240105.第1期上.mp4"]) is None
    assert r.exists("{III}.x.mp4", ["012.x.mp4"], ignore_extension=True) == "012.x.mp4"


# -- {I} numbering -------------------------------------------------------------------------------


def entry(name: str, updated_at: int = 0, is_dir: bool = False) -> dict[str, object]:
    return {"file_name": name, "updated_at": updated_at, "dir": is_dir, "fid": name}


def test_sequence_continues_an_existing_one() -> None:
    # code: set_dir_file_list + sort_file_list: 01, 02 exist, the new episodes follow
    r = renamer("剧")
    target = [entry("剧.01.第1集.mp4"), entry("剧.02.第2集.mp4"), entry("字幕", is_dir=True)]
    share = [entry("第4集.mp4", 40), entry("第3集.mp4", 30)]
    assert r.plan(share, target, "", "{TASKNAME}.{II}.第{E}集.{EXT}") == [
        ("第4集.mp4", "剧.04.第4集.mp4"),
        ("第3集.mp4", "剧.03.第3集.mp4"),
    ]


def test_show_pro_template_from_the_reference() -> None:
    # template: $SHOW_PRO. Existing 01 (第1期上) and 02 (第1期下); the new 第2期上/下 become 03 and 04,
    # 上 before 下 (ordinals ranked), although the share lists 下 first.
    r = renamer("综艺", **{"$SHOW_PRO": SHOW_PRO})
    target = ["01.综艺.20240105.第1期上.mp4", "02.综艺.20240105.第1期下.mp4"]
    share = [entry("综艺 2024.01.12 第2期下.mp4", 300), entry("综艺 2024.01.12 第2期上.mp4", 200),
             entry("综艺 2024.01.05 第1期上.mp4", 100), entry("综艺 2024.01.12 第2期 纯享版.mp4", 300)]
    wanted = [f for f in share if r.matches("$SHOW_PRO", f["file_name"])]
    new = [f for f in wanted if not _saved(r, f["file_name"], r.new_name("$SHOW_PRO", "", f["file_name"]), target)]
    assert [f["file_name"] for f in new] == ["综艺 2024.01.12 第2期下.mp4", "综艺 2024.01.12 第2期上.mp4"]
    assert r.plan(new, target, "$SHOW_PRO", "") == [
        ("综艺 2024.01.12 第2期下.mp4", "04.综艺.20240112.第2期下.mp4"),
        ("综艺 2024.01.12 第2期上.mp4", "03.综艺.20240112.第2期上.mp4"),
    ]


def test_chinese_ordinals_are_ranked() -> None:
    # code: _custom_sort_key: 上 中 下 一 二 ... 十 sort in that order (plain code points would not)
    r = renamer()
    share = [entry(n + ".mp4") for n in ("第三集", "第十集", "第一集", "第二集")]
    assert dict(r.plan(share, [], "", "{II}.{CHINESE}.{EXT}")) == {
        "第一集.mp4": "01.第一集.mp4", "第二集.mp4": "02.第二集.mp4", "第三集.mp4": "03.第三集.mp4", "第十集.mp4": "04.第十集.mp4",
    }
    parts = [entry(f"纪录片{p}.mp4") for p in "下中上"]
    assert dict(r.plan(parts, [], "", "{I}.{CHINESE}.{EXT}")) == {
        "纪录片上.mp4": "1.纪录片上.mp4", "纪录片中.mp4": "2.纪录片中.mp4", "纪录片下.mp4": "3.纪录片下.mp4",
    }


def test_natural_order_then_modification_time() -> None:
    # code: sort_file_list sorts f"{file_name_re}_{updated_at}" with natsort: 9 before 10, and equal
    # names by their modification time
    r = renamer("剧")
    share = [entry("E10.mp4", 5), entry("E9.mp4", 5)]
    assert dict(r.plan(share, [], "", "{II}.E{E}.{EXT}")) == {"E9.mp4": "01.E9.mp4", "E10.mp4": "02.E10.mp4"}
    same = [entry("a.mp4", 200), entry("b.mp4", 100)]
    assert dict(r.plan(same, [], "", "{TASKNAME}.{II}.{EXT}")) == {"b.mp4": "剧.01.mp4", "a.mp4": "剧.02.mp4"}


def test_numbers_in_use_are_skipped_and_holes_filled_by_position() -> None:
    # code: sort_file_list: a new file takes its position in the merged order, then moves up past
    # numbers in use. With 01 and 05 there, 第2集 (position 2) gets 02 and 第6集 (position 4) gets 04.
    r = renamer("剧")
    target = ["剧.01.第1集.mp4", "剧.05.第5集.mp4"]
    share = [entry("第6集.mp4", 6), entry("第2集.mp4", 2)]
    assert dict(r.plan(share, target, "", "{TASKNAME}.{II}.第{E}集.{EXT}")) == {
        "第2集.mp4": "剧.02.第2集.mp4", "第6集.mp4": "剧.04.第6集.mp4",
    }
    # all of 01..03 taken: the new one moves past them
    target = ["剧.01.第1集.mp4", "剧.02.第2集.mp4", "剧.03.第3集.mp4"]
    assert r.plan([entry("第0集.mp4")], target, "", "{TASKNAME}.{II}.第{E}集.{EXT}") == [("第0集.mp4", "剧.04.第0集.mp4")]


def test_identical_new_names_get_distinct_numbers() -> None:
    r = renamer("剧")
    assert sorted(n for _, n in r.plan(["x.mp4", "y.mp4"], [], "", "{TASKNAME}.{II}.{EXT}")) == ["剧.01.mp4", "剧.02.mp4"]


def test_a_template_with_only_a_number_sees_every_file_as_saved() -> None:
    # code: is_exists with a {I} slot: with nothing else telling episodes apart, one existing file
    # makes every new one "already there". Users must put {E} or a group in such templates.
    r = renamer("剧")
    assert _saved(r, "第9集.mp4", r.new_name("", "{TASKNAME}.{II}.{EXT}", "第9集.mp4"), ["剧.01.mp4"])


def test_folders_keep_names_and_no_sequence_leaves_names_alone() -> None:
    r = renamer()
    need = [(entry("合集", is_dir=True), "合集"), (entry("a.mp4"), "{II}.a.mp4")]
    assert [n for _, n in r.number(need, [], "{II}.{CHINESE}.{EXT}")] == ["合集", "01.a.mp4"]
    assert r.number([(entry("a.mp4"), "S01E01.mp4")], [], r"S01E\1.mp4") == [(need[1][0], "S01E01.mp4")]


def test_number_defaults_to_the_template_resolve_gave() -> None:
    r = renamer("综艺", **{"$SHOW_PRO": SHOW_PRO})
    pattern, replace = r.resolve("$SHOW_PRO", "")
    name = r.new_name(pattern, replace, "综艺 2024.01.12 第2期上.mp4")
    assert r.matches("$BLACK_WORD", name)  # other calls in between do not change the default
    assert r.number([(entry("s"), name)], ["01.综艺.20240105.第1期上.mp4"]) == [(entry("s"), "02.综艺.20240112.第2期上.mp4")]
