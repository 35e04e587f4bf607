"""The mandate matrix: risk of a case, resolution (person over role, most specific wins, approval by default), editing."""

import pytest
from sqlalchemy import select

from tests.workflow.reply_support import allow, open_case, private_case
from webcare.auth.models import Role
from webcare.extensions import db
from webcare.inbox.models import Priority
from webcare.mandates.models import MandateChange, MandateHistoryIsAppendOnly, MandateRule, Permission, Risk, Visibility
from webcare.mandates.services import MandateError, add_rule, change_rule, mandate_for, remove_rule, resolve, risk_of


def test_a_person_rule_overrides_the_rules_of_their_roles(app, make_user):
    agent, colleague = make_user(Role.AGENT), make_user(Role.AGENT)
    allow(Role.AGENT, Permission.MAY_SEND, topic="afval", risk=Risk.MEDIUM, visibility=Visibility.PUBLIC)
    allow(agent, Permission.NEEDS_APPROVAL)
    rules = list(db.session.scalars(select(MandateRule)))

    mine = resolve(rules, agent, topic="afval", risk=Risk.MEDIUM, is_public=True)
    theirs = resolve(rules, colleague, topic="afval", risk=Risk.MEDIUM, is_public=True)

    assert mine.permission == Permission.NEEDS_APPROVAL and mine.rule.user_id == agent.id
    assert theirs.permission == Permission.MAY_SEND


def test_the_most_specific_rule_wins(app, make_user):
    agent = make_user(Role.AGENT)
    allow(Role.AGENT, Permission.MAY_SEND)
    allow(Role.AGENT, Permission.NEEDS_APPROVAL, topic="bestuur")
    allow(Role.AGENT, Permission.MAY_NOT, topic="bestuur", risk=Risk.HIGH, visibility=Visibility.PUBLIC)
    allow(Role.AGENT, Permission.MAY_SEND, risk=Risk.HIGH)
    rules = list(db.session.scalars(select(MandateRule)))

    def verdict(topic, risk, is_public):
        return resolve(rules, agent, topic=topic, risk=risk, is_public=is_public).permission

    assert verdict("afval", Risk.LOW, True) == Permission.MAY_SEND
    assert verdict("bestuur", Risk.LOW, True) == Permission.NEEDS_APPROVAL
    # topic and risk are equally specific; the topic decides
    assert verdict("bestuur", Risk.HIGH, False) == Permission.NEEDS_APPROVAL
    assert verdict("bestuur", Risk.HIGH, True) == Permission.MAY_NOT


def test_where_no_rule_applies_a_reply_needs_approval(app, make_user):
    agent, manager = make_user(Role.AGENT), make_user(Role.MANAGER)
    allow(Role.AGENT, Permission.MAY_SEND, risk=Risk.LOW)
    rules = list(db.session.scalars(select(MandateRule)))

    high = resolve(rules, agent, topic=None, risk=Risk.HIGH, is_public=True)
    nothing = resolve(rules, manager, topic=None, risk=Risk.LOW, is_public=False)

    assert high.permission == nothing.permission == Permission.NEEDS_APPROVAL
    assert high.rule is None and "goedkeuring nodig" in high.rule_description


def test_a_person_with_two_roles_keeps_the_more_permissive_mandate_of_either_role(app, make_user):
    lead = make_user(Role.LEAD, Role.AGENT)
    allow(Role.AGENT, Permission.MAY_NOT, topic="bestuur", risk=Risk.HIGH, visibility=Visibility.PUBLIC)
    allow(Role.LEAD, Permission.MAY_SEND)
    rules = list(db.session.scalars(select(MandateRule)))

    verdict = resolve(rules, lead, topic="bestuur", risk=Risk.HIGH, is_public=True)

    assert verdict.permission == Permission.MAY_SEND and verdict.rule.role == Role.LEAD


