#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Break the code or the run on purpose, and show that the harness fails it.

  mutations.py RST

make mutations runs this once, from the repository: it boots a short run of
a build (the mutations suites) as it is, writes what that run has into an
expected-results file, as "make expected-results" does for make check, then
applies each breakage below in turn, rebuilds what it changes, boots again
and sums the run up with report.py summary against those expectations and
the repository's allowed skips, exactly as make check does.  Every breakage
must fail the run, and the summary or boot.py must name the cause (each
breakage says what that text is).  The table of what happened goes to RST.

A breakage edits a file of the kernel tree: the repository's copy if the
repository has the file (the overlay, which make links into the tree),
else the tree's own (a file the patches change).  The file is replaced,
not written, so that the hard links of the overlay keep their content; it
is put back, and touched so that kbuild rebuilds it, before the next one.
The builds are left as the repository makes them.
"""

import os
import re
import subprocess
import sys
import tempfile
import time

HARNESS = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HARNESS, '..', '..', '..'))
BUILD = os.path.join(REPO, 'build')
SRC = os.path.join(BUILD, 'linux')
WORK = os.path.join(BUILD, 'mutations')
COMMAND = 'make mutations'


class Run:
    """A short run of one build: its suite and how it boots."""

    def __init__(self, build, suite, timeout, boot_args=()):
        self.build, self.suite, self.timeout = build, suite, timeout
        self.boot_args = list(boot_args)

    def key(self):
        return f'{self.build}.{self.suite}'


ARM64 = Run('arm64', 'mutations', 900, ['--one-tcg-thread'])
RISCV_FAULTS = Run('riscv-uncompressed', 'mutations-faults', 1200,
                   ['--one-tcg-thread', '--no-kunit'])


class Edit:
    """Replace @old, which the file has exactly once, with @new."""

    def __init__(self, path, old, new):
        self.path, self.old, self.new = path, old, new

    def where(self):
        in_repo = os.path.join(REPO, self.path)
        return in_repo if os.path.exists(in_repo) else os.path.join(SRC, self.path)


class Mutation:
    def __init__(self, name, what, run, cause, edits=(), append=(), timeout=None):
        self.name, self.what, self.run, self.cause = name, what, run, cause
        self.edits, self.append, self.timeout = list(edits), list(append), timeout

    def causes(self):
        """What the output must say, each of them."""
        return [self.cause] if isinstance(self.cause, str) else self.cause


SELFTESTS = 'tools/testing/selftests/callops/'
CALLSITES = SELFTESTS + 'ftrace_callsites.c'
STRESS = 'samples/ftrace/ftrace-ops-stress.c'

MUTATIONS = [
    Mutation(
        'suite-line-deleted',
        'The suite loses its ``callops_tracer`` line.',
        ARM64, 'arm64.mutations.callops_tracer (expected, but not run)',
        edits=[Edit('tools/testing/callops/suites/mutations',
                    '/bin/callops_tracer files counts-c call-ops\n', '')]),
    Mutation(
        'test-skipped',
        '``ftrace_callsites direct-call`` says the kernel cannot run it, and skips.',
        ARM64, 'arm64.mutations.ftrace_callsites.direct-call (skipped, and not in the '
        'allowed skips)',
        edits=[Edit(CALLSITES, '{ "direct-call", test_direct_call, NULL },',
                    '{ "direct-call", test_direct_call, mutant_unavailable },'),
               Edit(CALLSITES, 'int main(int argc, char **argv)\n',
                    'static const char *mutant_unavailable(void)\n{\n'
                    '\treturn "broken on purpose";\n}\n\n'
                    'int main(int argc, char **argv)\n')]),
    Mutation(
        'exit-status-after-ok',
        '``ftrace_callsites`` prints all its ``ok`` lines, then exits with 1.',
        ARM64, 'FAILED: arm64.mutations.ftrace_callsites\n',
        edits=[Edit(CALLSITES,
                    '\trun_named_tests(tests, ARRAY_SIZE(tests), argc, argv, NULL);\n'
                    '\tksft_finished();\n',
                    '\trun_named_tests(tests, ARRAY_SIZE(tests), argc, argv, NULL);\n'
                    '\treturn 1;\n')]),
    Mutation(
        'kunit-off',
        'The kernel runs no KUnit test (``kunit.enable=0``): no doctest results.',
        ARM64, 'arm64.kunit.rust_doctests_kernel.* (0 results, expected at least',
        append=['kunit.enable=0']),
    Mutation(
        'doctest-dropped',
        'The example of ``kernel::demangle::Demangle`` is no longer a doctest.',
        ARM64, 'arm64.kunit.rust_doctests_kernel.* (',
        edits=[Edit('rust/kernel/demangle.rs',
                    '/// # Examples\n///\n/// ```\n/// use kernel::{demangle::Demangle',
                    '/// # Examples\n///\n/// ```text\n/// use kernel::{demangle::Demangle')]),
    Mutation(
        'call-ops-off',
        'The ftrace core never lets a callsite call its one ops directly: every '
        'traced callsite calls the list function.',
        ARM64, 'FAILED: arm64.mutations.callops_tracer.call-ops',
        edits=[Edit('kernel/trace/ftrace.c',
                    '\t\t\t\t\t\t ftrace_find_unique_ops_other(rec, ops)))\n'
                    '\t\t\trec->flags |= FTRACE_FL_CALL_OPS;\n',
                    '\t\t\t\t\t\t ftrace_find_unique_ops_other(rec, ops)))\n'
                    '\t\t\trec->flags &= ~FTRACE_FL_CALL_OPS;\n')]),
    Mutation(
        'stress-call-lost',
        'The stress test\'s handler loses every 1000th call of the function '
        'being patched.',
        ARM64, 'FAILED: arm64.mutations.ftrace_callsites.stress',
        edits=[Edit(STRESS,
                    '\tstruct counting_ops *counting = container_of(op, struct counting_ops, '
                    'ops);\n\n',
                    '\tstruct counting_ops *counting = container_of(op, struct counting_ops, '
                    'ops);\n'
                    '\tstatic atomic_long_t mutant_calls;\n\n'
                    '\tif (counting == &hot_ops &&\n'
                    '\t    atomic_long_inc_return(&mutant_calls) % 1000 == 0)\n'
                    '\t\treturn;\n')]),
    Mutation(
        'warn',
        'The stress test module WARNs as it loads.',
        ARM64, 'FAILED: warn: ',
        edits=[Edit(STRESS, 'static int __init ftrace_ops_stress_init(void)\n{\n',
                    'static int __init ftrace_ops_stress_init(void)\n{\n'
                    '\tWARN_ON_ONCE(1);\n')]),
    Mutation(
        'hang-before-init',
        'The kernel finds no init in the initramfs, and waits a day before it '
        'mounts a root file system to look for one there '
        '(``rdinit=/nonexistent rootdelay=86400``).',
        ARM64, ['FAILED: time-out: QEMU killed after 120 s',
                'FAILED: boot-failure: the guest never started init'],
        append=['rdinit=/nonexistent', 'rootdelay=86400'], timeout=120),
    Mutation(
        'tracer-disable-undone',
        'The Rust sample tracer\'s ``echo 0 > enable`` sets its filter again after '
        'unregistering, as it did before the fix of issue 12 item 12: an allocation '
        'failure there leaves it saying it traces, while it does not.',
        RISCV_FAULTS, 'FAILED: riscv-uncompressed.mutations-faults.callops_faults.disable',
        edits=[Edit('samples/rust/rust_callops_tracer.rs',
                    '            (true, false) => self.ops.unregister(),\n',
                    '            (true, false) => {\n'
                    '                self.ops.unregister()?;\n'
                    '                self.ops.set_filter_functions(&next.functions)\n'
                    '            }\n')]),
]


def log(text):
    print(f'mutations: {text}', flush=True)


def make(build):
    """Rebuild @build's kernel, modules, guest programs and initramfs."""
    started = time.monotonic()
    with open(os.path.join(WORK, f'make-{build}.log'), 'a') as out:
        status = subprocess.run(['make', '-C', REPO, '--no-print-directory',
                                 f'initramfs-{build}'], stdout=out,
                                stderr=subprocess.STDOUT).returncode
    if status:
        sys.exit(f'mutations: make initramfs-{build} failed: see '
                 f'{os.path.join(WORK, f"make-{build}.log")}')
    return time.monotonic() - started


