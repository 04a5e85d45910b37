"""The staging Prometheus configuration: one job per staging server, scraped every few s."""

from __future__ import annotations

SCRAPE_JOB = """\
  - job_name: {job}
    static_configs:
      - targets: ['{target}']
"""


def render_prometheus_config(targets: dict[str, str], scrape_interval_s: int = 1) -> str:
    """`targets` maps a job name to its host:port; the instance label is that host:port."""
    if scrape_interval_s < 1:
        raise ValueError(f"scrape_interval_s must be at least 1, got {scrape_interval_s}")
    timeout_ms = min(10_000, scrape_interval_s * 900)
    head = (
        "global:\n"
        f"  scrape_interval: {scrape_interval_s}s\n"
        f"  scrape_timeout: {timeout_ms}ms\n"
        f"  evaluation_interval: {scrape_interval_s}s\n"
        "scrape_configs:\n"
    )
    return head + "".join(
        SCRAPE_JOB.format(job=job, target=target) for job, target in targets.items()
    )
