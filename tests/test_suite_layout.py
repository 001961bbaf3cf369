"""The suite itself: pytest imports test files by basename (no __init__.py, rootdir mode), so two
files of one name in different folders stop the whole run at collection."""
import collections
import pathlib


def test_every_test_file_has_a_name_of_its_own():
    names = collections.defaultdict(list)
    for path in pathlib.Path(__file__).parent.rglob("test_*.py"):
        names[path.name].append(str(path))
    assert not {name: paths for name, paths in names.items() if len(paths) > 1}
