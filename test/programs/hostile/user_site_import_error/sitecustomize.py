"""A user sitecustomize whose own import fails: Python reports it (it is not a missing sitecustomize)."""
import giltrace_test_module_that_does_not_exist  # noqa: F401
