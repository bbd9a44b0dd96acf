"""Where a dashboard's server time goes: cProfile of the portal against recorded answers.

    python tests/benchmarks/profile_dashboard.py [--runs 200] [--sort tottime] [--limit 40]

The stand-in instance (`_upstream.py`) answers at once, so nearly all the time is the portal's.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE)]

from _upstream import replayed_portal  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--path", default="/dashboard")
    parser.add_argument("--no-profile", action="store_true", help="only the medians")
    parser.add_argument("--redis", help="a Redis URL for sessions and caches, as in production")
    parser.add_argument("--dump", help="also write the profile to this file (pstats)")
    parser.add_argument(
        "--no-fragments", action="store_true", help="draw every card again (no fragment cache)"
    )
    parser.add_argument(
        "--afresh", action="store_true", help="draw each page again (cards may stay kept)"
    )
    args = parser.parse_args()
    config = {
        "TESTING": False,
        "SESSION_TYPE": "redis" if args.redis else "filesystem",
        "REDIS_URL": args.redis,
        "PORTAL_DEMO": True,
        **({"FRAGMENT_CACHE_SIZE": 0} if args.no_fragments else {}),
    }
    with replayed_portal("busy", **config) as (app, client):
        for _ in range(20):  # templates compiled, instance data cached
            assert client.get(args.path).status_code == 200
        times, cpu_times = [], []
        afresh = app.extensions["kept_pages"].clear if args.afresh else lambda: None
        for _ in range(args.runs):
            afresh()
            began, cpu_began = time.perf_counter(), time.process_time()
            client.get(args.path)
            times.append((time.perf_counter() - began) * 1000)
            cpu_times.append((time.process_time() - cpu_began) * 1000)
        profile = cProfile.Profile()
        if not args.no_profile:
            for _ in range(args.runs):
                afresh()
                profile.enable()
                client.get(args.path)
                profile.disable()
    print(
        f"{args.path}: median {statistics.median(times):.2f} ms per page without the profiler, "
        f"{statistics.median(cpu_times):.2f} ms CPU (loopback round trip to an instance "
        f"answering at once included)"
    )
    if not args.no_profile:
        if args.dump:
            profile.dump_stats(args.dump)
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.limit)


if __name__ == "__main__":
    main()
