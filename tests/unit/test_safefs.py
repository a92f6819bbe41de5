"""quarkctl/safefs.py: a planted link never redirects a write; a folder others may write to is refused."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.victim import plant_victim, untouched
from quarkctl.errors import ConfigError, ExitCode
from quarkctl.lock import RunLock
from quarkctl.safefs import PrivateDir, open_append, replace_file

def test_a_new_folder_is_0700_and_its_files_0600(tmp_path: Path) -> None:
    with PrivateDir(tmp_path / "state" / "locks") as folder:
        folder.replace("page", b"x")
    assert stat.S_IMODE((tmp_path / "state" / "locks").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "state" / "locks" / "page").stat().st_mode) == 0o600


@pytest.mark.parametrize("mode", [0o770, 0o707, 0o777, 0o1777])
def test_a_folder_others_may_write_to_is_refused(tmp_path: Path, mode: int) -> None:
    folder = tmp_path / "locks"
    folder.mkdir()
    folder.chmod(mode)
    with pytest.raises(ConfigError, match="chmod go-w") as caught:
        PrivateDir(folder)
    assert caught.value.exit_code == ExitCode.USAGE


def test_a_folder_of_another_user_is_refused(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        folder = tmp_path / "theirs"
        folder.mkdir(mode=0o700)
        os.chown(folder, 65534, 65534)
    else:
        folder = Path("/usr")  # root's, and this is not root
    with pytest.raises(ConfigError, match="owned by another user"):
        PrivateDir(folder)


def test_a_folder_that_is_a_link_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o700)
    (tmp_path / "locks").symlink_to(target)
    with pytest.raises(ConfigError, match="symbolic link"):
        PrivateDir(tmp_path / "locks")


@settings(max_examples=30, deadline=None)
@given(name=st.sampled_from(["check-links-0123.lock", "page", ".page.1.tmp"]), flags=st.sampled_from(
    [os.O_RDWR | os.O_CREAT, os.O_WRONLY | os.O_TRUNC, os.O_RDONLY, os.O_WRONLY | os.O_APPEND | os.O_CREAT]))
def test_a_planted_link_is_never_opened(tmp_path_factory: pytest.TempPathFactory, name: str, flags: int) -> None:
    base = tmp_path_factory.mktemp("planted")
    target = plant_victim(base)
    (base / "locks").mkdir(mode=0o700)
    (base / "locks" / name).symlink_to(target)
    with PrivateDir(base / "locks") as folder, pytest.raises(ConfigError, match="symbolic link"):
        folder.open(name, flags)
    assert untouched(target)


def test_replace_writes_a_new_file_in_place_of_a_planted_link(tmp_path: Path) -> None:
    target = plant_victim(tmp_path)
    (tmp_path / "locks").mkdir(mode=0o700)
    (tmp_path / "locks" / "page").symlink_to(target)
    with PrivateDir(tmp_path / "locks") as folder:
        folder.replace("page", b"new page")
    assert untouched(target)
    assert not (tmp_path / "locks" / "page").is_symlink()
    assert (tmp_path / "locks" / "page").read_bytes() == b"new page"


def test_replace_file_replaces_a_link_and_sets_the_mode(tmp_path: Path) -> None:
    target = plant_victim(tmp_path)
    unit = tmp_path / "quarkctl-check.service"
    unit.symlink_to(target)
    replace_file(unit, b"[Unit]\n", 0o644)
    assert untouched(target)
    assert unit.read_bytes() == b"[Unit]\n" and not unit.is_symlink()
    assert stat.S_IMODE(unit.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_open_append_refuses_a_link(tmp_path: Path) -> None:
    target = plant_victim(tmp_path)
    (tmp_path / "run.log").symlink_to(target)
    with pytest.raises(OSError):
        open_append(tmp_path / "run.log")
    assert untouched(target)


def test_the_run_lock_never_truncates_a_planted_target(tmp_path: Path) -> None:
    target = plant_victim(tmp_path)
    (tmp_path / "locks").mkdir(mode=0o700)
    (tmp_path / "locks" / "check-links-x.lock").symlink_to(target)
    with pytest.raises(ConfigError, match="symbolic link"):
        RunLock(tmp_path / "locks" / "check-links-x.lock", "check-links").acquire()
    assert untouched(target)


def test_the_run_lock_in_a_world_writable_state_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "locks").mkdir()
    (tmp_path / "locks").chmod(0o1777)
    with pytest.raises(ConfigError, match="chmod go-w"):
        RunLock(tmp_path / "locks" / "check-links-x.lock", "check-links").acquire()
    assert list((tmp_path / "locks").iterdir()) == []


def test_missing_parents_are_made_0700_one_by_one(tmp_path: Path) -> None:
    with PrivateDir(tmp_path / "a" / "b" / "locks"):
        pass
    for folder in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "locks"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_links_a_user_made_in_folders_of_their_own_are_followed(tmp_path: Path) -> None:
    """~/.local -> /data/me/local is common: the folder holding the link is this user's alone."""
    (tmp_path / "real").mkdir(mode=0o700)
    (tmp_path / "real" / "inner").mkdir(mode=0o700)
    (tmp_path / "via").symlink_to("real/inner")  # relative
    (tmp_path / "real" / "inner" / "up").symlink_to(tmp_path / "real")  # absolute, then ".." of the walk
    with PrivateDir(tmp_path / "via" / "up" / "new" / "locks") as folder:
        folder.replace("page", b"x")
    assert (tmp_path / "real" / "new" / "locks" / "page").read_bytes() == b"x"


