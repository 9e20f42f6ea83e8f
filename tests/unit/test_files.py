import pytest

from pipeline.files import atomic_folder, atomic_path, write_atomic


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = write_atomic(tmp_path / "report.html", "old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("disk full")
    assert target.read_text(encoding="utf-8") == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"


def test_a_folder_is_replaced_whole_or_not_at_all(tmp_path):
    folder = tmp_path / "model"
    with atomic_folder(folder) as tmp:
        (tmp / "a.json").write_text("1")
    with pytest.raises(ValueError), atomic_folder(folder) as tmp:
        (tmp / "b.json").write_text("2")
        raise ValueError("fit failed")
    assert sorted(p.name for p in folder.iterdir()) == ["a.json"]
    with atomic_folder(folder) as tmp:
        (tmp / "b.json").write_text("2")
    assert sorted(p.name for p in folder.iterdir()) == ["b.json"] and len(list(tmp_path.iterdir())) == 1
    assert oct(folder.stat().st_mode & 0o777) == "0o755"
