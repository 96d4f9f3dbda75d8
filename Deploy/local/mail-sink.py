#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd, installed in the stack's Python env) that keeps every message it
accepts, for the notification tests and the demo: each message is written as <n>.eml into the
mail directory, with <n>.json beside it (envelope sender and recipients, whether the session was
TLS and authenticated), and a one-line summary is appended to the log.

  mail-sink.py PORT MAILDIR LOGFILE [--tls CERT KEY] [--auth USER:PASSWORD]

With --tls the server offers STARTTLS; with --auth it requires AUTH (PLAIN/LOGIN, over TLS only).
Recipients at the domain refused.example are refused with 550 (a permanent failure to test).
"""
import email, email.policy, json, os, signal, ssl, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, maildir, logfile):
        self.maildir, self.logfile, self.count = maildir, logfile, 0
        os.makedirs(maildir, exist_ok=True)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().endswith("@refused.example"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        name = f"{int(time.time() * 1000)}-{self.count:05d}"
        with open(os.path.join(self.maildir, name + ".eml"), "wb") as f:
            f.write(envelope.original_content or envelope.content)
        meta = {"from": envelope.mail_from, "to": envelope.rcpt_tos, "tls": session.ssl is not None,
                "authenticated": bool(session.authenticated)}
        with open(os.path.join(self.maildir, name + ".json"), "w") as f:
            json.dump(meta, f)
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with open(self.logfile, "a", encoding="utf-8") as log:
            log.write(f"mail to {mask(envelope.rcpt_tos[0])}  {message['subject']}\n")
        return f"250 2.0.0 queued as {name}"


def mask(address):
    local, _, domain = address.partition("@")
    return local[:1] + "***@" + domain


def main():
    port, maildir, logfile = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    rest = sys.argv[4:]
    kwargs = {}
    if "--tls" in rest:
        i = rest.index("--tls")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(rest[i + 1], rest[i + 2])
        kwargs["tls_context"] = context
    if "--auth" in rest:
        user, _, password = rest[rest.index("--auth") + 1].partition(":")

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
            return AuthResult(success=ok, handled=False)

        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls="--tls" in rest)
    controller = Controller(Sink(maildir, logfile), hostname="127.0.0.1", port=port, **kwargs)
    # A parent may leave SIGTERM ignored (inherited across exec): stop on it explicitly.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    controller.start()
    print(f"mail sink on 127.0.0.1:{port}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
