"""A user sitecustomize that works: it still runs, and is the one in sys.modules."""
import sys

sys.stderr.write("user sitecustomize ran\n")
VALUE = 42
