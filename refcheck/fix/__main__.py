"""``python -m refcheck.fix PATH...``: the fix command without the main entry point."""

import sys

from refcheck.fix.cli import main

sys.exit(main(sys.argv[1:]))
