"""The demo organisation: the fictional municipality of Lindeburg with weeks of realistic traffic."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select

from webcare.accounts.models import Account, Channel
from webcare.auth.models import Role, Team, User
from webcare.auth.services import create_user
from webcare.demo.corpus import (
    CONVERSATIONS,
    FIRST_NAMES,
    LAST_NAMES,
    NEIGHBOURHOODS,
    POLITICAL,
    PRESS,
    STREETS,
    WAVE_TEXTS,
)
from webcare.extensions import db
from webcare.inbox.models import ACTIVE_STATUSES, Case
from webcare.inbox.services import resolve_case
from webcare.intake.parsing import parse_message
from webcare.intake.services import store_messages
from webcare.mandates.demo import seed_demo_mandates
from webcare.mandates.models import Permission
from webcare.mandates.services import mandate_for
from webcare.protocol.services import activate_file, active_version
from webcare.replies.services import draft_reply
from webcare.resources import resource_dir
from webcare.roster.demo import load_demo_roster
from webcare.timeutil import utcnow, zone
from webcare.worker import run_worker

DEMO_USERS = [
    ("sanne@lindeburg.example", "Sanne de Vries", {Role.AGENT}),
    ("mehmet@lindeburg.example", "Mehmet Yılmaz", {Role.AGENT}),
    ("priya@lindeburg.example", "Priya Ramdin", {Role.AGENT}),
    ("joost@lindeburg.example", "Joost Bakker", {Role.LEAD, Role.AGENT}),
    ("els@lindeburg.example", "Els van Dijk", {Role.MANAGER}),
    ("beheer@lindeburg.example", "Beheerder Lindeburg", {Role.ADMIN}),
    ("archief@lindeburg.example", "Ria Hoekstra", {Role.RECORDS_MANAGER}),
    ("privacy@lindeburg.example", "Pieter de Graaf", {Role.PRIVACY_OFFICER}),
]
DEMO_ACCOUNTS = [
    (Channel.X, "gemeentelindeburg", "Gemeente Lindeburg", True),
    (Channel.X, "lindeburgnoord", "Wijkteam Lindeburg-Noord", False),
    (Channel.FACEBOOK, "gemeentelindeburg", "Gemeente Lindeburg", True),
    (Channel.FACEBOOK, "lindeburgbuiten", "Buitendienst Lindeburg", False),
    (Channel.INSTAGRAM, "gemeentelindeburg", "Gemeente Lindeburg", True),
    (Channel.WHATSAPP, "+31600000123", "WhatsApp Gemeente Lindeburg", True),
    (Channel.EMAIL, "info@lindeburg.example", "Info Gemeente Lindeburg", True),
    (Channel.WEBFORM, "contact", "Contactformulier", True),
]
CHANNEL_WEIGHTS = {
    Channel.X: 30,
    Channel.FACEBOOK: 30,
    Channel.INSTAGRAM: 10,
    Channel.WHATSAPP: 15,
    Channel.EMAIL: 10,
    Channel.WEBFORM: 5,
}
# Conversations started per local hour on a weekday: an office peak, an evening tail, quiet nights.
HOURLY_WEIGHTS = [
    0.2,
    0.1,
    0.1,
    0.1,
    0.1,
    0.3,
    0.8,
    2,
    4,
    6,
    6.5,
    6,
    4.5,
    5.5,
    6,
    5.5,
    4.5,
    3.5,
    3,
    3,
    2.8,
    2.2,
    1.4,
    0.6,
]
PER_WEEKDAY = 45
PER_WEEKEND_DAY = 16


def password_for(email: str) -> str:
    return "Welkom-" + email.split("@")[0] + "-2026"


@dataclass
class Resident:
    platform_id: str
    handle: str
    name: str
    followers: int
    is_verified: bool

    def as_author(self) -> dict:
        return {
            "id": self.platform_id,
            "handle": self.handle,
            "name": self.name,
            "followers": self.followers,
            "verified": self.is_verified,
        }


class _Generator:
    def __init__(self, seed: int):
        self.random = random.Random(seed)
        self.counter = 0
        self.residents = [self._resident(index) for index in range(400)]
        self.residents += [
            Resident(f"p{handle}", handle, name, followers, verified)
            for handle, name, followers, verified in PRESS + POLITICAL
        ]

    def _resident(self, index: int) -> Resident:
        first, last = self.random.choice(FIRST_NAMES), self.random.choice(LAST_NAMES)
        handle = (first + last.replace(" ", "")).lower()[:14] + str(self.random.randint(1, 99))
        followers = int(self.random.lognormvariate(5, 1.4))
        return Resident(f"r{index}", handle, f"{first} {last}", followers, False)

    def next_id(self, channel: Channel) -> str:
        self.counter += 1
        if channel == Channel.EMAIL:
            return f"<{self.counter}.{self.random.getrandbits(32):x}@mail.lindeburg.example>"
        return f"{channel.value}-{self.counter:08d}"

    def fill(self, text: str) -> str:
        return text.format(street=self.random.choice(STREETS), wijk=self.random.choice(NEIGHBOURHOODS))

    def account_for(self, channel: Channel) -> str:
        candidates = [handle for c, handle, _n, _g in DEMO_ACCOUNTS if c == channel]
        return candidates[0] if len(candidates) == 1 or self.random.random() < 0.8 else candidates[1]

    def conversation(self, start: datetime, now: datetime) -> list[dict]:
        """One conversation: the resident's message, perhaps our reply, perhaps a follow-up."""
        channel = self.random.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0]
        topic = self.random.choices(list(CONVERSATIONS), weights=[w for w, _i, _r in CONVERSATIONS.values()])[0]
        _weight, inbound_texts, reply_texts = CONVERSATIONS[topic]
        resident = self.random.choice(self.residents)
        account = self.account_for(channel)
        is_public = channel in {Channel.X, Channel.FACEBOOK, Channel.INSTAGRAM} and self.random.random() < 0.75
        conversation_id = None if is_public else f"conv-{channel.value}-{resident.platform_id}-{self.counter}"
        first = {
            "channel": channel.value,
            "account": account,
            "external_id": self.next_id(channel),
            "direction": "inbound",
            "created_at": start.isoformat(),
            "text": self.fill(self.random.choice(inbound_texts)),
            "author": resident.as_author(),
            "is_public": is_public,
            "conversation_id": conversation_id,
        }
        lines = [first]
        local = start.astimezone(zone())
        in_office = local.weekday() < 5 and 8 <= local.hour < 17
        # A team that keeps up: nearly everything older than a day was answered; the last day is still in hand.
        settled = start < now - timedelta(days=1)
        answer_chance = 0.96 if settled else (0.8 if in_office else 0.55)
        if not reply_texts or self.random.random() > answer_chance:
            return lines
        delay = timedelta(minutes=self.random.lognormvariate(4.2 if in_office else 6.3, 0.8))
        reply_at = start + delay
        if reply_at > now:
            return lines
        reply = {
            "channel": channel.value,
            "account": account,
            "external_id": self.next_id(channel),
            "direction": "outbound",
            "created_at": reply_at.isoformat(),
            "text": self.fill(self.random.choice(reply_texts)),
            "in_reply_to": first["external_id"],
            "is_public": is_public,
            "conversation_id": conversation_id,
        }
        lines.append(reply)
        if self.random.random() < 0.3:
            follow_at = reply_at + timedelta(minutes=self.random.randint(5, 600))
            if follow_at < now:
                lines.append(
                    {
                        **first,
                        "external_id": self.next_id(channel),
                        "created_at": follow_at.isoformat(),
                        "text": self.random.choice(
                            ["Dank je, ik wacht het af", "ok top 👍", "Nog steeds niks gebeurd hoor", "dm gestuurd"]
                        ),
                        "in_reply_to": reply["external_id"],
                    }
                )
        return lines

    def threat(self, at: datetime) -> dict:
        """One threatening message, as the protocol must route it to the lead at once."""
        resident = self.random.choice(self.residents)
        return {
            "channel": Channel.X.value,
            "account": "gemeentelindeburg",
            "external_id": self.next_id(Channel.X),
            "direction": "inbound",
            "created_at": at.isoformat(),
            "text": "Die wethouder moet oppassen, ik weet waar je woont. Pas maar op.",
            "author": resident.as_author(),
            "is_public": True,
        }

    def wave(self, start: datetime, size: int = 22) -> list[dict]:
        """Reactions under one post on the general Facebook account within ninety minutes."""
        lines = []
        for index in range(size):
            resident = self.random.choice(self.residents)
            lines.append(
                {
                    "channel": Channel.FACEBOOK.value,
                    "account": "gemeentelindeburg",
                    "external_id": self.next_id(Channel.FACEBOOK),
                    "direction": "inbound",
                    "created_at": (start + timedelta(minutes=index * 4 + self.random.randint(0, 3))).isoformat(),
                    "text": self.random.choice(WAVE_TEXTS),
                    "author": resident.as_author(),
                    "is_public": True,
                }
            )
        return lines

    def arrivals(self, first_day: datetime, days: int) -> list[datetime]:
        moments = []
        tz = zone()
        for offset in range(days):
            day = (first_day + timedelta(days=offset)).astimezone(tz).date()
            count = PER_WEEKDAY if day.weekday() < 5 else PER_WEEKEND_DAY
            count = max(0, int(self.random.gauss(count, count * 0.15)))
            hours = self.random.choices(range(24), weights=HOURLY_WEIGHTS, k=count)
            for hour in hours:
                local = datetime(
                    day.year,
                    day.month,
                    day.day,
                    hour,
                    self.random.randint(0, 59),
                    self.random.randint(0, 59),
                    tzinfo=tz,
                )
                moments.append(local)
        return sorted(moments)


