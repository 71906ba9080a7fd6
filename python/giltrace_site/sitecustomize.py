"""giltrace's hook inside the traced Python: tells the recording the Python names of threads
(their OS names are all "python3") and which interpreter ran.

How: giltrace puts a uprobe on libc's strverscmp(), a pure function almost nothing calls, that
records its arguments as strings. Calling it with a marker text and giltrace's magic puts that
text into the perf recording at the right time, in the right thread. Harmless when no probe is
there. `giltrace record` puts this folder first on PYTHONPATH; Python then imports this file as
`sitecustomize` while it starts, and this file imports the user's own sitecustomize (if any).
A sampled run (`--sample`: no probes) sets GILTRACE_NAMES to a file instead: the same texts are
appended to it, a line each, and the sampler reads them from there.

The traced program must behave exactly as without giltrace, even when something here fails:
- This folder leaves sys.path (and sys.path_importer_cache) before anything else happens.
- Every step that does work is guarded; a step that fails only costs thread names. The patched
  threading methods call the originals first and announce afterwards, inside a guard.
- Nothing is printed, warned or raised, with one exception on purpose: the user's own
  sitecustomize is imported from here and whatever it raises goes through unchanged, so Python
  prints exactly what it prints without giltrace. When there is none, the ImportError for
  `sitecustomize` goes through too: site.py ignores it, and sys.modules ends up without a
  `sitecustomize`, as it would.
- New modules: only `_ctypes` (the C half of ctypes; importing `ctypes` itself would add five
  modules and allocate a callback). `threading` is NOT imported: a finder on sys.meta_path waits
  for the program to import it, lets the normal finders and loader do all the work, patches the
  module right after it ran and leaves sys.meta_path (it stays, inert, only when threading is first
  imported from inside another finder's find_spec, where removing it would make importlib skip a
  finder).
- The marker calls keep the GIL (FUNCFLAG_PYTHONAPI, as ctypes.PyDLL): a plain ctypes call would
  drop and retake it, putting events into the very recording they annotate.
- What the program can still see: os.environ["PYTHONPATH"] starts with this folder, so that the
  Pythons it starts are traced with names too (they run this file as well, including Python 2,
  where it only hands over to the user's sitecustomize: so it must stay Python 2 syntax), and in a
  sampled run os.environ["GILTRACE_NAMES"] and the file it names, opened and closed at each name; the
  patched Thread._set_ident and Thread.name; an at-fork handler (Python has no way to list them; a
  forked child makes its marker call before the program's code goes on); `_ctypes` in
  sys.modules; until threading is imported, the finder at sys.meta_path[0] (for good if the
  unwatch step fails); what -v and -X importtime print about imports. `python -S` would leave
  this folder on sys.path, so giltrace does not set PYTHONPATH then (-I and -E ignore it anyway).

Thread ids: threading.get_native_id() exists from 3.8; on 3.6 and 3.7 the gettid system call
(186 on x86-64, the only machine giltrace probes) gives the same number. Names are announced when
a thread starts (Thread._set_ident, which runs in the new thread before Thread.start() returns;
it also names Dummy threads, i.e. threads started with _thread.start_new_thread, once they call
threading.current_thread()) and when a thread is renamed (on 3.6/3.7 only when a thread renames
itself: other threads' ids are not known there). A child that os.fork() makes (multiprocessing's
default start method on Linux before 3.14) runs no sitecustomize: an at-fork handler (3.7+)
announces it, and the thread that forked, its one thread, by the name it had in the parent.

Tests make steps fail on purpose: GILTRACE_HOOK_FAIL is a comma-separated list of step names, read
only here; each named step raises as soon as it starts. Steps: libc (find strverscmp), native-id
(a thread id function), emit (every marker call), process (the interpreter facts line), main-thread
(the main thread's name), watch (put the threading finder on sys.meta_path), find-spec (the finder
at work), patch (patch the threading module), announce (a starting thread's name), rename (a
renamed thread's name), unwatch (the finder leaving sys.meta_path), fork (a forked child's
announcement). Hiding this folder and handing over to the user's sitecustomize are single list /
dict operations and an import statement, not failure points.
"""
import os
import sys

