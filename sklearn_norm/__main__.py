"""``python -m sklearn_norm``: the ``sklearn-norm`` command line."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