def ensure_demo_accounts() -> None:
    """The demo municipality's accounts, sending through the log connector."""
    for channel, handle, name, is_general in DEMO_ACCOUNTS:
        account = db.session.scalar(select(Account).where(Account.channel == channel, Account.handle == handle))
        if account is None:
            db.session.add(Account(channel=channel, handle=handle, name=name, is_general=is_general, sends_to_log=True))
        else:
            account.name, account.is_general, account.sends_to_log = name, is_general, True
    db.session.commit()


def _ensure_users() -> list[tuple[str, str, str]]:
    team = db.session.scalar(select(Team).where(Team.name == "Webcare")) or Team(name="Webcare")
    db.session.add(team)
    db.session.commit()
    logins = []
    for email, name, roles in DEMO_USERS:
        if db.session.scalar(select(User).where(User.email == email)) is None:
            create_user(email, name, password_for(email), roles, team=team)
        logins.append((email, password_for(email), ", ".join(sorted(role.value for role in roles))))
    return logins


def _ensure_protocol() -> None:
    if active_version() is None:
        activate_file(resource_dir("protocols") / "gemeente.yaml")


def _store(lines: list[dict]) -> int:
    now = utcnow()
    max_text = current_app.config["WEBCARE_MAX_TEXT_LENGTH"]
    records = [
        (parse_message(line, now=now, max_text_length=max_text), json.dumps(line, ensure_ascii=False)) for line in lines
    ]
    result = store_messages(records, source="demo")
    db.session.commit()
    return result.created


