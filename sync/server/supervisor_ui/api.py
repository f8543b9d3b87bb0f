"""The review API as the supervisor screens call it (httpx, bearer token)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from sync.server.review.store import TOTAL_COUNT


class ReviewApiError(Exception):
    """A refusal or an unreachable server, as a message to show."""


class ReviewApi:
    def __init__(self, server: str, token: str, timeout: float = 15.0) -> None:
        self.client = httpx.Client(
            base_url=server.rstrip("/") + "/api/v1/review",
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
        )

    def _send(self, method: str, path: str, **kw: Any) -> httpx.Response:
        try:
            response = self.client.request(method, path, **kw)
        except httpx.HTTPError as error:
            raise ReviewApiError(f"server not reachable: {error}") from None
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text
            raise ReviewApiError(f"{response.status_code}: {detail}")
        return response

    def _call(self, method: str, path: str, **kw: Any) -> Any:
        return self._send(method, path, **kw).json()

    def queue(
        self, filters: dict[str, str], offset: int = 0, limit: int = 200
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of the queue (newest first, `limit` rows after the first `offset`) and how
        many submissions match the filters in all."""
        params: dict[str, str | int] = {k: v for k, v in filters.items() if v.strip()}
        params |= {"offset": offset, "limit": limit}
        response = self._send("GET", "/queue", params=params)
        rows: list[dict[str, Any]] = response.json()
        return rows, int(response.headers.get(TOTAL_COUNT, len(rows)))

    def submission(self, instance_id: str, language: str | None) -> dict[str, Any]:
        params = {"language": language} if language else {}
        view: dict[str, Any] = self._call("GET", f"/submissions/{instance_id}", params=params)
        return view

    def attachment(self, instance_id: str, name: str, width: int | None = None) -> bytes:
        """The file's bytes, or with `width` a preview the server scaled to fit width x width."""
        params = {"width": width} if width else {}
        path = f"/submissions/{quote(instance_id, safe='')}/attachments/{quote(name, safe='')}"
        return self._send("GET", path, params=params).content

    def decide(
        self, instance_id: str, decision: str, comment: str, questions: dict[str, str]
    ) -> dict[str, Any]:
        body = {"decision": decision, "comment": comment, "question_comments": questions}
        done: dict[str, Any] = self._call("POST", f"/submissions/{instance_id}/decision", json=body)
        return done

    def dashboard(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self._call("GET", "/dashboard")
        return rows
