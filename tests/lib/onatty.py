#!/usr/bin/python3
"""onatty.py OUT CMD... - run CMD with its standard output on a pseudo-terminal, as a user
at a terminal would see it, and write the bytes it printed there to OUT (stderr is left
as it is). Exits with CMD's status. The terminal is in raw mode: the bytes are CMD's own."""
import os
import pty
import sys
import tty


def main():
    out, cmd = sys.argv[1], sys.argv[2:]
    master, slave = pty.openpty()
    tty.setraw(slave)  # no \n -> \r\n: what is read is what was written
    pid = os.fork()
    if pid == 0:
        os.close(master)
        os.dup2(slave, 1)
        os.close(slave)
        os.execvp(cmd[0], cmd)
    os.close(slave)
    got = bytearray()
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed its side
            break
        if not chunk:
            break
        got += chunk
    _, status = os.waitpid(pid, 0)
    with open(out, "wb") as f:
        f.write(got)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
