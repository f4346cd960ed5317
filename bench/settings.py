"""The project's settings as they are, with static files collected into a temporary folder.

Production settings serve content-hashed static files from a manifest that ``collectstatic``
writes into STATIC_ROOT, a folder inside the project; the benchmark collects them into its
own temporary folder instead (BENCH_STATIC_ROOT), so it leaves nothing behind.
"""

import os

from config.settings import *  # noqa: F403

STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
