"""One object from the bucket to disk: resumable, verified, retried.

Bytes go to `<file>.part` and are renamed into place only once their checksum (the MD5 a file list, a
metadata JSON or the inventory states, else the S3 ETag) or, without one, their size matches; a killed run
leaves the `.part`, and the next run asks for the rest with an HTTP Range request. Connection errors,
timeouts, 429 and 5xx are retried with exponential backoff; a 404 is an answer, not an error.
"""
import hashlib
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx

_MD5 = re.compile(r"[0-9a-f]{32}")
_CHUNK = 1 << 16
T = TypeVar("T")


@dataclass(frozen=True)
class Result:
    key: str
    status: str            # downloaded | skipped (present) | excluded (not wanted) | missing (404) | failed
    reason: str = ""
    bytes: int = 0


class Retry(Exception):
    """A failure worth another attempt."""


class Downloader:
    def __init__(self, base_url: str, workers: int = 4, retries: int = 4, backoff: float = 1.0,
                 timeout: float = 60.0):
        self.retries, self.backoff = retries, backoff
        self.client = httpx.Client(base_url=base_url.rstrip("/") + "/", timeout=timeout, follow_redirects=True,
                                   headers={"Accept-Encoding": "identity"},   # checksums are of the stored bytes
                                   limits=httpx.Limits(max_connections=workers))

    def __enter__(self) -> "Downloader":
        return self

    def __exit__(self, *exc) -> None:
        self.client.close()

    def fetch(self, key: str, dest: Path, md5: str | None = None) -> Result:
        """Download `key` to `dest` unless it is already there with the expected content."""
        md5 = md5 if md5 and _MD5.fullmatch(md5) else None      # multipart ETags ("...-3") are not MD5s

        def attempt() -> Result:
            if dest.exists() and self._unchanged(key, dest, md5):
                return Result(key, "skipped", "already present, checksum matches")
            return self._get(key, dest, md5)
        return self._retrying(key, attempt)

    def read(self, key: str, params: dict | None = None) -> bytes | Result:
        """A small object (a listing, a manifest) in memory; a Result (missing or failed) when it cannot be had."""
        return self._retrying(key, lambda: self._check(self.client.get(key, params=params)).content)

    def _retrying(self, key: str, attempt: Callable[[], T]) -> T | Result:
        reason = ""
        for n in range(self.retries + 1):
            if n:
                time.sleep(self.backoff * 2 ** (n - 1))
            try:
                return attempt()
            except _NotFound:
                return Result(key, "missing", "not found (404)")
            except _Refused as exc:
                return Result(key, "failed", str(exc))
            except Retry as exc:
                reason = str(exc)
            except httpx.TransportError as exc:
                reason = f"{type(exc).__name__}: {exc}"
        return Result(key, "failed", f"{reason} (after {self.retries + 1} attempts)")

    def _unchanged(self, key: str, dest: Path, md5: str | None) -> bool:
        if md5:
            return file_md5(dest) == md5
        response = self._check(self.client.head(key))
        etag = response.headers.get("etag", "").strip('"')
        if _MD5.fullmatch(etag):
            return file_md5(dest) == etag
        return str(dest.stat().st_size) == response.headers.get("content-length")

    def _get(self, key: str, dest: Path, md5: str | None) -> Result:
        part = dest.with_name(dest.name + ".part")
        dest.parent.mkdir(parents=True, exist_ok=True)
        offset = part.stat().st_size if part.exists() else 0
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        with self.client.stream("GET", key, headers=headers) as response:
            if response.status_code == 416:          # the .part is not a prefix of this object: start over
                part.unlink()
                raise Retry("stale partial file (HTTP 416)")
            self._check(response)
            resumed = response.status_code == 206
            with open(part, "ab" if resumed else "wb") as out:
                for chunk in response.iter_bytes(_CHUNK):
                    out.write(chunk)
            etag = response.headers.get("etag", "").strip('"')
            total = _total_size(response, offset if resumed else 0)
        expected = md5 or (etag if _MD5.fullmatch(etag) else None)
        if expected and (got := file_md5(part)) != expected:
            part.unlink()
            raise Retry(f"checksum mismatch: MD5 {got}, expected {expected}")
        if not expected and total is not None and part.stat().st_size != total:
            raise Retry(f"size mismatch: {part.stat().st_size} bytes, expected {total}")
        os.replace(part, dest)
        return Result(key, "downloaded", "resumed" if resumed else "", dest.stat().st_size)

    @staticmethod
    def _check(response: httpx.Response) -> httpx.Response:
        if response.status_code == 404:
            raise _NotFound
        if response.status_code == 429 or response.status_code >= 500:
            raise Retry(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise _Refused(f"HTTP {response.status_code}")
        return response


class _NotFound(Exception):
    pass


class _Refused(Exception):
    """Any other 4xx (403 on a private key, 400...): asking again gets the same answer."""


def _total_size(response: httpx.Response, offset: int) -> int | None:
    if match := re.search(r"/(\d+)$", response.headers.get("content-range", "")):
        return int(match.group(1))
    length = response.headers.get("content-length")
    return offset + int(length) if length else None


def file_md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
