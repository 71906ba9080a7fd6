"""Starts the Python 2 given as argument: it inherits giltrace's PYTHONPATH and so runs the hook
file too, which must not disturb it (Python 2 syntax, hands over to the user's sitecustomize)."""
import subprocess
import sys

code = "import sys; print('sitecustomize' in sys.modules); print([p for p in sys.path if 'giltrace' in p])"
print(subprocess.check_output([sys.argv[1], "-c", code], stderr=subprocess.STDOUT).decode())
