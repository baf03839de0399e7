"""Prefect task runners by name: `local` (threads), `dask`, `ray`.

Dask is the one we install and test: on this 2-core machine its thread/process pools added 2-10 s to a
flow against 12-18 s for Ray (see the README), it installs in seconds, and `DaskTaskRunner(address=...)`
points the same flow at a running cluster. Ray works the same way if `prefect-ray` is installed.
"""
from prefect.task_runners import ThreadPoolTaskRunner

from medcurate.errors import UsageError

RUNNERS = ("local", "dask", "ray")


def task_runner(name: str, address: str | None = None, workers: int = 2):
    if name == "local":
        return ThreadPoolTaskRunner(max_workers=workers)
    if name == "dask":
        from prefect_dask import DaskTaskRunner
        if address:
            return DaskTaskRunner(address=address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True})
    if name == "ray":
        try:
            from prefect_ray import RayTaskRunner
        except ImportError as exc:
            raise UsageError("the ray runner needs `pip install prefect-ray`") from exc
        return RayTaskRunner(address=address) if address else RayTaskRunner(init_kwargs={"num_cpus": workers})
    raise UsageError(f"unknown runner {name!r}; choose one of {', '.join(RUNNERS)}")
