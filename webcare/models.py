"""Every model module in one import, for Alembic autogenerate and relationship resolution."""

from webcare.accounts.models import Account, Channel  # noqa: F401
from webcare.auth.models import ApiToken, Role, Team, User, UserRole  # noqa: F401
from webcare.channels.models import ChannelSettings, DeliveryLog, DeliveryStatus, WebformReceipt  # noqa: F401
from webcare.inbox.models import (  # noqa: F401
    Author,
    Bundle,
    BundleStatus,
    Case,
    CaseDecision,
    CaseEvent,
    CaseStatus,
    Direction,
    Message,
    MessageStatus,
)
from webcare.intake.models import DeadLetter  # noqa: F401
from webcare.mandates.models import MandateChange, MandateRule  # noqa: F401
from webcare.notifications.models import Notification  # noqa: F401
from webcare.ops.models import Heartbeat  # noqa: F401
from webcare.protocol.models import ProtocolVersion  # noqa: F401
from webcare.records.models import (  # noqa: F401  # noqa: F401
    AccessLogEntry,
    DestructionList,
    DestructionListItem,
    LegalHold,
    PseudonymisedAuthor,
    SubjectRequest,
)
from webcare.replies.models import Reply  # noqa: F401
from webcare.reports.models import ReportDigest  # noqa: F401
from webcare.roster.models import CaseDutyRecord, RosterConfig  # noqa: F401
