"""A test double for an IMAP4rev1 server: the subset imaplib uses to poll (LOGIN, EXAMINE/SELECT, UID SEARCH,
UID FETCH, LOGOUT), over a real TCP socket on 127.0.0.1. One folder (INBOX) held in memory."""

from __future__ import annotations

import re
import socketserver
import threading


class ImapDouble:
    def __init__(self, *, username: str, password: str, uid_validity: int = 1700000001):
        self.username, self.password = username, password
        self.uid_validity = uid_validity
        self.messages: list[tuple[int, bytes]] = []  # (uid, RFC 5322 source)
        self.next_uid = 1
        self.commands: list[str] = []
        self._server: socketserver.ThreadingTCPServer | None = None

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def add(self, source: bytes) -> int:
        uid = self.next_uid
        self.messages.append((uid, source))
        self.next_uid += 1
        return uid

    def renumber(self, uid_validity: int) -> None:
        """What a server does when it rebuilds a folder: new UIDVALIDITY, UIDs from 1 again."""
        self.uid_validity = uid_validity
        self.messages = [(number, source) for number, (_uid, source) in enumerate(self.messages, start=1)]
        self.next_uid = len(self.messages) + 1

    def start(self) -> None:
        double = self

        class Handler(socketserver.StreamRequestHandler):
            def send(self, line: str | bytes) -> None:
                self.wfile.write((line.encode() if isinstance(line, str) else line) + b"\r\n")

            def handle(self) -> None:
                self.send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] IMAP test double ready")
                logged_in = selected = False
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    tag, _, rest = line.decode().rstrip("\r\n").partition(" ")
                    command, _, arguments = rest.partition(" ")
                    command = command.upper()
                    double.commands.append(f"{command} {arguments}" if command != "LOGIN" else "LOGIN")
                    if command == "CAPABILITY":
                        self.send("* CAPABILITY IMAP4rev1")
                        self.send(f"{tag} OK CAPABILITY completed")
                    elif command == "LOGIN":
                        user, password = (part.strip('"') for part in arguments.split(" ", 1))
                        if user == double.username and password == double.password:
                            logged_in = True
                            self.send(f"{tag} OK LOGIN completed")
                        else:
                            self.send(f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials")
                    elif command in {"SELECT", "EXAMINE"} and logged_in:
                        if arguments.strip('"').upper() != "INBOX":
                            self.send(f"{tag} NO no such folder")
                            continue
                        selected = True
                        self.send(f"* {len(double.messages)} EXISTS")
                        self.send("* 0 RECENT")
                        self.send(f"* OK [UIDVALIDITY {double.uid_validity}] UIDs valid")
                        self.send(f"* OK [UIDNEXT {double.next_uid}] next UID")
                        mode = "READ-ONLY" if command == "EXAMINE" else "READ-WRITE"
                        self.send(f"{tag} OK [{mode}] {command} completed")
                    elif command == "UID" and selected:
                        self.uid(tag, arguments)
                    elif command == "NOOP":
                        self.send(f"{tag} OK NOOP completed")
                    elif command == "LOGOUT":
                        self.send("* BYE logging out")
                        self.send(f"{tag} OK LOGOUT completed")
                        return
                    else:
                        self.send(f"{tag} BAD command unknown or not allowed now")

            def _uids(self, spec: str) -> list[int]:
                known = [uid for uid, _source in double.messages]
                highest = max(known, default=0)
                found: list[int] = []
                for part in spec.split(","):
                    low, _, high = part.partition(":")
                    low_n = highest if low == "*" else int(low)
                    high_n = low_n if not high else (highest if high == "*" else int(high))
                    low_n, high_n = min(low_n, high_n), max(low_n, high_n)
                    found += [uid for uid in known if low_n <= uid <= high_n]
                return sorted(set(found))

            def uid(self, tag: str, arguments: str) -> None:
                sub, _, rest = arguments.partition(" ")
                if sub.upper() == "SEARCH":
                    match = re.match(r"(?i)(?:CHARSET \S+ )?(ALL|UID (\S+))", rest)
                    uids = (
                        [uid for uid, _s in double.messages]
                        if match.group(1).upper() == "ALL"
                        else self._uids(match.group(2))
                    )
                    self.send("* SEARCH" + "".join(f" {uid}" for uid in uids))
                    self.send(f"{tag} OK SEARCH completed")
                elif sub.upper() == "FETCH":
                    spec, _, _items = rest.partition(" ")
                    wanted = set(self._uids(spec))
                    for number, (uid, source) in enumerate(double.messages, start=1):
                        if uid in wanted:
                            self.wfile.write(f"* {number} FETCH (UID {uid} BODY[] {{{len(source)}}}\r\n".encode())
                            self.wfile.write(source)
                            self.send(")")
                    self.send(f"{tag} OK FETCH completed")
                else:
                    self.send(f"{tag} BAD unknown UID command")

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