_MAGIC = b"giltrace-mark-v1"
_SEPARATOR = u"\x1f"
_GETTID_X86_64 = 186
_MAX_MARK_BYTES = 2000


class _FailingOnPurpose(Exception):
    """Raised by a step that GILTRACE_HOOK_FAIL names."""


def _failing_steps():
    try:
        return frozenset(os.environ.get("GILTRACE_HOOK_FAIL", "").split(","))
    except Exception:
        return frozenset()


_FAILING = _failing_steps()


def _step(name):
    if name in _FAILING:
        raise _FailingOnPurpose(name)


def _hide_our_folder():
    """Takes out the sys.path entry giltrace's PYTHONPATH added (the first one naming this folder).
    False when that could not be done: then handing over would import this file again."""
    try:
        here = os.path.dirname(os.path.abspath(__file__))
        for index, entry in enumerate(sys.path):
            if isinstance(entry, str) and entry and os.path.abspath(entry) == here:
                del sys.path[index]
                sys.path_importer_cache.pop(entry, None)
                break
        return True
    except Exception:
        return False


def _also_to_names_file(emit, libc):
    """A sampled run (no probes) names a file to append the marker texts to, one line each:
    GILTRACE_NAMES. Then emit writes there too (the marker call stays: a giltrace tracing the
    sampling one still reads it). The file is opened and closed at each call (a thread start or
    rename), so the program never holds a descriptor of ours. libc's open, write and close are
    called keeping the GIL (`libc()` finds them: see _load_marker): os.open and the like release
    it, and each release let another thread in, so a starting thread waited for the GIL in our
    code. Looked up only in a sampled run: if that fails, the names file is left out, the marker
    call stays."""
    path = os.environ.get("GILTRACE_NAMES")
    if not path:
        return emit
    try:
        open_, write, close = libc()
    except Exception:
        return emit
    flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)
    encoded = path.encode("utf-8", "surrogateescape") if not isinstance(path, bytes) else path

    def emit_both(*parts):
        emit(*parts)
        text = _SEPARATOR.join([str(part).replace("\n", " ").replace("\0", " ") for part in parts])
        line = text.encode("utf-8", "replace")[:_MAX_MARK_BYTES] + b"\n"
        fd = open_(encoded, flags)
        if fd < 0:
            return
        try:
            write(fd, line, len(line))
        finally:
            close(fd)

    return emit_both


def _load_marker():
    """(emit, native_id): emit(*parts) calls strverscmp(text, magic) (and in a sampled run also
    writes the text to GILTRACE_NAMES); native_id() is the thread's OS id."""
    _step("libc")
    import _ctypes

    class CInt(_ctypes._SimpleCData):
        _type_ = "i"

    class CLong(_ctypes._SimpleCData):
        _type_ = "l"

    class CString(_ctypes._SimpleCData):
        _type_ = "z"

    keeps_gil = _ctypes.FUNCFLAG_CDECL | _ctypes.FUNCFLAG_PYTHONAPI

    class Strverscmp(_ctypes.CFuncPtr):
        _flags_ = keeps_gil
        _restype_ = CInt
        _argtypes_ = (CString, CString)

    process = _ctypes.dlopen(None)  # the program's global scope, where libc's symbols are
    mark = Strverscmp(_ctypes.dlsym(process, "strverscmp"))

    class Open(_ctypes.CFuncPtr):  # open is variadic: on x86-64 libffi tells it no vector arguments
        _flags_ = keeps_gil
        _restype_ = CInt
        _argtypes_ = (CString, CInt)

    class Write(_ctypes.CFuncPtr):
        _flags_ = keeps_gil
        _restype_ = CLong
        _argtypes_ = (CInt, CString, CLong)

    class Close(_ctypes.CFuncPtr):
        _flags_ = keeps_gil
        _restype_ = CInt
        _argtypes_ = (CInt,)

    def libc():
        return Open(_ctypes.dlsym(process, "open")), Write(_ctypes.dlsym(process, "write")), Close(_ctypes.dlsym(process, "close"))

    def emit(*parts):
        _step("emit")
        text = _SEPARATOR.join([str(part) for part in parts])
        mark(text.encode("utf-8", "replace")[:_MAX_MARK_BYTES], _MAGIC)

    emit = _also_to_names_file(emit, libc)

    _step("native-id")
    import _thread  # always loaded: importlib itself uses it

    native_id = getattr(_thread, "get_native_id", None)
    if native_id is None:
        if os.uname()[4] != "x86_64":
            raise OSError("no gettid system call number for this machine")

        class Syscall(_ctypes.CFuncPtr):
            _flags_ = keeps_gil
            _restype_ = CLong
            _argtypes_ = (CLong,)

        syscall = Syscall(_ctypes.dlsym(process, "syscall"))

        def native_id():
            return syscall(_GETTID_X86_64)

    return emit, native_id


