"""Where plenary writes: output folders checked before any work, files written without following links.

Every command that writes checks its folder first (:func:`check_out_folder`): an empty name, a file,
a path under a file, a name longer than the file system allows, a folder that is a symbolic link
(it would send the files somewhere other than the folder named) or a folder that cannot be
written are refused as user errors before any simulation. Files are written under a hidden
temporary name beside their place and renamed over it (:func:`write_atomic`, :func:`replacing`):
a reader never sees half a file, and a link planted where a file goes is replaced by the file, not
written through. Subfolders plenary makes itself (a sweep's ``runs/``, ``analysis/``) must not be
links either (:func:`subfolder`).
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sim.errors import Problem, ScenarioError

#: the longest path accepted, in bytes (Linux's PATH_MAX is 4096, with room for the file names)
MAX_PATH_BYTES = 3800
#: the longest name of one folder or file, in bytes, where the file system does not say
NAME_MAX_BYTES = 255


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: files get the permissions an ordinary open() would give them (mkstemp's are 0600)
FILE_MODE = 0o666 & ~_umask()


def _refuse(message: str, source: str, field: str) -> ScenarioError:
    return ScenarioError([Problem(source, 0, field, message)])


def _shown(path: str | Path) -> str:
    text = str(path)
    return text if len(text) <= 80 else f"{text[:60]}...{text[-12:]} ({len(text)} characters)"


def _name_max(path: Path) -> int:
    for folder in (path, *path.parents):
        try:
            return os.pathconf(folder, "PC_NAME_MAX")
        except (OSError, ValueError):
            continue
    return NAME_MAX_BYTES


def check_out_folder(out: str | Path | None, source: str = "--out", field: str = "out") -> Path | None:
    """Refuse a folder that cannot receive the outputs, before any work.

    Args:
        out: the folder as named (``None``: nothing to check).
        source, field: where the name came from, for the error line.

    Returns:
        ``out`` as a :class:`~pathlib.Path`.

    Raises:
        ScenarioError: one line saying what is wrong with the folder.

    Example:
        >>> check_out_folder("")
        Traceback (most recent call last):
        ...
        sim.errors.ScenarioError: --out: out: an empty path: name a folder
    """
    if out is None:
        return None
    text = os.fspath(out)
    if text.strip() == "":
        raise _refuse("an empty path: name a folder", source, field)
    if "\x00" in text:
        raise _refuse("the path holds a NUL character", source, field)
    path = Path(text)
    if len(os.fsencode(text)) > MAX_PATH_BYTES:
        raise _refuse(f"{_shown(text)}: the path is longer than {MAX_PATH_BYTES} bytes", source, field)
    limit = _name_max(path)
    for part in path.parts:
        if len(os.fsencode(part)) > limit:
            raise _refuse(f"{_shown(text)}: a name in it is {len(os.fsencode(part))} bytes long; "
                          f"this file system allows {limit}", source, field)
    if path.name == "..":
        raise _refuse(f"{_shown(text)} ends in '..', outside the folder it names: name the "
                      "output folder itself", source, field)
    for part in (path, *path.parents):
        try:
            is_link = part.is_symlink()
            exists = part.exists()
        except OSError as exc:  # e.g. a part that cannot be looked up
            raise _refuse(f"{_shown(text)}: {exc.strerror or exc}", source, field) from None
        if part == path and is_link:
            raise _refuse(f"{_shown(text)} is a symbolic link (to {_shown(os.readlink(part))}): "
                          "the outputs would go outside the folder named; name a real folder",
                          source, field)
        if exists and not part.is_dir():
            where = "is a file" if part == path else f"is under {_shown(part)}, a file"
            raise _refuse(f"{_shown(text)} {where}: name a folder (new or existing)", source, field)
        if exists:
            if not os.access(part, os.W_OK | os.X_OK):
                raise _refuse(f"{_shown(text)}: cannot write in {_shown(part)} (permission denied)",
                              source, field)
            break
    return path


def check_out_file(out: str | Path | None, source: str = "--out", field: str = "out") -> Path | None:
    """Refuse a file that cannot be written, before any work (``schema``'s and ``calibrate``'s
    ``--out``): an empty name, a folder, a link, or a folder to write it in that cannot be one
    (:func:`check_out_folder`).

    Example:
        >>> check_out_file(".")
        Traceback (most recent call last):
        ...
        sim.errors.ScenarioError: --out: out: . is a folder: name a file
    """
    if out is None:
        return None
    text = os.fspath(out)
    if text.strip() == "":
        raise _refuse("an empty path: name a file", source, field)
    path = Path(text)
    if path.is_dir():
        raise _refuse(f"{_shown(text)} is a folder: name a file", source, field)
    if path.is_symlink():
        raise _refuse(f"{_shown(text)} is a symbolic link: name a real file", source, field)
    check_out_folder(path.parent if str(path.parent) else Path("."), source, field)
    return path


def default_out(scenario: Path, suffix: str = "") -> Path:
    """``out/<scenario's name><suffix>`` (``plenary run`` without ``--out``; ``compare`` adds
    ``_compare``), refused when the file's name would leave ``out/`` (a scenario named
    ``...yaml`` has the stem ``..``)."""
    stem = Path(scenario).stem
    if stem in ("", ".", "..") or "\x00" in stem:
        raise _refuse(f"the scenario's file name {str(Path(scenario).name)!r} gives no output folder: "
                      "name one with --out", "--out", "out")
    out = Path("out") / f"{stem}{suffix}"
    check_out_folder(out)
    return out


def subfolder(folder: Path, name: str) -> Path:
    """``folder/name``, made if missing; refused when it is a link or not a folder (its files would
    be written elsewhere)."""
    path = Path(folder) / name
    if path.is_symlink():
        raise _refuse(f"{path} is a symbolic link (to {_shown(os.readlink(path))}): plenary writes "
                      "only into real folders; remove the link", str(path), "")
    if path.exists() and not path.is_dir():
        raise _refuse(f"{path} is a file, where plenary keeps a folder; remove it", str(path), "")
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def replacing(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; renamed over ``path`` when the block ends
    (removed if it fails). A link at ``path`` is replaced, never followed.

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> with replacing(folder / "a.txt") as tmp:
        ...     _ = tmp.write_text("hello")
        >>> (folder / "a.txt").read_text(), sorted(p.name for p in folder.iterdir())
        ('hello', ['a.txt'])
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: str | Path, data: bytes | str, sync: bool = False) -> Path:
    """Write ``data`` (text as UTF-8, newlines as given) to ``path`` whole: beside it, then renamed
    over it (``sync``: flushed to disk first)."""
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with replacing(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(raw)
            if sync:
                fh.flush()
                os.fsync(fh.fileno())
    return path


def save_figure(fig, path: str | Path, **kwargs) -> Path:
    """``fig.savefig`` through :func:`replacing` (the format from ``path``'s suffix)."""
    path = Path(path)
    with replacing(path) as tmp:
        fig.savefig(tmp, format=path.suffix.lstrip(".") or None, **kwargs)
    return path


def os_problem(exc: OSError) -> Problem:
    """An error of the file system (a disk full, a folder removed under a run) as one line."""
    name = exc.filename if exc.filename is not None else ""
    reason = exc.strerror or errno.errorcode.get(exc.errno or 0, "") or str(exc)
    return Problem(_shown(name) if name else "plenary", 0, "", f"cannot write or read: {reason}")
