"""The notes resource's input rules: plain functions, no database (app/db.py stores what passes them)."""

from __future__ import annotations

import json

MAX_TEXT = 1000  # characters (code points), as PostgreSQL's char_length counts them
MAX_BODY = 16 * 1024  # bytes of request body read at most
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class Invalid(ValueError):
    """The request is refused; the message says which field and what it accepts (it goes to the client)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def is_json(content_type: str) -> bool:
    """application/json, with or without parameters (charset)."""
    return content_type.split(";", 1)[0].strip().lower() == "application/json"


def parse_note(body: bytes) -> str:
    """The text of a new note from a JSON body ``{"text": ...}``; Invalid when anything else is sent."""
    if len(body) > MAX_BODY:
        raise Invalid(f"the request body is larger than {MAX_BODY} bytes", status=413)
    try:
        doc = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Invalid('the body must be a JSON object such as {"text": "..."} in UTF-8') from None
    if not isinstance(doc, dict):
        raise Invalid('the body must be a JSON object such as {"text": "..."}')
    unknown = sorted(set(doc) - {"text"})
    if unknown:
        raise Invalid(f"unknown field(s) {', '.join(unknown)}: the only field is text")
    text = doc.get("text")
    if not isinstance(text, str):
        raise Invalid(f"text must be a string of 1 to {MAX_TEXT} characters")
    if not text.strip() or len(text) > MAX_TEXT:
        raise Invalid(f"text must be a string of 1 to {MAX_TEXT} characters, not blank")
    if "\x00" in text:  # PostgreSQL's text type cannot hold NUL
        raise Invalid("text must not contain the NUL character")
    return text


def parse_limit(raw: str | None) -> int:
    """The ``limit`` query parameter: how many notes, newest first."""
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 3 and 1 <= int(raw) <= MAX_LIMIT):
        raise Invalid(f"limit must be an integer from 1 to {MAX_LIMIT}")
    return int(raw)
