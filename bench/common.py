"""What the benchmark scripts share: the production-like environment, the machine, percentiles."""

import math
import os
import platform
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/segur_bench"
PRIVATE_MEDIA = Path(tempfile.gettempdir()) / "segur_bench_private"
BENCH_SIGNING_KEYS = "bench:bench-only-signing-key-" + "x" * 20


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def bench_env(*, allowed_hosts: str = "127.0.0.1") -> dict[str, str]:
    """Production settings, as close to a deployment as loopback allows.

    SSL redirect off (no TLS on loopback); no REDIS_URL, so the cache is local memory and tasks
    would run in-process (the benchmarks call the services directly anyway).
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "segur_funding.settings.production",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-production-" + "x" * 20,
        # Production requires sealing keys; the bench database is never a real one.
        "SEGUR_SIGNING_KEYS": os.environ.get("SEGUR_SIGNING_KEYS") or BENCH_SIGNING_KEYS,
        "DJANGO_ALLOWED_HOSTS": allowed_hosts,
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url(),
        "SEGUR_PRIVATE_MEDIA_ROOT": str(PRIVATE_MEDIA),
        # Notifications (e.g. "export ready") are rendered and "sent" in memory: no SMTP here.
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    return env


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def machine() -> dict[str, str]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": ram,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }
