#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that report.py's summary fails every run it must, for its reason.

Each case feeds the summary a results file (and expectations) made up for
it, and records one result in RESULTS: the summary must fail and name the
cause (as its only failure, where the cause is one test), or, for the
complete run, pass.  The console cases first turn a made-up suite's console
into results the way boot.py does, with kunit.py.  The boot cases run
boot.py's QEMU loop on made-up guests (sh): a stall bringing up CPUs must
stop it at once and boot once more, and only once.

  report-selftest.py RESULTS KUNIT_PY
"""

import argparse
import contextlib
import importlib.util
import io
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def load(module):
    spec = importlib.util.spec_from_file_location(module, os.path.join(HERE, f'{module}.py'))
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


report = load('report')
boot = load('boot')

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


# A suite of two commands, each with two subtests that pass, as init prints it.
CONSOLE = '''callops-init: running suite check
KTAP version 1
1..2
    KTAP version 1
{noise}    # Subtest: one
    1..2
    ok 1 first
    ok 2 second{glued}
{status} 1 one
    TAP version 13
    1..2
    ok 1 first
    ok 2 second
ok 2 two
callops-init: suite check done
'''
CONSOLE_EXPECTED = '''a.check.one
a.check.one.first
a.check.one.second
a.check.two
a.check.two.first
a.check.two.second
'''
# name: (status of the first command, a kernel message printed inside its
# subtest header, what the summary must print, or None[, a kernel message
# glued to the end of its second subtest's result line])
CONSOLE_CASES = {
    'console-complete-run-passes': ('ok', '', None),
    # A non-zero exit, a signal or a time-out after the command's last subtest.
    'command-fails-after-its-subtests': ('    # one: exit status 1\nnot ok', '',
                                         'FAILED: a.check.one'),
    # The kernel's own messages come between KTAP lines on the console.
    'kernel-message-inside-a-subtest-header':
        ('ok', 'kmemleak: Automatic memory scanning thread started\n', None),
    # ... and in the middle of one, without a line break between.
    'kernel-banner-inside-a-result-line':
        ('ok', '', None, '**                                                      **'),
}


def console_results(console, kunit):
    """The results boot.py takes from @console, a suite "check" of build "a"."""
    with tempfile.TemporaryDirectory() as tmp:
        args = argparse.Namespace(name='a', suite='check', log=os.path.join(tmp, 'check.log'),
                                  kunit=kunit, no_kunit=True)
        return boot.collect_results(args, console.split('\n'))


def run_case(results, allowed, must_print, expected=EXPECTED):
    with tempfile.TemporaryDirectory() as tmp:
        paths = [os.path.join(tmp, name) for name in ('results', 'allowed', 'expected')]
        for (name, status) in results:
            report.record(paths[0], name, status)
        for path, text in zip(paths[1:], (allowed, expected)):
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


def fake_qemu(script):
    """A command that prints like a guest: @script, for sh."""
    return ['sh', '-c', script]


STALL = f'echo "{boot.BRINGUP_LINE}"; exec sleep 30'
# name: (fake QEMU, (timed_out, stalled) run_qemu must return)
QEMU_CASES = {
    'stall-bringing-up-cpus-stops-qemu': (STALL, (False, True)),
    'slow-cpu-bringup-is-no-stall': (
        f'echo "{boot.BRINGUP_LINE}"; sleep 0.5; echo "smp: Brought up"; sleep 3', (False, False)),
    'quiet-guest-times-out': ('echo "Run /init"; exec sleep 30', (True, False)),
}


def qemu_case(script, want):
    """Run a fake QEMU with a 1 s stall limit and a 4 s time-out."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.monotonic()
        _, timed_out, stalled = boot.run_qemu(fake_qemu(script), os.path.join(tmp, 'log'), 4,
                                              stall_seconds=1)
        took = time.monotonic() - started
    return (timed_out, stalled) == want and took < 10, \
        f'timed_out={timed_out}, stalled={stalled} after {took:.1f} s'


def retry_case(stalls, want_boots, want_stalled):
    """boot.boot() with a QEMU that stalls in its first @stalls boots."""
    boots = []

    def run():
        boots.append(1)
        with open(log, 'w') as f:
            f.write('console\n')
        return [], False, len(boots) <= stalls

    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, 'log')
        with contextlib.redirect_stdout(io.StringIO()):
            _, _, stalled = boot.boot(run, log, 'a check')
        kept = sorted(os.listdir(tmp))
    want_kept = sorted(['log'] + [f'log.stalled-{n}' for n in range(1, want_boots)])
    return (len(boots), stalled, kept) == (want_boots, want_stalled, want_kept), \
        f'{len(boots)} boots, stalled={stalled}, files {kept}'


# name: (stalled boots, boots made, final result stalled)
RETRY_CASES = {
    'one-stall-boots-again': (1, 2, False),
    'two-stalls-fail': (2, 2, True),
    'no-stall-boots-once': (0, 1, False),
}


def boot_cases():
    """(name, passed, what happened) of boot.py's stall handling."""
    for case, (script, want) in QEMU_CASES.items():
        yield (case, *qemu_case(script, want))
    for case, args in RETRY_CASES.items():
        yield (case, *retry_case(*args))
    found = boot.problems(argparse.Namespace(timeout=1, suite='check'), [], False, True)
    yield ('two-stalls-are-named', any(kind == 'bringup-stall' for kind, _ in found), found)


def main():
    results, kunit = sys.argv[1:3]
    cases = [(case, rows, allowed, must_print, EXPECTED)
             for case, (rows, allowed, must_print) in CASES.items()]
    cases += [(case, console_results(CONSOLE.format(status=status, noise=noise,
                                                   glued=glued[0] if glued else ''), kunit),
               '', must_print, CONSOLE_EXPECTED)
              for case, (status, noise, must_print, *glued) in CONSOLE_CASES.items()]
    failed = 0
    for case, rows, allowed, must_print, expected in cases:
        ok, out = run_case(rows, allowed, must_print, expected)
        if not ok:
            failed += 1
            print(f'report-selftest: {case}: expected {must_print or "a pass"}, got:\n{out}')
        report.record(results, f'harness.report.{case}', 'PASS' if ok else 'FAIL')
    for case, ok, what in boot_cases():
        if not ok:
            failed += 1
            print(f'report-selftest: boot {case}: {what}')
        report.record(results, f'harness.boot.{case}', 'PASS' if ok else 'FAIL')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
