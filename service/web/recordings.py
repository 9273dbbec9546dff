"""GET /voice/audio/<locale>/<file>: the voice line's recordings, read-only, for Twilio's <Play>.

Only files the content listed at start (service.voices.load_recordings: safe names, found by listing
content/audio/) are served: a requested name is looked up among them, never joined to a path, so no
request can reach another file. Recordings are public, like the words they say.
"""

from __future__ import annotations

from pathlib import PurePath

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse

from service.line import Line
from service.voices import AUDIO_DIR, AUDIO_ROUTE, AUDIO_TYPES

router = APIRouter(include_in_schema=False)
# Twilio fetches a recording for each call that plays it: let it and any cache between keep it a day.
CACHE_SECONDS = 86400


@router.get(AUDIO_ROUTE + "/{locale}/{name}")
def recording(request: Request, locale: str, name: str) -> FileResponse:
    """One recording, if the content lists it; 404 otherwise."""
    line: Line = request.app.state.line
    listed = line.catalogs.content.recordings.get(locale, {})
    if name not in listed.values():
        raise HTTPException(status_code=404, detail="No such recording.")
    return FileResponse(
        line.settings.content_dir / AUDIO_DIR / locale / name,
        media_type=AUDIO_TYPES[PurePath(name).suffix],
        headers={"Cache-Control": f"public, max-age={CACHE_SECONDS}"},
    )
