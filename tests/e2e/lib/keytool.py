"""Makes the not-quite-right keys the end-to-end tests present.

usage: keytool.py verify TOKEN   exit 0 when our checksum of TOKEN equals its own
       keytool.py forge TOKEN    TOKEN's id, a fresh random secret, a correct
                                 checksum: well-formed, but not the key
       keytool.py badsum TOKEN   TOKEN with one checksum character changed

The checksum follows FORMAT.md / common/keyfmt.c: the first 6 bytes of
BLAKE2b-128("pam_apikey check" || id characters || secret bytes), base64url
without padding. `verify` checks this reading against a real key first, so a
forged key that is refused is refused for its secret, not for its checksum.
"""
import base64
import hashlib
import os
import re
import sys

TOKEN = re.compile(r"^apk_([A-Za-z0-9_-]{12})([A-Za-z0-9_-]{44})([A-Za-z0-9_-]{8})$")


def b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def check(key_id, secret):
    h = hashlib.blake2b(digest_size=16)
    h.update(b"pam_apikey check")
    h.update(key_id.encode("ascii"))
    h.update(secret)
    return b64(h.digest()[:6])


def main():
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    cmd, token = sys.argv[1], sys.argv[2]
    m = TOKEN.match(token)
    if not m:
        sys.stderr.write("keytool: not a key\n")
        return 2
    key_id, secret_text, given = m.groups()
    if cmd == "verify":
        return 0 if check(key_id, unb64(secret_text)) == given else 1
    if cmd == "forge":
        secret = os.urandom(33)
        print("apk_" + key_id + b64(secret) + check(key_id, secret))
        return 0
    if cmd == "badsum":
        last = "B" if given[-1] == "A" else "A"
        print("apk_" + key_id + secret_text + given[:-1] + last)
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
