#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Record test results and sum them up.

  report.py record RESULTS NAME PASS|FAIL|SKIP   append one result
  report.py summary RESULTS                      print "N passed, N failed"

RESULTS holds one JSON object per line: {"name": ..., "status": ...}.
summary lists the failures, ends with the totals line and exits non-zero
when anything failed or nothing ran at all.
"""

import json
import sys


def record(path, name, status):
    with open(path, 'a') as f:
        f.write(json.dumps({'name': name, 'status': status}) + '\n')


def summary(path):
    try:
        with open(path) as f:
            results = [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        results = []
    passed = sum(r['status'] == 'PASS' for r in results)
    skipped = sum(r['status'] == 'SKIP' for r in results)
    failed = [r['name'] for r in results if r['status'] not in ('PASS', 'SKIP')]
    for name in failed:
        print(f'FAILED: {name}')
    line = f'{passed} passed, {len(failed)} failed'
    print(line + (f', {skipped} skipped' if skipped else ''))
    return 0 if results and not failed else 1


def main(argv):
    if len(argv) == 5 and argv[1] == 'record' and argv[4] in ('PASS', 'FAIL', 'SKIP'):
        record(argv[2], argv[3], argv[4])
        return 0
    if len(argv) == 3 and argv[1] == 'summary':
        return summary(argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
