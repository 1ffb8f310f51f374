"""A minimal syslog receiver for the end-to-end tests.

usage: syslog_listener.py SOCKET OUTFILE

Binds a datagram socket at SOCKET (normally /dev/log, where syslog(3) and
pam_syslog(3) write), makes it writable by everyone (the setuid helper logs
as its own account), and appends one line per message to OUTFILE:

    FACILITY SEVERITY MESSAGE

FACILITY and SEVERITY are the numbers from the message's <PRI> (authpriv is
10); MESSAGE is the rest, newlines turned into spaces. Runs until killed.
"""
import os
import re
import socket
import sys

PRI = re.compile(rb"^<([0-9]{1,3})>")


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: syslog_listener.py SOCKET OUTFILE\n")
        return 2
    path, out = sys.argv[1], sys.argv[2]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    os.chmod(path, 0o666)
    with open(out, "ab", buffering=0) as f:
        while True:
            data = sock.recv(65536)
            data = data.rstrip(b"\0\n").replace(b"\n", b" ")
            m = PRI.match(data)
            if m:
                pri = int(m.group(1))
                head = b"%d %d " % (pri >> 3, pri & 7)
                data = data[m.end():]
            else:
                head = b"- - "
            f.write(head + data + b"\n")


if __name__ == "__main__":
    sys.exit(main())
