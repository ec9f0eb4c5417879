#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Record test results and sum them up.

  report.py record RESULTS NAME PASS|FAIL|SKIP   append one result
  report.py summary RESULTS [ALLOWED_SKIPS]      print "N passed, N failed"

RESULTS holds one JSON object per line: {"name": ..., "status": ...}; a
name starts with the kernel build (or other part of the run) it belongs to.
summary lists the failures, ends with the totals line, the counts of each
part after them, and exits non-zero when anything failed or nothing ran at
all.  A skipped test is a failure unless ALLOWED_SKIPS has a line
"GLOB REASON" whose glob matches its name: a test that cannot run must say
why, in the repository, or fail.
"""

import fnmatch
import json
import sys


def record(path, name, status):
    with open(path, 'a') as f:
        f.write(json.dumps({'name': name, 'status': status}) + '\n')


def read_allowed_skips(path):
    """{glob: reason} from an allow-list file; comments start with #."""
    allowed = {}
    if path:
        with open(path) as f:
            for line in f:
                line = line.split('#', 1)[0].strip()
                if line:
                    glob, _, reason = line.partition(' ')
                    allowed[glob] = reason.strip()
    return allowed


def summary(path, allowed_skips_path=None):
    try:
        with open(path) as f:
            results = [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        results = []
    allowed = read_allowed_skips(allowed_skips_path)
    for r in results:
        if r['status'] != 'SKIP':
            continue
        reason = next((why for glob, why in allowed.items()
                       if fnmatch.fnmatchcase(r['name'], glob)), None)
        if reason is None:
            r['status'] = 'FAIL'
            r['name'] += ' (skipped, and not in the allowed skips)'
        else:
            print(f'skipped: {r["name"]}: {reason}')
    failed = [r['name'] for r in results if r['status'] not in ('PASS', 'SKIP')]
    for name in failed:
        print(f'FAILED: {name}')
    parts = {}
    for r in results:
        parts.setdefault(r['name'].split('.')[0], []).append(r['status'])
    each = ', '.join(f'{part} {counts(statuses, short=True)}'
                     for part, statuses in sorted(parts.items()))
    statuses = [r['status'] for r in results]
    print(counts(statuses) + (f' ({each})' if each else ''))
    return 0 if results and not failed else 1


def counts(statuses, short=False):
    """"N passed, N failed[, N skipped]", or "PASSED/ALL[ (N skipped)]"."""
    passed = statuses.count('PASS')
    skipped = statuses.count('SKIP')
    failed = len(statuses) - passed - skipped
    if short:
        return f'{passed}/{len(statuses)}' + (f' ({skipped} skipped)' if skipped else '')
    return f'{passed} passed, {failed} failed' + (f', {skipped} skipped' if skipped else '')


def main(argv):
    if len(argv) == 5 and argv[1] == 'record' and argv[4] in ('PASS', 'FAIL', 'SKIP'):
        record(argv[2], argv[3], argv[4])
        return 0
    if len(argv) in (3, 4) and argv[1] == 'summary':
        return summary(*argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
