import sys

from finemotion_eval.cli.commands import main

sys.exit(main())
