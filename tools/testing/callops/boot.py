#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot a callops guest in QEMU, run one suite and judge the console.

The guest's PID 1 (init.c) runs the suite and powers off.  This script
enforces a hard time-out, keeps the whole console in a log file, and reports
the run as failed when the guest did not boot, panicked, oopsed, warned, hit
a BUG, printed a report of a debug option (KASAN, lockdep, UBSAN, kmemleak,
RCU), timed out or stopped before its suite completed.  The KUnit results
printed while booting and the suite's KTAP results are parsed with the
kernel's own tools/testing/kunit/kunit.py and appended, one JSON object per
test, to a results file (see report.py).
"""

import argparse
import codecs
import json
import os
import re
import select
import subprocess
import sys
import time

QEMU = {
    'arm64': ['qemu-system-aarch64', '-M', 'virt', '-cpu', 'cortex-a57'],
    # fw_dynamic, not fw_jump: fw_jump puts the device tree 34 MiB above the
    # kernel's load address, inside a debug kernel (KASAN, lockdep), which
    # then clears it with its bss and never prints a line.
    'riscv': ['qemu-system-riscv64', '-M', 'virt',
              '-bios', '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin'],
}
CONSOLE = {'arm64': 'ttyAMA0', 'riscv': 'ttyS0'}
# riscv's serial console is registered late, after ftrace's startup tests:
# with earlycon, a riscv kernel that stops before then still says where.
EARLYCON = {'riscv': 'earlycon'}
# A CPU that enforces BTI landing pads and authenticates return addresses
# (QEMU's own, cheap PAC algorithm), and what a kernel built for them says
# when it finds them in use.
ENFORCING_CPU = 'max,pauth-impdef=on'
ENFORCED = ('CPU features: detected: Branch Target Identification',
            'CPU features: detected: Address authentication')

INIT_START = 'callops-init: running suite '
# What init prints as it starts insmod, which loads LKDTM to break the
# guest in the harness self-tests' suites (suites/broken-*).
LKDTM_STARTED = re.compile(r'^\s*# insmod: started$')
INIT_DONE = 'callops-init: suite {} done'

# What the kernel prints when something went wrong, and how we call it.
# Reports of the debug options (KASAN, lockdep, RCU lockdep, UBSAN,
# kmemleak, hung tasks) are named for what found them, before the generic
# kinds they would otherwise fall under.
LOCKDEP_REPORTS = '|'.join([
    'possible (recursive|circular) locking dependency detected',
    'possible irq lock inversion dependency detected',
    r'\S+-safe -> \S+-unsafe lock order detected',
    'inconsistent lock state', 'bad unlock balance detected',
    'bad contention detected', 'held lock freed', 'Nested lock was not taken',
    'lock held when returning to user space', r'\S+/\d+ still has locks held',
    'chain_key collision',
])
FAILURES = [
    (re.compile(r'Kernel panic - not syncing'), 'panic'),
    (re.compile(r'Internal error: Oops|Oops( -|: | \[#)|Unable to handle kernel'),
     'oops'),
    (re.compile(r'BUG: KASAN: '), 'kasan'),
    (re.compile(r'(?<!\[ )\bBUG: (?!KASAN: )|kernel BUG at'), 'bug'),
    (re.compile(rf'WARNING: ({LOCKDEP_REPORTS})|\[ BUG: Invalid wait context \]'),
     'lockdep'),
    (re.compile(r'WARNING: suspicious RCU usage'), 'rcu-usage'),
    (re.compile(r'WARNING: CPU: \d+ PID: |-+\[ cut here \]-+'), 'warn'),
    (re.compile(r'UBSAN: '), 'ubsan'),
    (re.compile(r'kmemleak: \d+ new suspected memory leaks'), 'kmemleak'),
    (re.compile(r'rcu: INFO: .* detected stalls'), 'rcu-stall'),
    (re.compile(r'INFO: task \S+ blocked for more than \d+ seconds'), 'hung-task'),
]

TAIL_LINES = 40

# Debian bookworm's QEMU (7.2) sometimes never finishes starting a riscv
# guest's second hart, for stock 6.12 as for callops (about one boot in a
# hundred with the host busy): the boot CPU then faults forever fetching its
# exception vector, and the guest prints nothing more.  Such a boot is killed
# when the console has stayed on this line for BRINGUP_STALL_SECONDS (it
# takes well under a second), or a third of the boot's time-out if that is
# shorter, and booted once more, saying so; a second stall fails the run.
BRINGUP_LINE = 'smp: Bringing up secondary CPUs ...'
BRINGUP_STALL_SECONDS = 30
BRINGUP_ATTEMPTS = 2


def expected_kinds(text):
    """The kinds of failure a harness self-test names, each a known one."""
    known = [kind for _, kind in FAILURES] + ['time-out']
    kinds = text.split(',')
    for kind in kinds:
        if kind not in known:
            raise argparse.ArgumentTypeError(
                f'{kind!r} is not one of {", ".join(known)}')
    return kinds


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--arch', choices=QEMU, required=True)
    parser.add_argument('--kernel', required=True)
    parser.add_argument('--initrd', required=True)
    parser.add_argument('--suite', required=True)
    parser.add_argument('--log', required=True, help='console log file')
    parser.add_argument('--results', help='append test results (JSON lines)')
    parser.add_argument('--kunit', required=True, help='path to kunit.py')
    parser.add_argument('--timeout', type=int, default=900,
                        help='seconds before QEMU is killed')
    parser.add_argument('--smp', type=int, default=2)
    parser.add_argument('--name', help='the kernel build, first part of every '
                                       'result name (default: the arch)')
    parser.add_argument('--icount', action='store_true',
                        help='one guest ns per instruction (for benchmarks)')
    parser.add_argument('--one-tcg-thread', action='store_true',
                        help='run every vCPU on one host thread, for tests that need '
                             'patched code seen at once (see the unregister-race suite)')
    parser.add_argument('--command-timeout', type=int,
                        help='guest seconds each suite command may take (init: 300)')
    parser.add_argument('--enforce-bti-pac', action='store_true',
                        help='(arm64) boot on a CPU that enforces BTI and pointer '
                        'authentication; a test requires the kernel to use both')
    parser.add_argument('--no-kunit', action='store_true',
                        help='skip the KUnit tests built into the kernel')
    parser.add_argument('--no-ftrace-startup-test', action='store_true',
                        help="skip ftrace's startup tests (FTRACE_STARTUP_TEST)")
    parser.add_argument('--expect', type=expected_kinds,
                        help='the run is a harness self-test that must fail in each of '
                             'these ways (KIND[,KIND...])')
    parser.add_argument('--append', action='append', default=[],
                        help='more of the kernel command line (make mutations)')
    parser.add_argument('--verbose', action='store_true',
                        help='copy the console to stdout while it runs')
    args = parser.parse_args()
    if args.enforce_bti_pac and args.arch != 'arm64':
        parser.error('--enforce-bti-pac is for arm64')
    args.name = args.name or args.arch
    return args


def qemu_command(args):
    append = [f'console={CONSOLE[args.arch]}', 'panic=-1',
              f'callops_suite={args.suite}']
    if args.command_timeout:
        append.append(f'callops_timeout={args.command_timeout}')
    if args.no_kunit:
        append.append('kunit.enable=0')
    if args.no_ftrace_startup_test:
        # Boot-time event tracing, of no event, turns the startup tests off.
        append.append('trace_event=')
    append += [EARLYCON[args.arch]] if args.arch in EARLYCON else []
    append += args.append
    cmd = QEMU[args.arch] + [
        '-smp', str(args.smp), '-m', '512', '-nographic', '-no-reboot',
        '-net', 'none', '-kernel', args.kernel, '-initrd', args.initrd,
        '-append', ' '.join(append)]
    if args.icount:
        cmd += ['-icount', 'shift=0,sleep=off']
    if args.one_tcg_thread:
        cmd += ['-accel', 'tcg,thread=single']
    if args.enforce_bti_pac:
        cmd[cmd.index('-cpu') + 1] = ENFORCING_CPU
    return cmd


def run_qemu(command, log_path, timeout, verbose=False,
             stall_seconds=BRINGUP_STALL_SECONDS):
    """Run QEMU to completion, time-out or a stall bringing up CPUs.

    Return (console lines, timed_out, stalled).
    """
    decoder = codecs.getincrementaldecoder('utf-8')(errors='backslashreplace')
    deadline = time.monotonic() + timeout
    last_output = time.monotonic()
    timed_out = stalled = False
    text = ''
    with open(log_path, 'w') as log, \
         subprocess.Popen(command, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT) as qemu:
        fd = qemu.stdout.fileno()
        while True:
            now = time.monotonic()
            if now >= deadline:
                qemu.kill()
                timed_out = True
                break
            if now - last_output >= stall_seconds and \
               text.rstrip().endswith(BRINGUP_LINE):
                qemu.kill()
                stalled = True
                break
            ready, _, _ = select.select([fd], [], [], min(deadline - now, 1.0))
            if not ready:
                continue
            chunk = decoder.decode(os.read(fd, 65536))
            if not chunk and qemu.poll() is not None:
                break
            last_output = time.monotonic()
            log.write(chunk)
            log.flush()
            if verbose:
                sys.stdout.write(chunk)
                sys.stdout.flush()
            text += chunk
    return [line.rstrip('\r') for line in text.split('\n')], timed_out, stalled


def boot(run, log_path, label):
    """Boot with @run(), again if QEMU stalled bringing up CPUs (see
    BRINGUP_LINE), keeping each stalled console beside @log_path."""
    for attempt in range(1, BRINGUP_ATTEMPTS + 1):
        lines, timed_out, stalled = run()
        if not stalled or attempt == BRINGUP_ATTEMPTS:
            return lines, timed_out, stalled
        kept = f'{log_path}.stalled-{attempt}'
        os.replace(log_path, kept)
        print(f'{label}: QEMU stalled bringing up CPU 1 (console: {kept}); '
              f'booting again', flush=True)


def problems(args, lines, timed_out, stalled=False):
    """Everything wrong with the run, each as (kind, first console line)."""
    found = []
    for pattern, kind in FAILURES:
        hit = next((line for line in lines if pattern.search(line)), None)
        if hit is not None:
            found.append((kind, hit.strip()))
    if timed_out:
        found.append(('time-out', f'QEMU killed after {args.timeout} s'))
    if stalled:
        found.append(('bringup-stall', f'QEMU stalled bringing up CPU 1, '
                                       f'{BRINGUP_ATTEMPTS} boots out of {BRINGUP_ATTEMPTS}'))
    if not any(INIT_START in line for line in lines):
        found.append(('boot-failure', 'the guest never started init'))
    elif not any(INIT_DONE.format(args.suite) in line for line in lines):
        found.append(('incomplete', f'suite {args.suite} did not finish'))
    return found


def kunit_parse(kunit, name, lines, workdir):
    """Parse one KTAP document with kunit.py; return its JSON tree or None."""
    text = os.path.join(workdir, f'{name}.ktap')
    tree = os.path.join(workdir, f'{name}.json')
    with open(text, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    with open(os.path.join(workdir, f'{name}.parsed'), 'w') as out:
        subprocess.run([sys.executable, kunit, 'parse', f'--json={tree}', text],
                       stdout=out, stderr=subprocess.STDOUT, check=False)
    if not os.path.exists(tree):
        return None
    with open(tree) as f:
        return json.load(f)


def leaves(group, prefix):
    """Yield (name, status) for every test case below a kunit_json group."""
    for sub in group.get('sub_groups', []):
        yield from leaves(sub, f'{prefix}.{sub["name"]}')
    for number, case in enumerate(group.get('test_cases', []), 1):
        # kunit.py reports a line it could not parse as an unnamed case.
        name = case['name'] or f'unparsable-result-{number}'
        yield f'{prefix}.{name}', case['status']


# A result line of a KTAP document's own tests, not indented (a subtest's is).
TOP_RESULT = re.compile(r'^(?P<not>not )?ok \d+ (?P<name>[^#]*?)\s*(?:#\s*(?P<directive>\S*).*)?$')


def group_results(tree, doc, prefix):
    """(name, status) of each test of @doc that has subtests, from its own result line.

    kunit.py's JSON keeps the results of the tests without subtests only: a
    command of the suite whose subtests all passed but that failed itself
    (non-zero exit, signal, time-out after its last subtest) would be lost.
    """
    own = {}
    for line in doc:
        match = TOP_RESULT.match(line)
        if match:
            status = 'FAIL' if match['not'] else \
                'SKIP' if (match['directive'] or '').upper() == 'SKIP' else 'PASS'
            own.setdefault(match['name'], []).append(status)
    results = []
    for group in tree.get('sub_groups', []):
        statuses = own.get(group['name'], [])
        # Groups of one name (a command twice in a suite) in the order they ran.
        status = statuses.pop(0) if statuses else 'FAIL'
        results.append((f'{prefix}.{group["name"]}', status))
    return results


# The lines of a KTAP document, at any depth: the kernel's own messages come
# between them on the console (kmemleak starting its thread between a
# subtest's "KTAP version" and "# Subtest:" once made kunit.py lose the
# subtest's name), and are no part of any result.
KTAP_LINE = re.compile(r'^\s*(ok |not ok |#|KTAP version |TAP version |1\.\.\d)')
# A line of the banner the kernel prints when a module that calls
# trace_printk() first loads (ftrace-direct, in the suites), at the end of
# a KTAP line it landed in the middle of.
BANNER_TAIL = re.compile(r'\*\*.*\*\*$')


def collect_results(args, lines):
    """KUnit results printed during boot, then the suite's KTAP results, each
    group's own result (see group_results()) among them."""
    start = next((i for i, line in enumerate(lines) if INIT_START in line),
                 len(lines))
    workdir = os.path.dirname(os.path.abspath(args.log))
    base = os.path.splitext(os.path.basename(args.log))[0]
    results = []
    documents = [('kunit', lines[:start]), (args.suite, lines[start + 1:])]
    documents = [(name, [BANNER_TAIL.sub('', line) for line in doc if KTAP_LINE.match(line)])
                 for name, doc in documents]
    for name, doc in documents:
        if name == 'kunit' and args.no_kunit:
            continue
        tree = kunit_parse(args.kunit, f'{base}.{name}', doc, workdir)
        if tree is None:
            results.append((f'{args.name}.{name}', 'FAIL'))
            continue
        results += list(leaves(tree, f'{args.name}.{name}'))
        results += group_results(tree, doc, f'{args.name}.{name}')
    return results


