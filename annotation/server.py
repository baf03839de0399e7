"""Talking to a Label Studio server through `label-studio-sdk`: projects, task upload, annotation download.

A project is found by its exact title and must use the same labeling config (same questions) as the
export; uploads skip rows whose medcurate id is already in the project, so exporting twice never
duplicates a task. Downloads keep the Label Studio JSON export layout, with each annotator's email.
"""
import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from label_studio_sdk.core.api_error import ApiError

from medcurate.annotation.configs import LabelConfig, controls_of
from medcurate.annotation.tasks import ID
from medcurate.errors import RunFailed, UsageError

ANNOTATION_KEYS = ("id", "completed_by", "result", "was_cancelled", "lead_time", "created_at", "updated_at")
PREDICTION_KEYS = ("model_version", "score", "result")


@dataclass(frozen=True)
class Pushed:
    project_id: int
    project_created: bool
    created: int
    skipped: int              # already in the project


class ServerError(RunFailed):
    """The server could not be reached or failed."""


class Refused(UsageError):
    """The server refused what was asked: a bad token (401/403) or a bad request."""


@contextmanager
def talking_to(url: str) -> Iterator[None]:
    """Turn the SDK's and httpx's errors into one short message (no traceback for a bad token or URL)."""
    try:
        yield
    except ApiError as exc:
        error = Refused if exc.status_code and 400 <= exc.status_code < 500 else ServerError
        raise error(f"Label Studio at {url} answered {exc.status_code}: {exc.body}") from exc
    except httpx.HTTPError as exc:
        raise ServerError(f"cannot reach Label Studio at {url}: {exc}") from exc


def connect(url: str, token: str):
    from label_studio_sdk import LabelStudio  # imported here: ~1.5 s that other commands should not pay
    return LabelStudio(base_url=url.rstrip("/"), api_key=token)


def find_project(client, title: str):
    return next((p for p in client.projects.list(title=title) if p.title == title), None)


def ensure_project(client, title: str, config: LabelConfig) -> tuple[int, bool]:
    """The project's id, and whether it was created now."""
    project = find_project(client, title)
    if project is None:
        project = client.projects.create(title=title, label_config=config.xml,
                                         description=f"medcurate review, labeling config {config.ref}")
        return project.id, True
    if controls_of(client.projects.get(project.id).label_config) != config.controls:
        raise UsageError(f"Label Studio project {title!r} asks other questions than {config.ref}; "
                         "export into a new project (--project NAME)")
    return project.id, False


def push(url: str, token: str, title: str, config: LabelConfig, tasks: list[dict]) -> Pushed:
    with talking_to(url):
        client = connect(url, token)
        project_id, created = ensure_project(client, title, config)
        present = {t.data.get(ID) for t in client.tasks.list(project=project_id, fields="task_only")}
        new = [t for t in tasks if t["data"][ID] not in present]
        if new:
            client.projects.import_tasks(project_id, request=new)
    return Pushed(project_id, created, len(new), len(tasks) - len(new))


def download(url: str, token: str, title: str) -> list[dict]:
    """Every task of the project with its annotations and predictions, in Label Studio's export layout."""
    with talking_to(url):
        client = connect(url, token)
        project = find_project(client, title)
        if project is None:
            raise UsageError(f"no Label Studio project titled {title!r} at {url}")
        emails = {u.id: u.email for u in client.users.list()}
        tasks = [_exported(task, project.id, emails) for task in client.tasks.list(project=project.id, fields="all")]
    return sorted(tasks, key=lambda t: t["id"])


def _exported(task, project_id: int, emails: dict[int, str]) -> dict:
    annotations = [{k: a.get(k) for k in ANNOTATION_KEYS} for a in task.annotations or []]
    for a in annotations:
        a["completed_by"] = {"id": a["completed_by"], "email": emails.get(a["completed_by"])}
    predictions = [{k: _plain(p).get(k) for k in PREDICTION_KEYS} for p in task.predictions or []]
    return {"id": task.id, "project": project_id, "data": task.data, "annotations": annotations,
            "predictions": predictions}


def download_to(folder: Path, url: str, token: str, title: str) -> Path:
    """Save the project's tasks as JSON named by content: an unchanged project gives the same file, so
    importing it again is a cache hit. Sorted keys and tasks keep the bytes stable."""
    text = json.dumps(download(url, token, title), indent=1, sort_keys=True, ensure_ascii=False, default=str)
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", title).strip("-") or "project"
    path = folder / f"{slug}-{hashlib.sha256(text.encode()).hexdigest()[:16]}.json"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _plain(item) -> dict:
    return item if isinstance(item, dict) else item.dict()
