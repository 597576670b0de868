"""``python -m refcheck``: the same as the ``refcheck`` command (refcheck.cli.entry)."""

from refcheck.cli import entry

if __name__ == "__main__":
    entry()
