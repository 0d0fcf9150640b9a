"""The push API's bearer tokens: a team's named tokens, kept only as hashes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ApiToken:
    id: str
    team: str
    name: str
    hash: str
    created_at: str
    last_used_at: str | None


class TokenRecords:
    def add_token(self, token: ApiToken) -> None:
        with self.atomic():
            self.conn.execute(
                "INSERT INTO api_tokens (id, team, name, hash, created_at) VALUES (?, ?, ?, ?, ?)",
                (token.id, token.team, token.name, token.hash, token.created_at),
            )

    def token_names(self, team: str) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT name FROM api_tokens WHERE team = ?", (team,))}

    def tokens(self, team: str) -> list[ApiToken]:
        rows = self.conn.execute(
            "SELECT id, team, name, hash, created_at, last_used_at FROM api_tokens WHERE team = ? ORDER BY name",
            (team,),
        )
        return [ApiToken(*row) for row in rows]

    def token_by_id(self, token_id: str) -> ApiToken | None:
        """The one lookup not scoped by team: the token's id is what says which team it is."""
        row = self.conn.execute(
            "SELECT id, team, name, hash, created_at, last_used_at FROM api_tokens WHERE id = ?", (token_id,)
        ).fetchone()
        return ApiToken(*row) if row else None

    def token_used(self, team: str, token_id: str, now: str) -> None:
        with self.atomic():
            self.conn.execute(
                "UPDATE api_tokens SET last_used_at = ? WHERE team = ? AND id = ?", (now, team, token_id)
            )

    def revoke_token(self, team: str, name: str) -> bool:
        with self.atomic():
            cur = self.conn.execute("DELETE FROM api_tokens WHERE team = ? AND name = ?", (team, name))
        return cur.rowcount > 0