def _command_line():
    argv = getattr(sys, "orig_argv", None)  # 3.10+
    if argv:
        return list(argv)
    try:
        # Before 3.10 sys.argv lacks the interpreter's options (and 3.6 has no sys.argv yet here).
        with open("/proc/self/cmdline", "rb") as cmdline:
            return [os.fsdecode(arg) for arg in cmdline.read().split(b"\0")[:-1]]
    except Exception:
        return [sys.executable] + list(getattr(sys, "argv", []))


def _announce_process(emit):
    _step("process")
    gil_enabled = getattr(sys, "_is_gil_enabled", lambda: True)()
    version = sys.version.split()[0]
    emit("process", os.getpid(), sys.executable, version, "enabled" if gil_enabled else "disabled", " ".join(_command_line()))


def _announce_main_thread(emit, native_id):
    """This file runs in the main thread, while Python starts; `threading` calls it MainThread."""
    _step("main-thread")
    threading = sys.modules.get("threading")
    emit("thread", native_id(), threading.main_thread().name if threading is not None else "MainThread")


def _announce_forked_children(emit, native_id):
    """Registers the child half of an at-fork handler (3.7+; Python calls it in every child that
    os.fork() makes, before the program's code goes on). It only reads: the forking thread's
    object from threading's table of threads, never current_thread(), which would make a Dummy
    thread object in a thread threading does not know, and the child's threading would adopt it as
    its main thread under that name."""
    register_at_fork = getattr(os, "register_at_fork", None)
    if register_at_fork is None:
        return
    import _thread

    def after_in_child():
        try:
            _step("fork")
            try:
                _announce_process(emit)
            except Exception:
                pass
            threading = sys.modules.get("threading")
            thread = getattr(threading, "_active", {}).get(_thread.get_ident()) if threading is not None else None
            # not there: threading makes a MainThread for it (its own at-fork handler)
            emit("thread", native_id(), thread.name if thread is not None else "MainThread")
        except Exception:
            pass

    register_at_fork(after_in_child=after_in_child)


def _wear_name_of(wrapper, original):
    """So that reprs and tracebacks read as before."""
    for attribute in ("__name__", "__qualname__", "__doc__", "__module__"):
        try:
            setattr(wrapper, attribute, getattr(original, attribute))
        except Exception:
            pass
    return wrapper


def _patch_threading(threading, emit, native_id):
    _step("patch")
    import _thread

    thread_class = threading.Thread
    original_set_ident = thread_class.__dict__["_set_ident"]
    name_property = thread_class.__dict__["name"]
    if not isinstance(name_property, property) or not callable(original_set_ident):
        return
    get_ident = _thread.get_ident

    def _set_ident(self):
        # Called in the thread it describes: a new Thread's first step in _bootstrap_inner, and by
        # the Dummy (or Main) thread objects that current_thread() makes for threads threading did not start.
        original_set_ident(self)
        try:
            _step("announce")
            emit("thread", native_id(), name_property.fget(self))
        except Exception:
            pass

    def set_name(self, value):
        name_property.fset(self, value)
        try:
            _step("rename")
            if self.ident == get_ident():
                tid = native_id()
            else:
                tid = getattr(self, "native_id", None)  # 3.8+; None until started
            if tid:
                emit("thread", tid, name_property.fget(self))
        except Exception:
            pass

    renaming = property(name_property.fget, _wear_name_of(set_name, name_property.fset), name_property.fdel, name_property.__doc__)
    thread_class._set_ident = _wear_name_of(_set_ident, original_set_ident)
    thread_class.name = renaming


