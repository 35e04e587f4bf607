"""Safety analysis of Dutch messages: threats, reported threats and abuse, each explained (standard library only)."""

from webcare.protocol.safety.analyser import SafetyAnalyser, SafetyVerdict
from webcare.protocol.safety.tables import SafetyExtensions

__all__ = ["SafetyAnalyser", "SafetyExtensions", "SafetyVerdict"]
