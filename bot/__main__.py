"""``python -m bot`` and the ``factbot`` command.

The cycle collector stays off while the command's modules are imported: the libraries make
hundreds of thousands of objects on the way, none of them garbage, and every collection
walked them all (about 15 ms of the 0.3 s `factbot ask` takes). What is imported then lives
as long as the process, so it is frozen out of later collections before collecting resumes:
no full collection in a running bot walks it again, nor Python's at exit (40 ms of
`factbot ask` before it was frozen).
"""

from __future__ import annotations

import gc
import sys


def main() -> int:
    gc.disable()
    try:
        from bot.cli import command  # here, with the collector off: see above
    finally:
        gc.freeze()
        gc.enable()
    return command()


if __name__ == "__main__":
    sys.exit(main())