def main():
    args = parse_args()
    started = time.monotonic()
    label = f'{args.name} {args.suite}'
    lines, timed_out, stalled = boot(
        lambda: run_qemu(qemu_command(args), args.log, args.timeout, args.verbose,
                         min(BRINGUP_STALL_SECONDS, args.timeout / 3)),
        args.log, label)
    found = problems(args, lines, timed_out, stalled)
    elapsed = time.monotonic() - started

    if args.expect:
        # A harness self-test: the guest is broken on purpose, and the
        # harness must say so, the way it was broken.
        seen = {kind for kind, _ in found}
        results = [(f'{args.name}.harness.detects-{kind}',
                    'PASS' if kind in seen else 'FAIL') for kind in args.expect]
        # Broken where it was meant to be, by LKDTM from init's suite: a
        # guest that hung or crashed while booting would show the same kind.
        broken_by_suite = any(INIT_START in line for line in lines) and \
            any(LKDTM_STARTED.match(line) for line in lines)
        results.append((f'{args.name}.harness.{args.suite}.broken-by-its-suite',
                        'PASS' if broken_by_suite else 'FAIL'))
        print(f'{label}: expected {", ".join(args.expect)}, '
              f'{"from LKDTM in the suite" if broken_by_suite else "NOT from LKDTM in the suite"}'
              f', saw {", ".join(k for k, _ in found) or "a clean run"}: '
              f'{"PASS" if all(s == "PASS" for _, s in results) else "FAIL"}')
    else:
        results = collect_results(args, lines)
        results.append((f'{args.name}.{args.suite}.guest-clean',
                        'FAIL' if found else 'PASS'))
        if args.enforce_bti_pac:
            used = all(any(feature in line for line in lines) for feature in ENFORCED)
            results.append((f'{args.name}.{args.suite}.bti-pac-enforced',
                            'PASS' if used else 'FAIL'))
        failed = [name for name, status in results if status not in ('PASS', 'SKIP')]
        skipped = [name for name, status in results if status == 'SKIP']
        passed = len(results) - len(failed) - len(skipped)
        print(f'{label}: {passed} of {len(results)} tests passed'
              f'{f", {len(skipped)} skipped" if skipped else ""} in {elapsed:.0f} s '
              f'(console: {args.log})')
        for name in skipped:
            print(f'{label}: SKIPPED: {name}')
        for kind, line in found:
            print(f'{label}: FAILED: {kind}: {line}')
        for name in failed:
            print(f'{label}: FAILED: {name}')
        if found or failed:
            print(f'--- last {TAIL_LINES} console lines ---')
            print('\n'.join(lines[-TAIL_LINES:]))
            print('---')

    if args.results:
        # One write: guests booting side by side append to the same file.
        text = ''.join(json.dumps({'name': name, 'status': status}) + '\n'
                       for name, status in results)
        fd = os.open(args.results, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, text.encode())
        finally:
            os.close(fd)
    sys.exit(0 if all(s in ('PASS', 'SKIP') for _, s in results) else 1)


if __name__ == '__main__':
    main()
