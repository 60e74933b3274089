"""``python -m tests.testbed up|down|status|env``"""

import sys

from .cli import main

sys.exit(main())
