"""PMC's licence groups, shared by the JATS reader (licence URLs, file-list codes) and the downloader
(the `license_code` of the Cloud Service's metadata JSON), so both sort an article the same way."""
import re

_CC_PATH = re.compile(r"creativecommons\.org/licenses/([a-z\-]+)")


def license_group(licence: str | None) -> str:
    """PMC's groups: CC0 / public domain / CC BY / BY-SA / BY-ND -> commercial; any NC -> non-commercial.

    Takes a licence URL, a PMC code ("CC BY-NC-ND", "NO-CC CODE", "TDM") or licence prose.
    """
    if not licence:
        return "other"
    low = licence.lower()
    code = _CC_PATH.search(low)
    if code:
        return "non-commercial" if "nc" in code.group(1).split("-") else "commercial"
    squashed = re.sub(r"[\s_\-]+", "", low)
    if "noncommercial" in squashed or "ccbync" in squashed:
        return "non-commercial"
    if any(k in squashed for k in ("publicdomain", "cc0", "freeofallcopyright", "creativecommonsattribution",
                                   "ccby")):
        return "commercial"
    return "other"
