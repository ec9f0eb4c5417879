#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Upstream's ftrace selftests (ftracetest) in the callops guests, against
stock 6.12 built with the same configuration.

  ftracetest.py stock FILE LOG [--about KEY=VALUE]...
        write stock's result of every case, from the console LOG of a stock
        guest that ran /bin/run-ftracetest, to FILE (make ftracetest-stock)
  ftracetest.py check --stock FILE --results RESULTS --name NAME LOG
        record, for every case stock passes, whether it passes in LOG too,
        and whether LOG ran exactly stock's cases (make check)
  ftracetest.py rst --rst PAGE --command CMD ARCH=STOCK_FILE,LOG...
        write the page of both columns, per arch (make ftracetest)

The guest prints each case's result as "ftracetest-result: [N] DESCRIPTION
<TAB>[RESULT]" (ftracetest-guest.sh).  A case is known by its number and
description: both come from the same pinned tree on stock and here, and two
cases share a description.
"""

import argparse
import os
import re
import sys

from report import record

RESULT_LINE = re.compile(r'ftracetest-result: \[(\d+)\](.*)\t\[([A-Z]+)\]\s*$')
# What ftracetest's results mean (its README).
MEANINGS = {
    'PASS': 'the test succeeded',
    'FAIL': 'the test failed, but was expected to succeed',
    'UNRESOLVED': 'the test produced indeterminate results',
    'UNTESTED': 'the test was not run',
    'UNSUPPORTED': 'the kernel lacks a feature the test needs',
    'XFAIL': 'the test failed, and was expected to fail',
}


# The stock file: lines "# KEY: VALUE" saying where it came from, then one
# line per case.
FORMAT_KEY = 'Format'
FORMAT = ('ftracetest on stock 6.12, one case a line: its number, result and '
          'description, tab-separated (tools/testing/callops/ftracetest.py)')


def parse_log(path):
    """[(number, description, result)] of a guest's console log."""
    cases = []
    with open(path, errors='replace') as f:
        for line in f:
            match = RESULT_LINE.search(line.rstrip('\r\n'))
            if match:
                cases.append((int(match[1]), match[2].strip(), match[3]))
    return cases


def read_stock(path):
    """({key: value} of its header, [(number, description, result)])."""
    about, cases = {}, []
    with open(path) as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith('# '):
                key, _, value = line[2:].partition(': ')
                about[key] = value
            elif line:
                number, result, description = line.split('\t', 2)
                cases.append((int(number), description, result))
    return about, cases


def case_name(number, description):
    slug = re.sub(r'[^a-z0-9]+', '-', description.lower()).strip('-')
    return f'{number:03d}-{slug}'


def write_stock(args):
    cases = parse_log(args.log)
    if not cases:
        sys.exit(f'ftracetest: no case results in {args.log}')
    with open(args.file, 'w') as f:
        f.write(f'# {FORMAT_KEY}: {FORMAT}\n')
        for about in args.about:
            key, _, value = about.partition('=')
            f.write(f'# {key}: {value}\n')
        for number, description, result in cases:
            f.write(f'{number}\t{result}\t{description}\n')
    print(f'ftracetest: {len(cases)} cases of stock written to {args.file}')


def check(args):
    _, stock = read_stock(args.stock)
    on_stock = {(n, d): r for n, d, r in stock}
    here = {(n, d): r for n, d, r in parse_log(args.log)}
    results = []
    for number, description, result in stock:
        if result != 'PASS':
            continue
        ours = here.get((number, description), 'missing')
        results.append((f'{args.name}.ftracetest.{case_name(number, description)}',
                        'PASS' if ours == 'PASS' else 'FAIL'))
        if ours != 'PASS':
            print(f'ftracetest {args.name}: [{number}] {description}: passes on stock, {ours} here')
    same = set(here) == set(on_stock)
    if not same:
        print(f'ftracetest {args.name}: the guest did not run the cases '
              f'{args.stock} lists ({len(here)} here, {len(stock)} there)')
    results.append((f'{args.name}.ftracetest.same-cases', 'PASS' if same else 'FAIL'))
    for (number, description), ours in sorted(here.items()):
        theirs = on_stock.get((number, description))
        if theirs not in (None, 'PASS') and ours != theirs:
            print(f'ftracetest {args.name}: [{number}] {description}: {theirs} on stock, {ours} here')
    for name, status in results:
        record(args.results, name, status)
    passed = sum(status == 'PASS' for _, status in results)
    print(f'ftracetest {args.name}: {passed} of {len(results)} tests passed')


