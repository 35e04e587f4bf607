"""Finding a resident across channels: every platform identity whose name, handle or platform id matches."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from webcare.extensions import db
from webcare.inbox.models import Author

SEARCH_LIMIT = 200


def find_identities(query: str) -> list[Author]:
    """Authors on any channel whose name, handle (also e-mail address or phone number) or platform id contains `query`."""
    needle = query.strip().lower()
    if len(needle) < 2:
        return []
    return list(
        db.session.scalars(
            select(Author)
            .where(
                or_(
                    *(
                        func.lower(column).contains(needle, autoescape=True)
                        for column in (Author.name, Author.handle, Author.platform_id)
                    )
                )
            )
            .order_by(Author.channel, Author.id)
            .limit(SEARCH_LIMIT)
        )
    )
