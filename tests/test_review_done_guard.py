"""`procmap review --done` writes only where the author could, and never moves a date back.

A symlink is written through to its target; a read-only file, a file this user may not
write and an unwritable folder are one line and exit 1, the file untouched; a date before
the last review needs `--force`; `--today`, `--note` and `--by` are checked as usage errors
(exit 2). Permissions are tested as an unprivileged user (root ignores them), through
`setpriv`, where the platform allows it.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO, clean_env, cli_runner
from procmap.cli import app
from procmap.git.review import DoneError, EarlierError, record_done

DONE = Path(__file__).parent / "review" / "done"
SETPRIV = shutil.which("setpriv")
AS_NOBODY = [SETPRIV or "setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


def run(*args: str):
    return cli_runner().invoke(app, list(args), catch_exceptions=False)


def copy(folder: Path, name: str = "comments.yaml") -> Path:
    target = folder / name
    shutil.copyfile(DONE / "comments.yaml", target)
    return target


def recorded(day: str = "2026-04-30") -> bytes:
    """What `--done --today DAY` makes of comments.yaml (checked by test_review_done)."""
    result = record_done(str(DONE / "comments.yaml"), dt.date.fromisoformat(day), write=False)
    assert result.text is not None
    return result.text.encode()


def _can_drop_privileges() -> str | None:
    """Why the unprivileged tests cannot run here, or None when they can."""
    if os.geteuid() != 0:
        return "needs root to switch to the user nobody (setpriv)"
    if SETPRIV is None:
        return "setpriv is not installed"
    probe = subprocess.run([*AS_NOBODY, "true"], capture_output=True)
    if probe.returncode != 0:
        return f"setpriv cannot switch users here: {probe.stderr.decode(errors='replace')}"
    return None


unprivileged = pytest.mark.skipif(
    _can_drop_privileges() is not None, reason=str(_can_drop_privileges())
)


def run_as_nobody(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`procmap ARGS` as the user nobody, in `tmp_path` (opened up so nobody can enter it)."""
    for folder in (tmp_path, *tmp_path.parents):
        if folder == Path("/"):
            break
        if not os.stat(folder).st_mode & 0o001:  # nobody must be able to traverse
            pytest.skip(f"{folder} cannot be entered by other users")
    env = clean_env(PYTHONPATH=str(REPO / "src"), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(
        [*AS_NOBODY, sys.executable, "-m", "procmap", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A temporary folder the user nobody can read and enter: pytest's own are under a
    0700 folder, so this one is made in the system's temporary folder, and removed."""
    folder = Path(tempfile.mkdtemp(prefix="procmap-nobody-"))
    os.chmod(folder, 0o755)
    try:
        yield folder
    finally:
        for inner in folder.rglob("*"):
            if inner.is_dir() and not inner.is_symlink():
                os.chmod(inner, 0o755)
        shutil.rmtree(folder)


# Symlinks -------------------------------------------------------------------------------


def test_a_symlinked_file_is_written_through_to_its_target(tmp_path):
    real_dir, link_dir = tmp_path / "shared", tmp_path / "repo"
    real_dir.mkdir()
    link_dir.mkdir()
    real = copy(real_dir)
    os.chmod(real, 0o640)
    link = link_dir / "comments.yaml"
    link.symlink_to(real)
    result = run("review", "--done", str(link), "--today", "2026-04-30")
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)  # still the link
    assert real.read_bytes() == recorded()
    assert os.stat(real).st_mode & 0o777 == 0o640
    # the temporary file was made next to the target, and is gone
    assert sorted(p.name for p in tmp_path.rglob("*")) == [
        "comments.yaml",
        "comments.yaml",
        "repo",
        "shared",
    ]


def test_a_relative_symlink_chain_is_followed_to_the_real_file(tmp_path):
    real = copy(tmp_path, "real.yaml")
    (tmp_path / "middle.yaml").symlink_to("real.yaml")
    (tmp_path / "link.yaml").symlink_to("middle.yaml")
    record_done(str(tmp_path / "link.yaml"), dt.date(2026, 4, 30))
    assert real.read_bytes() == recorded()
    assert (tmp_path / "link.yaml").is_symlink() and (tmp_path / "middle.yaml").is_symlink()


# Write protection -------------------------------------------------------------------------


def test_a_read_only_file_is_refused_even_for_root(tmp_path):
    path = copy(tmp_path)
    os.chmod(path, 0o444)
    before = path.read_bytes()
    result = run("review", "--done", str(path), "--today", "2026-04-30")
    assert result.exit_code == 1
    assert result.stderr == (
        f"procmap: {path}: the file is read-only (mode 0444); make it writable (chmod u+w)"
        " to record the review\n"
    )
    assert path.read_bytes() == before
    assert os.stat(path).st_mode & 0o777 == 0o444


def test_a_read_only_target_of_a_symlink_is_refused(tmp_path):
    real = copy(tmp_path, "real.yaml")
    os.chmod(real, 0o444)
    (tmp_path / "link.yaml").symlink_to("real.yaml")
    with pytest.raises(DoneError, match=r"read-only \(mode 0444\)"):
        record_done(str(tmp_path / "link.yaml"), dt.date(2026, 4, 30))


@unprivileged
def test_a_read_only_folder_is_one_line_and_exit_1(shared_tmp):
    folder = shared_tmp / "procs"
    folder.mkdir()
    path = copy(folder)
    os.chmod(path, 0o666)  # the file may be written, its folder may not
    os.chmod(folder, 0o555)
    before = path.read_bytes()
    done = run_as_nobody(shared_tmp, "review", "--done", "procs/comments.yaml")
    assert done.returncode == 1, done.stderr
    assert done.stderr == (
        f"procmap: procs/comments.yaml: cannot write a new copy of the file in its folder"
        f" {folder} (Permission denied); the file was left as it was\n"
    )
    assert path.read_bytes() == before
    assert os.listdir(folder) == ["comments.yaml"]


@unprivileged
def test_a_file_of_another_user_is_not_replaced_through_a_writable_folder(shared_tmp):
    # The rename that replaces the file needs only the folder's permission: without the
    # check, nobody would replace root's 0644 file.
    folder = shared_tmp / "procs"
    folder.mkdir()
    path = copy(folder)
    os.chmod(path, 0o644)
    os.chmod(folder, 0o777)
    before = path.read_bytes()
    done = run_as_nobody(shared_tmp, "review", "--done", "procs/comments.yaml")
    assert done.returncode == 1, done.stderr
    assert done.stderr == (
        "procmap: procs/comments.yaml: you may not write the file (mode 0644, owner uid 0);"
        " the file was left as it was\n"
    )
    assert path.read_bytes() == before
    assert os.stat(path).st_uid == 0


@unprivileged
def test_a_writable_file_is_recorded_as_an_unprivileged_user(shared_tmp):
    folder = shared_tmp / "procs"
    folder.mkdir()
    path = copy(folder)
    os.chmod(path, 0o666)
    os.chmod(folder, 0o777)
    done = run_as_nobody(
        shared_tmp, "review", "--done", "procs/comments.yaml", "--today", "2026-04-30"
    )
    assert done.returncode == 0, done.stderr
    assert path.read_bytes() == recorded()


# Dates -------------------------------------------------------------------------------------


def test_a_date_before_the_last_review_is_refused_without_force(tmp_path):
    path = copy(tmp_path)  # last: 2026-01-15
    before = path.read_bytes()
    result = run("review", "--done", str(path), "--today", "2026-01-14")
    assert result.exit_code == 1
    assert result.stderr == (
        f"procmap: {path}: the review date 2026-01-14 is before the last review, 2026-01-15:"
        " recording it would move `review.last` backwards; give --force to record it anyway\n"
    )
    assert path.read_bytes() == before


def test_force_records_a_date_before_the_last_review(tmp_path):
    path = copy(tmp_path)
    result = run("review", "--done", str(path), "--today", "2026-01-14", "--force")
    assert result.exit_code == 0, result.stderr
    assert "  last: 2026-01-14   # the last review\n" in path.read_text()


def test_the_same_day_as_the_last_review_is_not_backwards(tmp_path):
    path = copy(tmp_path)
    assert record_done(str(path), dt.date(2026, 1, 15)).last == dt.date(2026, 1, 15)


def test_record_done_raises_earlier_error_with_the_last_date(tmp_path):
    with pytest.raises(EarlierError) as raised:
        record_done(str(copy(tmp_path)), dt.date(2025, 12, 31))
    assert raised.value.last == dt.date(2026, 1, 15)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--today", "9999-12-31"],
            "--today: 9999-12-31 is out of range; write a year from 1900 to 2999",
        ),
        (
            ["--today", "1899-12-31"],
            "--today: 1899-12-31 is out of range; write a year from 1900 to 2999",
        ),
        (
            ["--note", "a\x01b"],
            "--note: 'a\\x01b' holds the control character '\\x01'; write one line of text"
            " without control characters",
        ),
        (
            ["--note", "line\nbreak"],
            "--note: 'line\\nbreak' holds the control character '\\n'; write one line of text"
            " without control characters",
        ),
        (
            ["--by", "bo\x1bss"],
            "--by: 'bo\\x1bss' holds the control character '\\x1b'; write one line of text"
            " without control characters",
        ),
        (["--force"], "--force goes with --done FILE"),
    ],
)
def test_bad_option_values_are_usage_errors(tmp_path, args, message):
    path = copy(tmp_path)
    before = path.read_bytes()
    extra = [] if args == ["--force"] else ["--done", str(path)]
    result = run("review", *extra, *args)
    assert result.exit_code == 2
    assert result.stderr == f"procmap: {message}\n"
    assert path.read_bytes() == before


