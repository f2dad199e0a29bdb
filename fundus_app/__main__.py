import sys

from fundus_app.cli import main

sys.exit(main())
