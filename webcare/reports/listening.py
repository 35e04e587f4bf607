"""Listening: who writes to us and about what, answered versus ignored, and the sentiment over time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case, func, or_, select

from webcare.extensions import db
from webcare.inbox.models import Author, Case, CaseDecision, CaseStatus, Direction, Message
from webcare.reports.metrics import TOP_LIMIT
from webcare.reports.period import ReportQuery, plain_value
from webcare.reports.sql import local_day


@dataclass(frozen=True)
class AuthorRow:
    author_id: int
    name: str
    handle: str | None
    channel: str
    messages: int
    followers: int
    reach: int


def authors(query: ReportQuery, *, order: str) -> list[AuthorRow]:
    """Authors of inbound messages in the period: `order` "messages" (most active) or "reach" (most influential).

    Reach is the followers summed over the author's messages: how many timelines the messages could reach.
    """
    followers = func.coalesce(Author.followers, 0)
    messages = func.count(Message.id).label("messages")
    reach = func.sum(followers).label("reach")
    statement = (
        select(
            Author.id,
            Author.name,
            Author.handle,
            Author.platform_id,
            Author.channel,
            messages,
            func.max(followers),
            reach,
        )
        .join(Author, Author.id == Message.author_id)
        .where(
            Message.direction == Direction.INBOUND,
            Message.created_at >= query.start,
            Message.created_at < query.end,
        )
        .group_by(Author.id, Author.name, Author.handle, Author.platform_id, Author.channel)
        .order_by((messages if order == "messages" else reach).desc(), Author.id)
        .limit(TOP_LIMIT)
    )
    return [
        AuthorRow(
            row[0],
            row[1] or row[2] or row[3],
            row[2],
            plain_value(row[4]),
            int(row[5]),
            int(row[6] or 0),
            int(row[7] or 0),
        )
        for row in db.session.execute(statement)
    ]


def top_topics(query: ReportQuery) -> list[tuple[str, int, int]]:
    """The most frequent topics in the period with their count in the previous period."""

    def counts(period_query: ReportQuery) -> dict:
        statement = (
            select(Case.topic, func.count())
            .where(period_query.in_period(), Case.topic.is_not(None))
            .group_by(Case.topic)
        )
        return dict(db.session.execute(statement).all())

    current = counts(query)
    previous = counts(ReportQuery(query.period.previous(), (), query.clock, query.now))
    ranked = sorted(current.items(), key=lambda item: (-item[1], item[0]))[:TOP_LIMIT]
    return [(topic, int(count), int(previous.get(topic, 0))) for topic, count in ranked]


def topic_trend(query: ReportQuery, topics: Sequence[str]) -> dict[str, dict[str, int]]:
    """Cases per week for the given topics: {week (Monday): {topic: count}}."""
    if not topics:
        return {}
    week = local_day(Case.first_inbound_at, query.tz, query.start, query.end, week=True).label("week")
    statement = (
        select(week, Case.topic, func.count())
        .where(query.in_period(), Case.topic.in_(list(topics)))
        .group_by(week, Case.topic)
        .order_by(week)
    )
    trend: dict[str, dict[str, int]] = {}
    for week_start, topic, count in db.session.execute(statement):
        trend.setdefault(week_start, {})[topic] = int(count)
    return trend


def answered_versus_ignored(query: ReportQuery) -> dict[str, int]:
    """Cases answered, ignored by decision, and neither (yet), in the period."""
    ignored = or_(Case.action == "ignore", Case.status == CaseStatus.IGNORED)
    outcome = case(
        (Case.first_response_at.is_not(None), "answered"),
        (ignored, "ignored"),
        else_="unanswered",
    )
    found = dict(db.session.execute(select(outcome, func.count()).where(query.in_period()).group_by(outcome)).all())
    return {name: int(found.get(name, 0)) for name in ("answered", "ignored", "unanswered")}


@dataclass(frozen=True)
class SentimentDay:
    day: str
    scored: int
    mean: float | None
    negative: int
    neutral: int
    positive: int


def sentiment_trend(query: ReportQuery) -> list[SentimentDay]:
    """Per local day of decision: how many decisions carried a sentiment score, their mean and the labels."""
    score = CaseDecision.features["sentiment"].as_float()
    label = CaseDecision.features["sentiment_label"].as_string()
    day = local_day(CaseDecision.decided_at, query.tz, query.start, query.end).label("day")
    statement = (
        select(
            day,
            func.count(score),
            func.sum(score),
            *(func.count().filter(label == name) for name in ("negative", "neutral", "positive")),
        )
        .where(CaseDecision.decided_at >= query.start, CaseDecision.decided_at < query.end)
        .group_by(day)
        .order_by(day)
    )
    days = []
    for row in db.session.execute(statement):
        scored = int(row[1])
        if not scored and not any(row[3:]):
            continue
        days.append(
            SentimentDay(
                row[0], scored, round(float(row[2]) / scored, 3) if scored else None, *(int(v) for v in row[3:])
            )
        )
    return days