@pytest.mark.parametrize("mode", [0o1777, 0o777, 0o775])
def test_a_link_in_a_folder_others_may_write_to_is_not_followed(tmp_path: Path, mode: int) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(mode)
    (tmp_path / "victim").mkdir(mode=0o700)
    (shared / "state").symlink_to(tmp_path / "victim")
    with pytest.raises(ConfigError, match="symbolic link in a folder others may write to") as caught:
        PrivateDir(shared / "state" / "quarkctl" / "locks")
    assert str(shared / "state") in str(caught.value)
    assert list((tmp_path / "victim").iterdir()) == []


def test_a_loop_of_links_ends_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "one").symlink_to("two")
    (tmp_path / "two").symlink_to("one")
    with pytest.raises(ConfigError) as caught:
        PrivateDir(tmp_path / "one" / "locks")
    assert caught.value.exit_code == ExitCode.USAGE and "\n" not in str(caught.value)


@settings(max_examples=60, deadline=None)
@given(modes=st.lists(st.sampled_from([0o755, 0o700, 0o775, 0o1777]), min_size=1, max_size=4),
       links=st.data(), hops=st.integers(min_value=1, max_value=4), absolute=st.booleans())
def test_a_link_is_followed_only_from_a_folder_no_one_else_may_write_to(
        tmp_path_factory: pytest.TempPathFactory, modes: list[int], links: st.DataObject, hops: int, absolute: bool) -> None:
    """A property of PrivateDir's walk: folders d0..dN, each holding a link `l` to one of them; the path
    d0/l/l/.../x/locks follows `hops` links. The walk ends where the links lead exactly when every folder
    a link was read from is root's or this user's alone; otherwise it is refused and creates nothing."""
    base = tmp_path_factory.mktemp("walk")
    folders = [base / f"d{i}" for i in range(len(modes))]
    targets = [links.draw(st.integers(0, len(modes) - 1)) for _ in modes]
    for folder, target in zip(folders, targets):
        folder.mkdir()
        (folder / "l").symlink_to(folders[target] if absolute else Path("..") / folders[target].name)
    for folder, mode in zip(folders, modes):
        folder.chmod(mode)
    here, safe = 0, True
    for _ in range(hops):  # the model: where each hop leads, and whether its folder is anyone else's to write
        safe = safe and not modes[here] & 0o022
        here = targets[here]
    path = folders[0].joinpath(*["l"] * hops, "x", "locks")
    if safe:
        with PrivateDir(path):
            pass
        assert (folders[here] / "x" / "locks").is_dir()
    else:
        with pytest.raises(ConfigError, match="symbolic link in a folder others may write to"):
            PrivateDir(path)
        assert not any((folder / "x").exists() for folder in folders)
