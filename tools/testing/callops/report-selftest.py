#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that report.py's summary fails every run it must, for its reason.

Each case feeds the summary a results file (and expectations) made up for
it, and records one result in RESULTS: the summary must fail and name the
cause (as its only failure, where the cause is one test), or, for the
complete run, pass.

  report-selftest.py RESULTS
"""

import contextlib
import importlib.util
import io
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('report', os.path.join(HERE, 'report.py'))
report = importlib.util.module_from_spec(spec)
spec.loader.exec_module(report)

EXPECTED = '''a.check.one
a.check.two
a.kunit.rust_doctests_kernel.* >= 2
'''
COMPLETE = [('a.check.one', 'PASS'), ('a.check.two', 'PASS'),
            ('a.kunit.rust_doctests_kernel.x_0', 'PASS'),
            ('a.kunit.rust_doctests_kernel.x_1', 'PASS')]
# name: (results, allowed skips, what the summary must print, or None to pass)
CASES = {
    'complete-run-passes': (COMPLETE, '', None),
    'missing-test': (COMPLETE[1:], '', 'FAILED: a.check.one (expected, but not run)'),
    'unexpected-test': (COMPLETE + [('a.check.three', 'PASS')], '',
                        'FAILED: a.check.three (not expected)'),
    'family-short': (COMPLETE[:3], '',
                     'FAILED: a.kunit.rust_doctests_kernel.* (1 results, expected at least 2)'),
    'failed-test': ([('a.check.one', 'FAIL')] + COMPLETE[1:], '', 'FAILED: a.check.one'),
    'skip-not-allowed': ([('a.check.one', 'SKIP')] + COMPLETE[1:], '',
                         'FAILED: a.check.one (skipped, and not in the allowed skips)'),
    'skip-allowed': ([('a.check.one', 'SKIP')] + COMPLETE[1:], 'a.check.one needs X\n', None),
    'nothing-ran': ([], '', '0 passed, 3 failed (a 0/3)'),
}


def run_case(results, allowed, must_print):
    with tempfile.TemporaryDirectory() as tmp:
        paths = [os.path.join(tmp, name) for name in ('results', 'allowed', 'expected')]
        for (name, status) in results:
            report.record(paths[0], name, status)
        for path, text in zip(paths[1:], (allowed, EXPECTED)):
            with open(path, 'w') as f:
                f.write(text)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = report.summary(*paths)
    lines = out.getvalue().splitlines()
    if must_print is None:
        return status == 0, out.getvalue()
    if must_print.startswith('FAILED: '):
        # That failure, and no other: one cause, named once.
        return status != 0 and [l for l in lines if l.startswith('FAILED: ')] == [must_print], \
            out.getvalue()
    return status != 0 and must_print in lines, out.getvalue()


def main():
    results = sys.argv[1]
    failed = 0
    for case, (rows, allowed, must_print) in CASES.items():
        ok, out = run_case(rows, allowed, must_print)
        if not ok:
            failed += 1
            print(f'report-selftest: {case}: expected {must_print or "a pass"}, got:\n{out}')
        report.record(results, f'harness.report.{case}', 'PASS' if ok else 'FAIL')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
