"""Staging folders of a process that died without releasing them are removed by the next hand-off;
a live process's folder, and anything not named as a staging folder, is left alone."""
import errno
import os
import pathlib
import secrets
import select
import signal
import subprocess
import sys
import time

import torchtensor
from torchtensor import _staging

TESTS = pathlib.Path(__file__).resolve().parent

# Holds unread hand-off results (their IPC files stay in the staging folder) and waits to be killed.
HOLDER = """
import sys, time
sys.path.insert(0, sys.argv[1])
import conftest, torchtensor
spark = conftest.spark_builder(conftest.require_jar()).getOrCreate()
df = torchtensor.read(spark, sys.argv[2])
held = torchtensor.collect_arrow(df, "fast")
print(held.staging.path, flush=True)
time.sleep(600)
"""

# Owns one staging folder (no Spark needed) until its stdin closes.
OWNER = """
import sys
from torchtensor import _staging
owned = _staging.create(sys.argv[1])
print(owned.path, flush=True)
sys.stdin.read()
"""


def _first_line(proc, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 1.0)
        if ready:
            line = proc.stdout.readline()
            if line:
                return line.strip()
        if proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError(f"the child printed no folder (exit {proc.poll()}): {proc.stderr.read()[-3000:]}")


def _descendants(pid):
    out = []
    try:
        children = pathlib.Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return out
    for c in map(int, children):
        out += [c] + _descendants(c)
    return out


def _alive(pid):
    try:
        state = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _env(root):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(TESTS.parent), os.environ.get("PYTHONPATH", "")]))
    env[torchtensor.HANDOFF_DIR_ENV] = str(root)
    return env


def test_folder_of_a_killed_process_is_removed_by_the_next_handoff(spark, testdata, tmp_path, monkeypatch):
    root = tmp_path / "staging"
    root.mkdir()
    shards = testdata / "python" / "shards"
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(TESTS), str(shards)], env=_env(root),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    jvms = []
    try:
        held = pathlib.Path(_first_line(proc, 240))
        assert held.parent == root and _staging._FINAL.match(held.name), held
        assert held.name.startswith(f"torchtensor-{proc.pid}-")
        assert sorted(p.name for p in held.iterdir() if p.suffix == ".arrows"), "no IPC files held"
        jvms = _descendants(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            pipe.close()
        # The gateway JVM exits when its stdin (a pipe from the killed process) closes.
        deadline = time.monotonic() + 60
        while any(map(_alive, jvms)) and time.monotonic() < deadline:
            time.sleep(0.5)
        for pid in filter(_alive, jvms):
            os.kill(pid, signal.SIGKILL)
    assert held.is_dir(), "SIGKILL removes nothing by itself"

    monkeypatch.setenv(torchtensor.HANDOFF_DIR_ENV, str(root))
    arrays = torchtensor.to_numpy(torchtensor.read(spark, shards), handoff="fast")
    assert len(arrays["labels"]) == 100
    assert not held.exists()
    assert list(root.iterdir()) == []  # and this hand-off's own folder is gone once released


def test_live_process_keeps_its_folder_whatever_its_pid(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", OWNER, str(tmp_path)], env=_env(tmp_path),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        live = pathlib.Path(_first_line(proc, 60))
        # A folder named for this (live) process but locked by none: what a dead process leaves when
        # its pid was reused. Liveness is the lock, not the pid.
        reused = tmp_path / f"torchtensor-{os.getpid()}-{secrets.token_hex(8)}"
        reused.mkdir()
        (reused / _staging.LOCK_FILE).touch()
        (reused / "part-00000.arrows").write_bytes(b"x" * 64)
        mine = _staging.create(str(tmp_path))  # sweeps first
        assert live.is_dir() and (live / _staging.LOCK_FILE).is_file()
        assert not reused.exists()
        assert _staging.sweep(str(tmp_path)) == 0  # own folder locked too
        assert pathlib.Path(mine.path).is_dir()
        mine.remove()
        assert not pathlib.Path(mine.path).exists()
    finally:
        proc.stdin.close()
        proc.wait(30)
        proc.stdout.close()
        proc.stderr.close()
    assert not live.exists()  # removed by its owner at exit


def test_only_this_users_staging_folders_are_touched(tmp_path):
    hex16 = secrets.token_hex(8)
    keep = {
        "torchtensor-abc": "dir", "torchtensor-12-zzzzzzzzzzzzzzzz": "dir", f"torchtensor-12-{hex16}x": "dir",
        f"xtorchtensor-12-{hex16}": "dir", "torchtensor-k2j3h4g5": "dir",  # an older mkdtemp name
        f"torchtensor-13-{hex16}": "file", f".torchtensor-14-{hex16}.new": "dir",  # young: may be in creation
    }
    for name, kind in keep.items():
        p = tmp_path / name
        if kind == "dir":
            p.mkdir()
            (p / "data").write_bytes(b"keep")
        else:
            p.write_bytes(b"keep")
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "data").write_bytes(b"keep")
    link = tmp_path / f"torchtensor-15-{hex16}"
    link.symlink_to(target, target_is_directory=True)
    if os.getuid() == 0:
        other = tmp_path / f"torchtensor-16-{hex16}"
        other.mkdir()
        os.chown(other, 4242, 4242)
        keep[other.name] = "dir"
    stale = tmp_path / f".torchtensor-17-{hex16}.new"  # its creator died before taking the lock
    stale.mkdir()
    old = time.time() - 2 * _staging.PENDING_GRACE_S
    os.utime(stale, (old, old))
    dead = tmp_path / f"torchtensor-18-{hex16}"
    dead.mkdir()
    (dead / _staging.LOCK_FILE).touch()

    assert _staging.sweep(str(tmp_path)) == 2
    assert not stale.exists() and not dead.exists()
    for name in keep:
        assert (tmp_path / name).exists(), name
    assert link.is_symlink() and (target / "data").read_bytes() == b"keep"


class _NoFlock:
    """fcntl on a file system without flock (NFS without its lock daemon answers ENOLCK)."""
    LOCK_EX, LOCK_NB = _staging.fcntl.LOCK_EX, _staging.fcntl.LOCK_NB

    @staticmethod
    def flock(fd, op):
        raise OSError(errno.ENOLCK, "No locks available")


def test_a_root_without_flock_still_hands_off_and_sweeps_nothing(tmp_path, monkeypatch):
    hex16 = secrets.token_hex(8)
    other = tmp_path / f"torchtensor-19-{hex16}"  # someone's folder: whether its owner lives is unknown
    other.mkdir()
    (other / _staging.LOCK_FILE).touch()
    monkeypatch.setattr(_staging, "fcntl", _NoFlock)

    assert _staging.sweep(str(tmp_path)) == 0
    mine = _staging.create(str(tmp_path))
    path = pathlib.Path(mine.path)
    assert path.is_dir() and path.parent == tmp_path
    # Without a lock it could not show that it lives, so it is named as no sweep ever takes.
    assert not _staging._FINAL.match(path.name) and not _staging._PENDING.match(path.name)
    assert other.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([other.name, path.name])
    mine.remove()
    assert not path.exists()
