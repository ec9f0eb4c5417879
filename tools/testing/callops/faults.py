#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the console log of a callops_faults run into the fault-injection table.

callops_faults prints one line per operation of the Rust sample tracer:

  # fault-table: OPERATION | ALLOCATIONS | TRIED | FAILED | SURVIVED | UNCHANGED

  faults.py RST LOG
      write the .rst page with the table of LOG; fail if LOG has no line
      for an operation, or a line saying the tracer changed

  faults.py --check RST LOG
      fail as above, or if the page RST (written by an earlier run; the
      counts vary from run to run) does not have a row for each operation
      with the tracer unchanged; write nothing
"""

import re
import sys

LINE = re.compile(r'# fault-table: (?P<operation>[\w-]+) \| (?P<allocations>\d+) \| '
                  r'(?P<tried>\d+) \| (?P<failed>\d+) \| (?P<survived>\d+) \| '
                  r'(?P<unchanged>yes|no)')
COMMAND = 'make faults'
OPERATIONS = {
    'load': 'loading the module with ``filter=`` and ``enable=1``',
    'open': 'opening and reading ``stats``',
    'filter-add': 'adding functions to ``filter`` while tracing',
    'filter-remove': 'removing one from ``filter`` while tracing',
    'enable': '``echo 1 > enable``: registering the ``ftrace_ops``',
    'disable': '``echo 0 > enable``',
}
HEADER = '''.. SPDX-License-Identifier: GPL-2.0

========================================================
The Rust sample tracer under allocation failures
========================================================

This page is written by ``{command}``, which boots the arm64-debug kernel
(``kernel/configs/callops-debug.config``: KASAN, lockdep, kmemleak, failslab
and fail_page_alloc among others) and runs
``tools/testing/selftests/callops/callops_faults``. ``make check`` runs the
same test in arm64-debug's debug suite and on riscv (the riscv-uncompressed
kernel, which has fault injection and kmemleak), and fails unless each
operation is in each run's table with the tracer left unchanged; the counts
vary a little from run to run, and from arch to arch.

For each operation of the tracer (Documentation/trace/rust-callops-tracer.rst),
the test counts the allocations the operation makes (*allocations*), then
runs it again and again with one of them failing
(``/proc/thread-self/fail-nth``, with sleeping allocations and pages of any
order made to fail): each in turn, or for an operation that makes more than
100, its last 50 (the tracer's own code runs last, as a module's init does)
and 50 spread over the others (*tried*). *Failed* is how many of those runs
failed the operation, each with ``ENOMEM`` and the tracer left as it was (its
filter, ``enable``, and whether it traces); *survived* how many got over the
failure, or made fewer allocations, and worked all the same. After all
operations kmemleak must find nothing unreferenced.

'''


def rows(log):
    found = {}
    with open(log, errors='backslashreplace') as f:
        for line in f:
            match = LINE.search(line)
            if match:
                found[match['operation']] = match
    return found


def check_page(rst_path):
    """Whether the page has a row for each operation, saying "yes"."""
    with open(rst_path) as f:
        lines = f.read().splitlines()
    return all(any(line.startswith(description + '  ') and line.rstrip().endswith('yes')
                   for line in lines)
               for description in OPERATIONS.values())


def main():
    check = sys.argv[1:2] == ['--check']
    args = sys.argv[2:] if check else sys.argv[1:]
    if len(args) != 2:
        sys.exit(__doc__)
    rst_path, log = args
    found = rows(log)
    missing = [op for op in OPERATIONS if op not in found]
    changed = [op for op, m in found.items() if m['unchanged'] != 'yes']
    if missing or changed:
        sys.exit(f'faults.py: {log}: no line for {missing}, tracer changed by {changed}')
    if check:
        if not check_page(rst_path):
            sys.exit(f'faults.py: {rst_path} lacks an operation, or says one changed the tracer')
        print(f'faults: {len(found)} operations, every failed allocation left the tracer '
              f'as it was; {rst_path} agrees')
        return
    widths = (max(len(d) for d in OPERATIONS.values()), 11, 5, 6, 8, 9)
    rule = '  '.join('=' * w for w in widths)
    out = [HEADER.format(command=COMMAND).rstrip('\n') + '\n', rule,
           '  '.join(h.ljust(w) for h, w in zip(
               ('operation', 'allocations', 'tried', 'failed', 'survived', 'unchanged'),
               widths)),
           rule]
    for op, description in OPERATIONS.items():
        m = found[op]
        cells = (description, m['allocations'], m['tried'], m['failed'], m['survived'],
                 m['unchanged'])
        out.append('  '.join(c.ljust(w) for c, w in zip(cells, widths)).rstrip())
    out.append(rule)
    with open(rst_path, 'w') as f:
        f.write('\n'.join(out) + '\n')


if __name__ == '__main__':
    main()