def test_risk_is_high_for_urgent_escalated_or_attacking_cases_medium_for_public_low_for_private(app):
    public = open_case(app, "pub")
    private = private_case(app, "priv", author={"id": "u2"})

    assert risk_of(public) == Risk.MEDIUM
    assert risk_of(public, is_public=False) == Risk.LOW
    assert risk_of(private) == Risk.LOW
    public.priority = Priority.LOW
    assert risk_of(public) == Risk.LOW
    for change in (
        {"priority": Priority.URGENT},
        {"priority": Priority.HIGH},
        {"action": "escalate"},
        {"escalated_to": "teamleider"},
    ):
        public.priority, public.action, public.escalated_to = Priority.NORMAL, "reply", None
        for name, value in change.items():
            setattr(public, name, value)
        assert risk_of(public) == Risk.HIGH, change


@pytest.fixture
def protocol(app):
    from webcare.protocol.services import activate_file
    from webcare.resources import resource_dir

    return activate_file(resource_dir("protocols") / "gemeente.yaml")


def test_an_attack_on_a_named_person_or_a_press_author_makes_any_reply_high_risk(app, protocol):
    attack = open_case(
        app, "att", text="Die Verhoeven van handhaving is echt een luie nietsnut, schandalig hoe ze met mensen omgaat"
    )
    press = open_case(
        app,
        "press",
        text="Vraag aan het college: wat is de planning voor de asielopvang in de oude school?",
        author={"id": "rtv", "handle": "rtvlindeburg", "followers": 15300},
    )
    question = open_case(app, "vraag", text="Hoe vraag ik een nieuw paspoort aan", author={"id": "u3"})

    assert risk_of(attack) == Risk.HIGH and risk_of(attack, is_public=False) == Risk.HIGH
    assert risk_of(press) == Risk.HIGH
    assert risk_of(question) in (Risk.MEDIUM, Risk.LOW)


def test_mandate_for_a_case_uses_its_topic_and_risk(app, make_user):
    agent = make_user(Role.AGENT)
    case = open_case(app)
    case.topic = "afval"
    allow(Role.AGENT, Permission.MAY_SEND, topic="afval", visibility=Visibility.PRIVATE)

    assert mandate_for(agent, case, is_public=False).may_send
    assert not mandate_for(agent, case, is_public=True).may_send


def test_every_change_to_the_matrix_is_recorded_with_who_when_before_and_after(app, make_user):
    lead, agent = make_user(Role.LEAD), make_user(Role.AGENT)

    rule = add_rule(role=Role.AGENT, risk=Risk.LOW, permission=Permission.MAY_SEND, by=lead)
    change_rule(rule, user=agent, risk=Risk.LOW, topic="afval", permission=Permission.NEEDS_APPROVAL, by=lead)
    rule_id = rule.id
    remove_rule(rule, by=lead)

    changes = db.session.scalars(select(MandateChange).order_by(MandateChange.id)).all()
    assert [c.kind for c in changes] == ["added", "changed", "removed"]
    assert all(c.by_id == lead.id and c.rule_id == rule_id and c.at is not None for c in changes)
    assert changes[0].before is None and changes[0].after["role"] == "agent"
    assert changes[1].before["permission"] == "may_send" and changes[1].after == {
        "id": rule_id,
        "role": None,
        "user_id": agent.id,
        "user": agent.name,
        "topic": "afval",
        "risk": "low",
        "visibility": None,
        "permission": "needs_approval",
    }
    assert changes[2].after is None and changes[2].before["topic"] == "afval"
    assert db.session.get(MandateRule, rule_id) is None


def test_the_mandate_history_cannot_be_changed(app, make_user):
    add_rule(role=Role.AGENT, permission=Permission.MAY_SEND, by=make_user(Role.LEAD))
    change = db.session.scalar(select(MandateChange))

    change.kind = "forged"
    with pytest.raises(MandateHistoryIsAppendOnly):
        db.session.flush()


