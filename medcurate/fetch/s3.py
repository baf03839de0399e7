"""The two pieces of S3's REST interface the Cloud Service layout needs over plain HTTPS, no SDK: a
delimited ListObjectsV2 listing (which versions of an article exist, which inventory reports) and the
`s3://bucket/KEY?md5=HEX` URLs of the metadata JSON."""
from urllib.parse import parse_qs, unquote, urlsplit

from medcurate.fetch.download import Downloader, Result
from medcurate.xmlsafe import HostileXML, XMLSyntaxError, parse_xml


def common_prefixes(dl: Downloader, prefix: str) -> list[str] | Result:
    """The "folders" right under `prefix` (GET /?list-type=2&prefix=...&delimiter=/, every page)."""
    found: list[str] = []
    params = {"list-type": "2", "prefix": prefix, "delimiter": "/"}
    while True:
        got = dl.read("", params)
        if isinstance(got, Result):
            return Result(prefix, "failed", f"listing {prefix!r}: {got.reason}")
        try:
            root = parse_xml(got)
        except (HostileXML, XMLSyntaxError) as exc:
            return Result(prefix, "failed", f"listing {prefix!r}: not an S3 listing ({exc})")
        found += [p.text for p in root.iterfind("{*}CommonPrefixes/{*}Prefix") if p.text]
        if (root.findtext("{*}IsTruncated") or "").strip() != "true":
            return found
        token = root.findtext("{*}NextContinuationToken")
        if not token:
            return Result(prefix, "failed", f"listing {prefix!r}: truncated without a continuation token")
        params = {**params, "continuation-token": token}


def s3_object(url: object) -> tuple[str, str | None] | None:
    """"s3://bucket/PMC1.1/PMC1.1.xml?md5=ab12..." -> ("PMC1.1/PMC1.1.xml", "ab12..."); None if not such a URL."""
    if not isinstance(url, str):
        return None
    parts = urlsplit(url.strip())
    key = unquote(parts.path.lstrip("/"))
    if parts.scheme != "s3" or not key:
        return None
    return key, (parse_qs(parts.query).get("md5") or [None])[0]
