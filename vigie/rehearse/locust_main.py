"""`python -m vigie.rehearse.locust_main LOCUST-ARGS...`: Locust's own command line,
with the one compatibility fix this project's environment needs. Run only as a process.

Locust 2.47 imports `urllib3.util.create_urllib3_context`, exported there since urllib3
2; the `test` extra keeps urllib3 1.26 (dash[testing] pins selenium 4.2.0, which wants
urllib3 below 2), where the same function lives in `urllib3.util.ssl_`. Aliasing it is
all Locust needs: its HTTP client otherwise works with urllib3 1.26.
"""

from __future__ import annotations

import sys


def main() -> None:
    from gevent import monkey

    monkey.patch_all()  # first, as Locust itself does, before ssl or sockets are imported
    import urllib3.util

    if not hasattr(urllib3.util, "create_urllib3_context"):
        from urllib3.util import ssl_

        urllib3.util.create_urllib3_context = ssl_.create_urllib3_context  # type: ignore[attr-defined]
    from locust.main import main as locust

    sys.argv[0] = "locust"
    locust()


if __name__ == "__main__":
    main()
