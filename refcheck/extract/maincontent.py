"""Placeholder replaced below."""
from __future__ import annotations
from typing import Any
def main_content_element(scope: Any) -> Any:
    return None
