#!/usr/bin/env python3
"""Verify an app password with Sidekey from Python, with the standard library only.

POST /auth/verify with the relying service's key as a Bearer token; the request and
answer are described in Sidekey's /openapi.json.

As a program (the password is read from standard input, never from the command line,
where other users could see it in the process list):

    echo -n "$PASSWORD" | SIDEKEY_URL=https://sidekey.example.org \
      SIDEKEY_SERVICE_KEY_FILE=/etc/sidekey/service-key \
      python3 sidekey_verify.py ada@example.org imap [203.0.113.7]

prints Sidekey's answer as JSON and exits 0 when the password is valid, 1 when it is
refused, 2 when the question could not be answered (bad request, Sidekey unreachable).
"""

import json
import os
import sys
import urllib.error
import urllib.request


def verify(url, service_key, username, password, service, remote_address=None, user_agent=None, timeout=5):
    """Sidekey's answer as a dict: {"ok": True, "accountId", "credentialId", "username",
    "scopes"} or {"ok": False, "reason", ...}. Refusals (401) and bad requests (400) are
    answers too; only a failure to reach Sidekey raises (urllib.error.URLError)."""
    body = {"username": username, "password": password, "service": service}
    if remote_address:
        body["remoteAddress"] = remote_address
    if user_agent:
        body["userAgent"] = user_agent
    request = urllib.request.Request(
        url.rstrip("/") + "/auth/verify",
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json", "Authorization": "Bearer " + service_key},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        # 400, 401, 405, 413 and 503 carry {"ok": false, "reason", ...} as their body.
        if error.headers.get_content_type() == "application/json":
            return json.load(error)
        raise


def main(argv):
    if len(argv) not in (3, 4):
        sys.stderr.write("usage: sidekey_verify.py USERNAME SERVICE [REMOTE_ADDRESS] < password\n")
        return 2
    key_file = os.environ.get("SIDEKEY_SERVICE_KEY_FILE")
    if key_file:
        with open(key_file, encoding="utf-8") as handle:
            service_key = handle.read().strip()
    else:
        service_key = os.environ["SIDEKEY_SERVICE_KEY"]
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        answer = verify(
            os.environ["SIDEKEY_URL"],
            service_key,
            argv[1],
            password,
            argv[2],
            argv[3] if len(argv) == 4 else None,
        )
    except (urllib.error.URLError, OSError) as error:
        sys.stderr.write("sidekey: no answer: %s\n" % error)
        return 2
    print(json.dumps(answer))
    if answer.get("ok") is True:
        return 0
    return 1 if answer.get("reason") not in ("bad_request", "unavailable") else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
