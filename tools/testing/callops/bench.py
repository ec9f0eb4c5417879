#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the console logs of "make bench" boots into the overhead table.

Reads the "# bench module=M relevant=R irrelevant=I calls=C total_ns=T"
lines that ftrace_ops_bench prints, writes one JSON object per measurement
and a Markdown table per arch and module: nanoseconds per call, which under
"-icount shift=0,sleep=off" are guest instructions per call, and the
overhead over the same module with no ops at all.

Usage: bench.py --json FILE --table FILE ARCH=CONSOLE_LOG...
"""

import argparse
import json
import re
import sys

BENCH_LINE = re.compile(r'# bench module=(?P<module>\S+) relevant=(?P<relevant>\d+) '
                        r'irrelevant=(?P<irrelevant>\d+) calls=(?P<calls>\d+) '
                        r'total_ns=(?P<total_ns>\d+)')


def measurements(arch, log):
    with open(log, errors='backslashreplace') as f:
        for line in f:
            match = BENCH_LINE.search(line)
            if not match:
                continue
            calls = int(match['calls'])
            yield {
                'arch': arch,
                'module': match['module'],
                'relevant': int(match['relevant']),
                'irrelevant': int(match['irrelevant']),
                'calls': calls,
                'ns_per_call': int(match['total_ns']) / calls,
            }


def table(rows):
    """One Markdown table for the rows of one arch and module."""
    base = next((r['ns_per_call'] for r in rows
                 if r['relevant'] == 0 and r['irrelevant'] == 0), None)
    out = ['| relevant | irrelevant | instructions/call | overhead |',
           '|---------:|-----------:|------------------:|---------:|']
    for r in sorted(rows, key=lambda r: (r['relevant'], r['irrelevant'])):
        overhead = '-' if base is None else f'{r["ns_per_call"] - base:.1f}'
        out.append(f'| {r["relevant"]} | {r["irrelevant"]} | '
                   f'{r["ns_per_call"]:.1f} | {overhead} |')
    return '\n'.join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--json', required=True)
    parser.add_argument('--table', required=True)
    parser.add_argument('logs', nargs='+', metavar='ARCH=CONSOLE_LOG')
    args = parser.parse_args()

    rows = []
    for spec in args.logs:
        arch, log = spec.split('=', 1)
        found = list(measurements(arch, log))
        if not found:
            sys.exit(f'bench: no measurements in {log}')
        rows += found

    with open(args.json, 'w') as f:
        for r in rows:
            f.write(json.dumps(r) + '\n')

    sections = []
    for arch, module in dict.fromkeys((r['arch'], r['module']) for r in rows):
        mine = [r for r in rows if r['arch'] == arch and r['module'] == module]
        sections.append(f'### {arch}, {module}\n\n{table(mine)}\n')
    text = '\n'.join(sections)
    with open(args.table, 'w') as f:
        f.write(text)

    print(text)
    print(f'bench: {len(rows)} measurements in {args.json}, table in {args.table}')


if __name__ == '__main__':
    main()
