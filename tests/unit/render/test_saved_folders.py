"""What a task saved, as a tree (reports/autosave.py SavedNode): every node saved is counted once, as a file or as
a folder saved whole, and the history reads back what the run wrote (issue 23: a folder saved whole was "0 files")."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from quarkctl.render.autosave import task_line
from quarkctl.reports.autosave import SavedNode, TaskResult, whole_folders

names = st.text(min_size=1, max_size=8)
files = st.builds(SavedNode, names, names, st.just(False), st.none() | names)
whole = st.builds(SavedNode, names, names, st.just(True), st.none() | names, st.just([]), st.none() | st.integers(0, 10_000))
trees = st.recursive(files | whole, lambda kids: st.builds(SavedNode, names, names, st.just(True), st.none() | names,
                                                           st.lists(kids, min_size=1, max_size=3)), max_leaves=8)


def _leaves(node: SavedNode) -> int:
    return 1 if not node.children else sum(_leaves(child) for child in node.children)


@given(st.lists(trees, min_size=1, max_size=3))
def test_every_node_saved_is_a_file_or_a_folder_saved_whole(added: list[SavedNode]) -> None:
    result = TaskResult(1, "t", status="saved", savepath="/p", added=added, position=1)
    assert result.files_saved + result.folders_saved == sum(_leaves(node) for node in added)
    line = task_line(result, 1)
    assert line.startswith("[1/1] t: saved ") and " 0 files" not in line
    if result.folders_saved:
        assert "folder" in line


@given(st.lists(trees, max_size=3))
def test_the_history_reads_back_what_the_run_wrote(added: list[SavedNode]) -> None:
    back = [SavedNode.from_dict(node.as_dict()) for node in added]
    assert back == added
    assert len(whole_folders(back)) == len(whole_folders(added))
