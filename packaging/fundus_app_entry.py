"""Entry script of the frozen application: the same ``main`` as ``fundus-app`` and ``python -m fundus_app``."""
import multiprocessing
import sys

from fundus_app.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a child process of the frozen exe must not start the app again
    sys.exit(main())
