#!/usr/bin/env python3
"""expect_exit.py N CMD ARGS... -- run CMD and succeed only if it exits with status N.

lit's `not` accepts any non-zero status; adjc's contract distinguishes 1 (diagnosed
error in the input) from 2 (bad usage), and a crash (signal) is never acceptable.
CMD's stdout and stderr pass through unchanged, so the line can feed FileCheck:

    // RUN: %expect_exit 2 %adjc --bogus 2>&1 | %FileCheck %s
"""
import subprocess
import sys


def main(argv):
    if len(argv) < 3:
        sys.stderr.write("usage: expect_exit.py N CMD [ARGS...]\n")
        return 2
    want = int(argv[1])
    got = subprocess.call(argv[2:])
    if got != want:
        how = "signal %d" % -got if got < 0 else "status %d" % got
        sys.stderr.write("expect_exit: %s exited with %s, expected status %d\n"
                         % (argv[2], how, want))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
