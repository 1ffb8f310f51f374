"""Runs a command on a terminal of its own, answers its prompts, counts them.

usage: prompts.py COUNTFILE REGEX COMMAND [ARG...]

The answer comes from the environment variable PROMPT_ANSWER (never the
command line, where ps would show it). Whenever the command's terminal
output since the last answer ends in a match of REGEX, that is one prompt:
it is counted and, for the first three, answered with PROMPT_ANSWER and a
newline. The command's terminal output goes to stdout, the number of
prompts to COUNTFILE. Exit status: the command's (1 after a signal, 124 when
it printed nothing for 60 seconds and was killed).
"""
import os
import pty
import re
import select
import signal
import sys
import time

MAX_ANSWERS = 3
IDLE_SECONDS = 60


def main():
    if len(sys.argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    countfile, regex, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
    prompt = re.compile("(?:" + regex + r")\s*$")
    answer = os.environ.get("PROMPT_ANSWER", "").encode() + b"\n"
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.pop("PROMPT_ANSWER", None)
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    count = 0
    pending = ""
    timed_out = False
    last = time.monotonic()
    while True:
        ready, _, _ = select.select([fd], [], [], 1.0)
        if not ready:
            if time.monotonic() - last > IDLE_SECONDS:
                os.kill(pid, signal.SIGKILL)
                timed_out = True
                break
            continue
        try:
            data = os.read(fd, 4096)
        except OSError:  # EIO: the terminal's last user is gone
            break
        if not data:
            break
        last = time.monotonic()
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        pending += data.decode("utf-8", "replace")
        if prompt.search(pending):
            count += 1
            pending = ""
            if count <= MAX_ANSWERS:
                os.write(fd, answer)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    with open(countfile, "w") as f:
        f.write("%d\n" % count)
    if timed_out:
        return 124
    if os.WIFEXITED(status):
        return os.WEXITSTATUS(status)
    return 1


if __name__ == "__main__":
    sys.exit(main())
