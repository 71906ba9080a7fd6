"""giltrace's hook inside the traced Python: tells the recording the Python names of threads
(their OS names are all "python3") and which interpreter ran.

How: giltrace puts a uprobe on libc's strverscmp(), a pure function almost nothing calls, that
records its first argument as a string. Calling it with a marker text puts that text into the
perf recording at the right time, in the right thread. Harmless when no probe is there.
Loaded through PYTHONPATH by `giltrace record`; the user's own sitecustomize (if any) still runs.
"""
import os
import sys

_MAGIC = b"giltrace-mark-v1"


def _giltrace_install():
    try:
        import ctypes
        import threading

        mark = ctypes.CDLL(None).strverscmp
        mark.argtypes = (ctypes.c_char_p, ctypes.c_char_p)
        mark.restype = ctypes.c_int
    except Exception:
        return

    def emit(*parts):
        try:
            text = "\x1f".join(str(part) for part in parts)
            mark(text.encode("utf-8", "replace")[:2000], _MAGIC)
        except Exception:
            pass

    def tell(thread, native_id):
        if native_id is not None:
            emit("thread", native_id, thread.name)

    original_bootstrap = threading.Thread._bootstrap_inner

    def _bootstrap_inner(self):
        # Runs in the new thread, before Thread sets its native_id.
        tell(self, threading.get_native_id())
        return original_bootstrap(self)

    threading.Thread._bootstrap_inner = _bootstrap_inner

    name_property = threading.Thread.name

    def set_name(self, value):
        name_property.fset(self, value)
        tell(self, getattr(self, "native_id", None))

    threading.Thread.name = property(name_property.fget, set_name, doc=name_property.__doc__)

    gil_enabled = getattr(sys, "_is_gil_enabled", lambda: True)()
    argv = getattr(sys, "orig_argv", None) or [sys.executable] + sys.argv
    emit("process", os.getpid(), sys.executable, sys.version.split()[0], "enabled" if gil_enabled else "disabled", " ".join(argv))
    tell(threading.main_thread(), threading.get_native_id())


def _chain_to_user_sitecustomize():
    """Hide this folder again and run the sitecustomize the user would have had without us."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or ".") != here]
    ours = sys.modules.pop("sitecustomize")
    try:
        import sitecustomize  # noqa: F401  (the user's, if any)
    except ImportError:
        sys.modules["sitecustomize"] = ours  # the import machinery expects to find us there


_giltrace_install()
_chain_to_user_sitecustomize()