def test_a_second_rule_for_the_same_cell_is_refused(app):
    allow(Role.AGENT, Permission.MAY_SEND, topic="afval")

    with pytest.raises(MandateError):
        allow(Role.AGENT, Permission.MAY_NOT, topic="afval")
    assert len(db.session.scalars(select(MandateRule)).all()) == 1


def test_the_demo_mandates_let_agents_answer_ordinary_cases_and_send_sensitive_ones_for_approval(app, runner):
    from webcare.mandates.demo import seed_demo_mandates

    result = runner.invoke(args=["demo", "--weeks", "1"])
    assert result.exit_code == 0, result.output
    assert seed_demo_mandates() == 0  # already seeded: nothing added twice
    from webcare.auth.models import User

    sanne = db.session.scalar(select(User).where(User.email == "sanne@lindeburg.example"))
    joost = db.session.scalar(select(User).where(User.email == "joost@lindeburg.example"))
    rules = list(db.session.scalars(select(MandateRule)))

    assert resolve(rules, sanne, topic="afval", risk=Risk.MEDIUM, is_public=True).may_send
    assert (
        resolve(rules, sanne, topic="windmolens", risk=Risk.LOW, is_public=False).permission
        == Permission.NEEDS_APPROVAL
    )
    assert resolve(rules, sanne, topic="bestuur", risk=Risk.HIGH, is_public=True).permission == Permission.MAY_NOT
    assert resolve(rules, joost, topic="bestuur", risk=Risk.HIGH, is_public=True).may_send


def test_a_lead_adds_changes_and_removes_rules_on_the_mandate_page(app, client, auth, make_user, csrf_from):
    lead, agent = make_user(Role.LEAD), make_user(Role.AGENT, name="Mehmet Yilmaz")
    auth.login_as(lead)
    page = client.get("/mandates").get_data(as_text=True)
    token = csrf_from(page)
    assert "Add a rule" in page or "Regel toevoegen" in page

    added = client.post(
        "/mandates",
        data={
            "csrf_token": token,
            "subject": f"user:{agent.id}",
            "topic": "",
            "risk": "high",
            "visibility": "public",
            "permission": "may_not",
        },
    )
    assert added.status_code == 302
    rule = db.session.scalar(select(MandateRule))
    assert (rule.user_id, rule.risk, rule.visibility, rule.permission) == (
        agent.id,
        Risk.HIGH,
        Visibility.PUBLIC,
        Permission.MAY_NOT,
    )

    twice = client.post(
        "/mandates",
        data={
            "csrf_token": token,
            "subject": f"user:{agent.id}",
            "topic": "",
            "risk": "high",
            "visibility": "public",
            "permission": "may_send",
        },
    )
    assert twice.status_code == 409

    changed = client.post(
        f"/mandates/{rule.id}/edit",
        data={
            "csrf_token": token,
            "subject": "role:agent",
            "topic": "",
            "risk": "high",
            "visibility": "",
            "permission": "needs_approval",
        },
    )
    assert changed.status_code == 302
    db.session.expire_all()
    assert (rule.role, rule.user_id, rule.visibility) == (Role.AGENT, None, None)

    assert client.post(f"/mandates/{rule.id}/remove", data={"csrf_token": token}).status_code == 302
    history = client.get("/mandates").get_data(as_text=True)
    assert "Mehmet Yilmaz" in history and history.count(lead.name) >= 3
    assert [c.kind for c in db.session.scalars(select(MandateChange).order_by(MandateChange.id))] == [
        "added",
        "changed",
        "removed",
    ]


def test_a_mandate_form_without_csrf_token_is_refused(app, client, auth, make_user):
    auth.login_as(make_user(Role.LEAD))

    response = client.post("/mandates", data={"subject": "role:agent", "permission": "may_send"})

    assert response.status_code == 400
    assert db.session.scalar(select(MandateRule)) is None
