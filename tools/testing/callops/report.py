#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Record test results and sum them up.

  report.py record RESULTS NAME PASS|FAIL|SKIP   append one result
  report.py run RESULTS NAME COMMAND [ARG...]    run COMMAND, append PASS if
                                                 it exits with 0, else FAIL
  report.py summary RESULTS [ALLOWED_SKIPS [EXPECTED]]
                                                 print "N passed, N failed"
  report.py expect RESULTS EXPECTED              write EXPECTED from a run

"run" exits with 0 whatever the command did: the summary decides.

RESULTS holds one JSON object per line: {"name": ..., "status": ...}; a
name starts with the kernel build (or other part of the run) it belongs to.
summary lists the failures, ends with the totals line, the counts of each
part after them, and exits non-zero when anything failed or nothing ran at
all.  A skipped test is a failure unless ALLOWED_SKIPS has a line
"GLOB REASON" whose glob matches its name: a test that cannot run must say
why, in the repository, or fail.

EXPECTED lists the results a complete run has, one name per line, and for
families of generated tests (the kernel crate's doctests) a line "GLOB
>= N": a result that is missing, or that no line expects, and a family
with fewer than N results, fail as well, by name.  "expect" writes it from
the results of a run that passed, each family with the count it had.
"""

import fnmatch
import json
import re
import subprocess
import sys

# Families of tests whose number changes with the code they test: the
# doctests of the kernel crate, one KUnit case each.
FAMILIES = [re.compile(r'^(?P<family>[^.]+\.kunit\.rust_doctests_kernel)\.')]


def record(path, name, status):
    with open(path, 'a') as f:
        f.write(json.dumps({'name': name, 'status': status}) + '\n')


def run(path, name, command):
    # The descriptors stay open: a make among the commands shares the jobserver.
    status = subprocess.run(command, close_fds=False).returncode
    record(path, name, 'PASS' if status == 0 else 'FAIL')
    return 0


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


def read_results(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


def family_of(name):
    for pattern in FAMILIES:
        match = pattern.match(name)
        if match:
            return match.group('family') + '.*'
    return None


def read_expected(path):
    """({name}, {glob: minimum count}) from an expected-results file."""
    names, families = set(), {}
    with open(path) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if ' >= ' in line:
                glob, _, minimum = line.partition(' >= ')
                families[glob] = int(minimum)
            elif line:
                names.add(line)
    return names, families


def unexpected(results, expected_path):
    """Failures for what a run lacks, or has, against its expectations."""
    names, families = read_expected(expected_path)
    seen = [r['name'] for r in results]
    failures = [f'{name} (expected, but not run)' for name in sorted(names - set(seen))]
    for glob, minimum in sorted(families.items()):
        count = sum(fnmatch.fnmatchcase(name, glob) for name in seen)
        if count < minimum:
            failures.append(f'{glob} ({count} results, expected at least {minimum})')
    failures += [f'{name} (not expected)' for name in seen if name not in names and
                 not any(fnmatch.fnmatchcase(name, glob) for glob in families)]
    return failures


def expect(path, expected_path):
    """Write the expectations of the run in @path."""
    results = read_results(path)
    if not results or any(r['status'] not in ('PASS', 'SKIP') for r in results):
        print('expect: the run did not pass; nothing written', file=sys.stderr)
        return 1
    families, names = {}, []
    for r in results:
        family = family_of(r['name'])
        if family:
            families[family] = families.get(family, 0) + 1
        elif r['name'] not in names:
            names.append(r['name'])
    with open(expected_path, 'w') as f:
        f.write('# The results of a complete make check, written by "make expected-results"\n'
                '# (report.py expect); a family of generated tests as "GLOB >= COUNT".\n')
        f.writelines(f'{name}\n' for name in sorted(names))
        f.writelines(f'{glob} >= {count}\n' for glob, count in sorted(families.items()))
    return 0


def summary(path, allowed_skips_path=None, expected_path=None):
    results = read_results(path)
    allowed = read_allowed_skips(allowed_skips_path)
    # Against the names as recorded, before a skip's is marked below.
    against_expected = unexpected(results, expected_path) if expected_path else []
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
    results += [{'name': name, 'status': 'FAIL'} for name in against_expected]
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
    if len(argv) >= 5 and argv[1] == 'run':
        return run(argv[2], argv[3], argv[4:])
    if len(argv) in (3, 4, 5) and argv[1] == 'summary':
        return summary(*argv[2:])
    if len(argv) == 4 and argv[1] == 'expect':
        return expect(argv[2], argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
