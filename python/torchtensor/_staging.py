"""Staging folders of the hand-off, and the removal of those a dead process left behind.

The JVM writes a hand-off's files into a staging folder (in ``/dev/shm``, memory, by default) that
is removed when the result is released. A process killed outright (SIGKILL, the OOM killer) removes
nothing, and ``/dev/shm`` keeps its files, in memory, until reboot. So each staging folder records
whether its owner still lives, and every new staging folder first removes those whose owner is gone.

How an owner is known to live: it holds an exclusive ``flock`` on the folder's lock file for as long
as the folder exists. The kernel drops the lock when the last descriptor of that open file goes,
which a dying process does however it dies (``flock(2)``). The pid in the name is only for people:
unlike a pid (or a pid and its start time from ``/proc/<pid>/stat``) the lock cannot be mistaken
for a new process that reuses the pid, and it holds across pid namespaces (containers sharing
``/dev/shm`` or a mounted ``TORCHTENSOR_HANDOFF_DIR`` each see other pids).

Names: ``torchtensor-<pid>-<16 hex digits>``, holding ``.owner.lock``. A folder is made as
``.torchtensor-<pid>-<hex>.new``, its lock taken, then renamed, so a folder of the final name is
locked from its first moment. The sweep touches only folders of exactly these names, owned by this
user and not links; a final one whose lock it can take (or which has none) is abandoned; a ``.new``
one only when also older than a minute (its creator may be between ``mkdir`` and ``flock``). Two
sweeps at once are harmless: both remove the same files, ignoring what the other removed first.
On a file system without ``flock`` (NFS without its lock daemon) nothing can be judged: folders
there get a plain ``mkdtemp`` name, which no sweep takes, and the sweep removes nothing.
"""
import os
import re
import secrets
import shutil
import stat
import tempfile
import time
import weakref
from typing import Optional

try:
    import fcntl
except ImportError:  # Windows: no flock, so folders are made but never swept
    fcntl = None

LOCK_FILE = ".owner.lock"
_FINAL = re.compile(r"torchtensor-[0-9]+-[0-9a-f]{16}\Z")
_PENDING = re.compile(r"\.torchtensor-[0-9]+-[0-9a-f]{16}\.new\Z")
# A .new folder younger than this may be one whose creator has not taken its lock yet.
PENDING_GRACE_S = 60.0


class Staging:
    """A staging folder this process owns; :meth:`remove` deletes it and gives up its lock."""

    def __init__(self, path: str, lock_fd: Optional[int]):
        self.path = path
        self._pid = os.getpid()
        self._finalizer = weakref.finalize(self, _remove, path, lock_fd, self._pid)

    def remove(self):
        self._finalizer()


def _remove(path: str, lock_fd: Optional[int], owner_pid: int):
    # A forked child holds copies of its parent's staging objects: it must not delete the parent's
    # files. Closing its copy of the descriptor keeps the lock, which the parent's copy still holds.
    if os.getpid() == owner_pid:
        shutil.rmtree(path, ignore_errors=True)  # before the unlock: a sweep never races the owner
    if lock_fd is not None:
        os.close(lock_fd)


def create(root: Optional[str]) -> Staging:
    """A new staging folder under ``root`` (the system temporary folder when None), after removing
    the folders there that dead processes left."""
    root = root or tempfile.gettempdir()
    if fcntl is None:
        return Staging(tempfile.mkdtemp(prefix="torchtensor-", dir=root), None)
    sweep(root)
    name = f"torchtensor-{os.getpid()}-{secrets.token_hex(8)}"
    pending = os.path.join(root, f".{name}.new")
    os.mkdir(pending, 0o700)
    fd = None
    try:
        fd = os.open(os.path.join(pending, LOCK_FILE),
                     os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        if not _lock(fd):
            # No flock on this file system (NFS without its lock daemon answers ENOLCK): the folder
            # could not show that its owner lives, so it gets a name no sweep takes, as without fcntl.
            os.close(fd)
            fd = None
            shutil.rmtree(pending, ignore_errors=True)
            return Staging(tempfile.mkdtemp(prefix="torchtensor-", dir=root), None)
        final = os.path.join(root, name)
        os.rename(pending, final)
    except BaseException:
        if fd is not None:
            os.close(fd)
        shutil.rmtree(pending, ignore_errors=True)
        raise
    return Staging(final, fd)


def _lock(fd: int) -> bool:
    """Takes the exclusive lock without waiting; False when another open file holds it, or when the
    file system has no flock (ENOLCK, EOPNOTSUPP...)."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def sweep(root: str) -> int:
    """Removes this user's staging folders under ``root`` whose owner is gone; how many."""
    if fcntl is None:
        return 0
    try:
        entries = list(os.scandir(root))
    except OSError:
        return 0
    uid = os.getuid()
    removed = 0
    for entry in entries:
        final = _FINAL.match(entry.name) is not None
        if not final and _PENDING.match(entry.name) is None:
            continue
        try:
            st = os.lstat(entry.path)
        except OSError:
            continue  # gone already
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != uid:
            continue  # a link, a file, another user's
        if not final and time.time() - st.st_mtime < PENDING_GRACE_S:
            continue
        if _abandoned(entry.path):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed += 1
    return removed


def _abandoned(path: str) -> bool:
    """True when no process holds the folder's lock (or it has none: its removal was under way)."""
    try:
        fd = os.open(os.path.join(path, LOCK_FILE), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return True
    except OSError:
        return False  # a link in its place, no permission: not ours to judge
    try:
        # Refused: its owner lives, or flock cannot tell here; either way the folder is left alone.
        return _lock(fd)
    finally:
        os.close(fd)  # also drops the lock just taken
