"""Cases, threading, the workflow and the inbox views."""