def has_cases() -> bool:
    return db.session.scalar(select(Case.id).limit(1)) is not None


def load_demo(
    *, weeks: int = 4, seed: int = 2026, now: datetime | None = None, messages: bool = True
) -> list[tuple[str, str, str]]:
    """Create the demo organisation and its history, process it, and return the logins."""
    now = now or utcnow()
    ensure_demo_accounts()
    logins = _ensure_users()
    _ensure_protocol()
    seed_demo_mandates()
    load_demo_roster(now)
    if not messages:
        return logins
    generator = _Generator(seed)
    lines: list[dict] = []
    for start in generator.arrivals(now - timedelta(weeks=weeks), weeks * 7 + 1):
        if start < now:
            lines.extend(generator.conversation(start, now))
    wave_day = (now - timedelta(days=2)).astimezone(zone()).replace(hour=19, minute=5, second=0, microsecond=0)
    lines.extend(generator.wave(wave_day))
    lines.append(generator.threat(now - timedelta(minutes=25)))
    lines.sort(key=lambda line: line["created_at"])
    for index in range(0, len(lines), 2000):
        _store(lines[index : index + 2000])
    run_worker(current_app._get_current_object(), drain=True)
    _settle_history(now)
    _ask_for_approvals(now)
    return logins


def _settle_history(now: datetime) -> int:
    """Resolve what a working team would have closed by now (as the lead): answered cases quiet for twelve
    hours, unanswered ones quiet for two days."""
    lead = db.session.scalar(select(User).where(User.email == "joost@lindeburg.example"))
    if lead is None:
        return 0
    quiet = db.session.scalars(
        select(Case)
        .where(
            Case.status.in_(ACTIVE_STATUSES),
            or_(
                and_(Case.first_response_at.is_not(None), Case.last_message_at < now - timedelta(hours=12)),
                Case.last_message_at < now - timedelta(days=2),
            ),
        )
        .order_by(Case.id)
    ).all()
    for case in quiet:
        outcome = "answered" if case.first_response_at is not None else "no_action_needed"
        resolve_case(case, outcome, by=lead, now=max(case.last_message_at + timedelta(hours=4), case.last_message_at))
    return len(quiet)


APPROVAL_DRAFTS = (
    "Dank voor uw bericht. We begrijpen dat dit vervelend is. Een collega zoekt het uit en we laten het u "
    "weten wat er gebeurt.",
    "Goed dat u dit meldt. We hebben uw vraag doorgezet naar de afdeling en houden u op de hoogte.",
    "Bedankt voor uw reactie. Op onze website leest u hoe het besluit tot stand kwam. Heeft u nog vragen? "
    "Stuur ons dan een bericht.",
)


def _ask_for_approvals(now: datetime) -> int:
    """Leave a few drafts from agents in the approval queue, as a lead finds it on a working day."""
    agents = list(
        db.session.scalars(
            select(User).where(
                User.email.in_(["priya@lindeburg.example", "sanne@lindeburg.example", "mehmet@lindeburg.example"])
            )
        )
    )
    recent = db.session.scalars(
        select(Case)
        .where(Case.status.in_(ACTIVE_STATUSES), Case.first_response_at.is_(None))
        .order_by(Case.first_inbound_at.desc())
        .limit(200)
    )
    drafted = 0
    for case in recent:
        author = next(
            (agent for agent in agents if mandate_for(agent, case).permission == Permission.NEEDS_APPROVAL), None
        )
        if author is None:
            continue
        draft_reply(case, APPROVAL_DRAFTS[drafted], by=author, now=now)
        drafted += 1
        if drafted == len(APPROVAL_DRAFTS):
            break
    return drafted


def trickle_one(now: datetime | None = None) -> int:
    """Queue one fresh resident message, as if it just arrived (keeps a running demo moving)."""
    now = now or utcnow()
    generator = _Generator(int(now.timestamp() * 1000))
    generator.counter = int(now.timestamp() * 1000) % 10**10
    return _store(generator.conversation(now - timedelta(seconds=1), now)[:1])