def test_a_tab_in_a_note_is_written_escaped(tmp_path):
    path = copy(tmp_path)
    result = run("review", "--done", str(path), "--today", "2026-04-30", "--note", "a\tb")
    assert result.exit_code == 0, result.stderr
    assert 'change: "a\\tb"' in path.read_text()


@pytest.mark.parametrize("raw", [b"\xff\xfe", b"caf\xe9"])
def test_a_note_that_is_not_utf8_is_a_usage_error(tmp_path, raw):
    path = copy(tmp_path)
    before = path.read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "procmap", "review", "--done", str(path), "--note", raw],
        env=clean_env(),
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert (
        done.stderr
        == b"procmap: --note: " + repr(raw).encode() + b" is not UTF-8 text; write it in UTF-8\n"
    )
    assert path.read_bytes() == before


@pytest.mark.parametrize("note", ["a\u2028b", "a\u2029b", "zero\u200bwidth", "emoji \U0001f600"])
def test_a_note_with_line_separators_or_invisible_characters_is_recorded(tmp_path, note):
    # Written plain, U+2028 read back as a line break, and the edit was refused as "a bug".
    path = copy(tmp_path)
    result = run("review", "--done", str(path), "--today", "2026-04-30", "--note", note)
    assert result.exit_code == 0, result.stderr
    from procmap.format import load_file

    loaded = load_file(path)
    assert loaded.document is not None
    assert loaded.document.data["changelog"][-1]["change"] == note


def test_a_missing_file_is_a_problem_not_an_exception(tmp_path):
    result = record_done(str(tmp_path / "gone.yaml"), dt.date(2026, 4, 30))
    assert [p.code for p in result.problems] == ["Y012"]


def test_a_dangling_symlink_is_a_problem_not_an_exception(tmp_path):
    (tmp_path / "link.yaml").symlink_to("nowhere.yaml")
    result = record_done(str(tmp_path / "link.yaml"), dt.date(2026, 4, 30))
    assert [p.code for p in result.problems] == ["Y012"]
    assert (tmp_path / "link.yaml").is_symlink()
