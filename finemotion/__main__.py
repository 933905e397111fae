import sys

from finemotion.cli import main

sys.exit(main())