def boot(run, name, append=(), timeout=None):
    """Boot @run; return (results file, what boot.py printed)."""
    arch = run.build.split('-')[0]
    results = os.path.join(WORK, f'{name}.results')
    if os.path.exists(results):
        os.unlink(results)
    command = [
        sys.executable, os.path.join(HARNESS, 'boot.py'), '--arch', arch,
        '--name', run.build,
        '--kernel', os.path.join(BUILD, run.build, 'arch', arch, 'boot', 'Image'),
        '--initrd', os.path.join(BUILD, run.build, 'callops-initramfs.cpio'),
        '--kunit', os.path.join(SRC, 'tools', 'testing', 'kunit', 'kunit.py'),
        '--suite', run.suite, '--results', results,
        '--log', os.path.join(WORK, f'{name}.log'),
        '--timeout', str(timeout or run.timeout),
        '--command-timeout', str(run.timeout)] + run.boot_args
    for arg in append:
        command += ['--append', arg]
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    return results, done.stdout


def summary(results, expected):
    """report.py summary of a run, as make check sums its runs up."""
    done = subprocess.run([sys.executable, os.path.join(HARNESS, 'report.py'), 'summary',
                           results, os.path.join(HARNESS, 'allowed-skips'), expected],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return done.returncode, done.stdout


def baseline(run):
    """Boot @run unbroken, which must pass; write what it has as its expectations."""
    results, _ = boot(run, f'{run.key()}.baseline')
    expected = os.path.join(WORK, f'{run.key()}.expected')
    subprocess.run([sys.executable, os.path.join(HARNESS, 'report.py'), 'expect',
                    results, expected], check=False)
    status, text = summary(results, expected)
    if status or not os.path.exists(expected):
        sys.exit(f'mutations: the unbroken {run.key()} run fails:\n{text}')
    log(f'{run.key()} unbroken: {text.strip().splitlines()[-1]}')
    return expected


def apply(edits):
    """Make @edits, all of one file; return how to put it back."""
    path = edits[0].where()
    with open(path) as f:
        text = f.read()
    for edit in edits:
        if text.count(edit.old) != 1:
            sys.exit(f'mutations: {edit.path} has {text.count(edit.old)} copies of the '
                     'text a breakage replaces, not one: update the breakage')
        text = text.replace(edit.old, edit.new)
    # Beside the build, not the file: make's overlay would take new files in
    # the repository for the kernel tree's.
    original = os.path.join(WORK, os.path.basename(path) + '.original')
    if os.path.exists(original):
        os.unlink(original)
    os.link(path, original)
    fd, mutant = tempfile.mkstemp(dir=WORK)
    with os.fdopen(fd, 'w') as f:
        f.write(text)
    os.chmod(mutant, os.stat(path).st_mode)
    os.replace(mutant, path)
    return path, original


def restore(path, original):
    os.replace(original, path)
    os.utime(path)


def failure_lines(text):
    """What a failed run said about why."""
    keep = re.compile(r'FAILED: |^\d+ passed, \d+ failed')
    return [line for line in text.splitlines() if keep.search(line)]


def mutate(mutation, expected):
    """Apply @mutation, boot, put the files back; return its row of the table."""
    restores = []
    try:
        for path in dict.fromkeys(edit.path for edit in mutation.edits):
            restores.append(apply([edit for edit in mutation.edits if edit.path == path]))
        # Always: the breakage before may have left its build behind.
        built = make(mutation.run.build)
        results, booted = boot(mutation.run, f'{mutation.run.key()}.{mutation.name}',
                               mutation.append, mutation.timeout)
    finally:
        for path, original in reversed(restores):
            restore(path, original)
    status, summed = summary(results, expected)
    said = booted + summed
    caught = status != 0
    named = all(cause in said for cause in mutation.causes())
    lines = [line.strip() for line in failure_lines(said)]
    log(f'{mutation.name}: {"fails" if caught else "PASSES"}, cause '
        f'{"named" if named else "NOT named"} (rebuilt in {built:.0f} s)')
    for line in lines:
        log(f'  {line}')
    return mutation, caught, named, lines


HEADER = '''.. SPDX-License-Identifier: GPL-2.0

======================================================
What the callops harness catches: deliberate breakages
======================================================

This page is written by ``{command}`` (``tools/testing/callops/mutations.py``),
run once for it; ``make check`` does not run it. It shows that the harness
fails a run for what it is meant to catch, and says why.

It boots a short run of a build as the repository makes it (the suites
``mutations`` on arm64 and ``mutations-faults`` on riscv-uncompressed), keeps
what that run has as its expected results (``report.py expect``, as ``make
expected-results`` does for ``make check``), then breaks one thing at a time:
an edit of a source file (rebuilt), of the suite, or of the kernel command
line. Each broken run is judged as ``make check`` judges its runs:
``boot.py`` reads the console, and ``report.py summary`` compares the results
with the expected ones and the allowed skips. A breakage is *caught* when the
run fails, and its cause is *named* when the output says what the breakage
says it must (*must say*). *Said* is what ``boot.py`` and the summary
printed about the failure, totals last.

'''


def rst(rows, path):
    out = [HEADER.format(command=COMMAND)]
    for mutation, caught, named, lines in rows:
        title = f'``{mutation.name}`` ({mutation.run.build})'
        out.append(f'{title}\n{"-" * len(title)}\n')
        out.append(f'{mutation.what}\n')
        out.append(f'- caught: {"yes" if caught else "**no**"}; cause named: '
                   f'{"yes" if named else "**no**"}')
        out.append('- must say: ' + ', and '.join(f'``{cause.strip()}``'
                                                  for cause in mutation.causes()))
        out.append('- said::\n')
        out += [f'    {line}' for line in lines] or ['    (nothing)']
        out.append('')
    with open(path, 'w') as f:
        f.write('\n'.join(out).rstrip('\n') + '\n')


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    os.makedirs(WORK, exist_ok=True)
    runs = []
    for mutation in MUTATIONS:
        if mutation.run not in runs:
            runs.append(mutation.run)
    for run in runs:
        make(run.build)
    expected = {run: baseline(run) for run in runs}
    rows = [mutate(mutation, expected[mutation.run]) for mutation in MUTATIONS]
    for run in runs:
        make(run.build)
    rst(rows, argv[1])
    missed = [m.name for m, caught, named, _ in rows if not (caught and named)]
    if missed:
        log(f'not caught, or not for its cause: {", ".join(missed)}')
        return 1
    log(f'all {len(rows)} breakages caught, each for its cause: {argv[1]}')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
