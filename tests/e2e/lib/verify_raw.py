"""Talks to apikeyd's socket directly, as a hostile or careless caller would
(the frame format is common/verify_proto.h's).

usage: verify_raw.py garbage SOCK        malformed frames, one a connection
       verify_raw.py flood SOCK N USER   N bad requests, one a connection
       verify_raw.py big SOCK            a 1 MB key field
       verify_raw.py ask SOCK USER KEY   one well-formed request

Prints one line per finding: "answered STATUS" (the answer's status byte:
0 answered, 1 bad request, 2 peer refused, 3 user refused; for status 0
also "err=E permit=P"), or "closed" when the daemon closed without an
answer. flood prints counts: "refused N accepted N closed N other N".
Exit status 0 unless the socket could not be reached at all.
"""
import os
import socket
import struct
import sys

VERSION, VERIFY, STATUS = 1, 1, 2


def frame(kind, body):
    return struct.pack(">BBH", VERSION, kind, len(body)) + body


def string(b):
    return struct.pack(">H", len(b)) + b


def verify_request(user, key, service=b"apkt-raw", rhost=b"192.0.2.99"):
    return frame(VERIFY, bytes([3]) + string(user) + string(service) + string(rhost) + string(key))


def exchange(path, data, timeout=5.0):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    try:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)  # nothing more comes: no wait for the deadline
    except (BrokenPipeError, ConnectionResetError):
        pass
    got = b""
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
    return got


def describe(got):
    if len(got) < 5:
        return "closed"
    st = got[4]
    if st == 0 and len(got) >= 8:
        return "answered 0 err=%d permit=%d" % (got[5], got[6])
    return "answered %d" % st


def garbage(path):
    good = verify_request(b"root", b"apk_x")
    cases = [
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        os.urandom(64),
        bytes([9]) + good[1:],                       # another version
        good[:1] + bytes([7]) + good[2:],            # no such type
        struct.pack(">BBH", 1, 1, 0xFFFF) + b"x" * 100,  # longer than any request
        good + b"trailing",                          # bytes after the frame
        frame(VERIFY, bytes([0x80]) + good[5:]),     # an unknown flag
        frame(VERIFY, bytes([3]) + string(b"a:b\n") + string(b"") + string(b"") + string(b"k")),
        frame(VERIFY, bytes([3]) + string(b"alice") + string(b"s\0x") + string(b"") + string(b"k")),
        frame(STATUS, b"x"),
        frame(VERIFY, b""),
        good[:10],                                   # cut short, then closed
    ]
    for c in cases:
        print(describe(exchange(path, c)))


def flood(path, n, user):
    counts = {"refused": 0, "accepted": 0, "closed": 0, "other": 0}
    key = b"apk_" + b"A" * 64
    for i in range(n):
        data = verify_request(user, key) if i % 2 else os.urandom(1 + i % 50)
        d = describe(exchange(path, data))
        if d == "closed":
            counts["closed"] += 1
        elif d == "answered 1" or (d.startswith("answered 0") and "err=0 permit=0" not in d):
            counts["refused"] += 1
        elif "err=0 permit=0" in d:
            counts["accepted"] += 1
        else:
            counts["other"] += 1
    print("refused %(refused)d accepted %(accepted)d closed %(closed)d other %(other)d" % counts)


def big(path):
    key = b"k" * (1 << 20)
    data = struct.pack(">BBH", 1, 1, 0xFFFF) + bytes([3]) + string(b"alice") + string(b"") \
        + string(b"") + struct.pack(">H", 0xFFFF) + key
    print(describe(exchange(path, data)))


def main(argv):
    try:
        if argv[1] == "garbage":
            garbage(argv[2])
        elif argv[1] == "flood":
            flood(argv[2], int(argv[3]), argv[4].encode())
        elif argv[1] == "big":
            big(argv[2])
        elif argv[1] == "ask":
            print(describe(exchange(argv[2], verify_request(argv[3].encode(), argv[4].encode()))))
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except OSError as e:
        print("cannot talk to %s: %s" % (argv[2], e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