def _inside_a_finder_loop():
    """Whether importlib is looking through sys.meta_path further up this stack (see unwatch)."""
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if code.co_name == "_find_spec" and "importlib" in code.co_filename:
            return True
        frame = frame.f_back
    return False


class _ThreadingWatch(object):
    """On sys.meta_path until `threading` is imported: finds it with the finders after itself and
    hands that very spec back, its loader's exec_module wrapped for this one call, so `threading`
    runs its own code as usual and is patched right after."""

    def __init__(self, patch):
        self._patch = patch
        self._waiting = True

    def find_spec(self, name, path=None, target=None):
        if name != "threading" or not self._waiting:
            return None
        try:
            _step("find-spec")
            return self._spec_patched_after_loading(name, path, target)
        except Exception:
            return None

    def _spec_patched_after_loading(self, name, path, target):
        finders = list(sys.meta_path)
        spec = None
        for finder in finders[finders.index(self) + 1 :]:
            find_spec = getattr(finder, "find_spec", None)
            if find_spec is None:
                return None  # a legacy finder: importlib knows how to ask it, let it
            spec = find_spec(name, path, target)
            if spec is not None:
                break
        loader = getattr(spec, "loader", None)
        if loader is None or isinstance(loader, type) or "exec_module" in vars(loader):
            return None  # a class as loader (frozen, builtin) would be patched for every module
        original_exec_module = loader.exec_module
        watch = self

        def exec_module(module):
            try:
                del loader.exec_module
            except Exception:
                pass
            original_exec_module(module)  # threading's own code; what it raises is the program's
            watch._waiting = False
            watch._loaded(module)

        # Only for this loader object, made for this one find: a spec found but never loaded
        # (importlib.util.find_spec) leaves the watch waiting for the real import.
        loader.exec_module = exec_module
        return spec

    def _loaded(self, threading):
        try:
            self._patch(threading)
        except Exception:
            pass
        try:
            _step("unwatch")
            # importlib loops over the live sys.meta_path list: removing an entry in front of a
            # loop that is still running would make it skip one finder. Here the import of
            # threading has finished its search; an outer import's search may still be running
            # only if a finder's find_spec imported threading.
            if not _inside_a_finder_loop():
                for index, finder in enumerate(sys.meta_path):
                    if finder is self:
                        del sys.meta_path[index]
                        break
        except Exception:
            pass


def _install():
    emit, native_id = _load_marker()
    try:
        _announce_process(emit)
    except Exception:
        pass
    try:
        _announce_main_thread(emit, native_id)
    except Exception:
        pass
    try:
        _announce_forked_children(emit, native_id)
    except Exception:
        pass

    def patch(threading):
        _patch_threading(threading, emit, native_id)

    threading = sys.modules.get("threading")
    if threading is not None:  # a .pth file imported it already
        patch(threading)
        return
    _step("watch")
    sys.meta_path.insert(0, _ThreadingWatch(patch))


def _hand_over_to_user_sitecustomize(ours):
    """Imports the sitecustomize Python would have found without giltrace, in our place. What it
    raises (ImportError for `sitecustomize` itself when there is none) goes to site.py, which then
    does what it does without giltrace: ignore a missing one, print one line for a broken one."""
    if sys.modules.get("sitecustomize") is ours:
        del sys.modules["sitecustomize"]
    import sitecustomize  # noqa: F401  (the user's; this folder is off sys.path now)


if __name__ == "sitecustomize":
    _ours = sys.modules.get("sitecustomize")
    _hidden = _hide_our_folder()
    if sys.version_info[0] >= 3:
        try:
            _install()
        except Exception:
            pass
    if _hidden:
        _hand_over_to_user_sitecustomize(_ours)
