"""A user sitecustomize that raises: Python prints one line about it and goes on."""
1 / 0