def rst_escape(text):
    """text as reStructuredText shows it, markup characters and all."""
    text = re.sub(r'([\\*`|])', r'\\\1', text)
    return re.sub(r'_(?=\s|$)', r'\\_', text)


def rst_table(stock, here):
    rows = [('Case', 'Description', 'Stock 6.12', 'callops')]
    results = {(n, d): r for n, d, r in here}
    for number, description, result in stock:
        ours = results.get((number, description), 'missing')
        rows.append((str(number), rst_escape(description), result,
                     ours if ours == result else f'**{ours}**'))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    rule = ' '.join('=' * w for w in widths)
    lines = [rule, ' '.join(c.ljust(w) for c, w in zip(rows[0], widths)).rstrip(), rule]
    lines += [' '.join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows[1:]]
    return lines + [rule]


def totals(cases):
    counts = {}
    for _, _, result in cases:
        counts[result] = counts.get(result, 0) + 1
    return ', '.join(f'{counts[r]} {r}' for r in sorted(counts))


def write_rst(args):
    title = 'Upstream ftrace selftests on stock 6.12 and on callops'
    out = ['.. SPDX-License-Identifier: GPL-2.0', '',
           '.. This page is generated by tools/testing/callops/ftracetest.py: edit',
           '   that, not this.', '', '=' * len(title), title, '=' * len(title), '',
           'Upstream\'s own tests of ftrace (``tools/testing/selftests/ftrace``,',
           '``ftracetest``) run on arm64-debug (KASAN, lockdep, UBSAN, kmemleak; see',
           '``kernel/configs/callops-debug.config``) and on riscv-uncompressed',
           '(kmemleak; ``arch/riscv/configs/callops-uncompressed.config``): on',
           'riscv-debug neither stock\'s guest nor callops\'s got past the second case',
           '(stopped after 15 and 13 minutes).  Each guest boots under icount, with',
           'a static busybox built from Debian\'s source as the shell and tools.',
           'Stock 6.12 is Debian\'s source with no patch, configured from the same',
           'fragments (without Rust) and booted the same way.  ``make check`` fails',
           'if a case that passes on stock does not pass on callops; a result that',
           'differs from stock\'s is in bold.', '',
           'Results are ftracetest\'s own:', '']
    out += [f'- ``{r}``: {m}.' for r, m in MEANINGS.items()]
    out += ['', f'Generated by ``{args.made_by}`` (the callops column) from the stock',
            'results ``make ftracetest-stock`` recorded (the stock column).', '']
    for spec in args.arches:
        arch, _, files = spec.partition('=')
        stock_file, _, log = files.partition(',')
        about, stock = read_stock(stock_file)
        here = parse_log(log)
        out += [arch, '=' * len(arch), '',
                f'Stock\'s results are from ``tools/testing/callops/{os.path.basename(stock_file)}``:', '']
        out += [f'- {key}: {rst_escape(value)}' for key, value in about.items()
                if key != FORMAT_KEY]
        out += ['', 'Totals:', '', f'- Stock 6.12: {totals(stock)}.',
                f'- callops: {totals(here)}.', '']
        out += rst_table(stock, here) + ['']
    with open(args.rst, 'w') as f:
        f.write('\n'.join(out))
    print(f'ftracetest: wrote {args.rst}')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = parser.add_subparsers(dest='command', required=True)
    stock = sub.add_parser('stock')
    stock.add_argument('file')
    stock.add_argument('log')
    stock.add_argument('--about', action='append', default=[])
    stock.set_defaults(run=write_stock)
    checking = sub.add_parser('check')
    checking.add_argument('--stock', required=True)
    checking.add_argument('--results', required=True)
    checking.add_argument('--name', required=True)
    checking.add_argument('log')
    checking.set_defaults(run=check)
    rst = sub.add_parser('rst')
    rst.add_argument('--rst', required=True)
    rst.add_argument('--command', dest='made_by', required=True)
    rst.add_argument('arches', nargs='+')
    rst.set_defaults(run=write_rst)
    args = parser.parse_args()
    args.run(args)


if __name__ == '__main__':
    main()
