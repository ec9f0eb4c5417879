#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the console logs of benchmark boots into the overhead tables.

ftrace_ops_bench prints one line per module and configuration:

  # bench module=M relevant=R irrelevant=I calls=C ns=T call_ops=0|1

Under "-icount shift=0,sleep=off" a guest nanosecond is a guest instruction,
so T / C is instructions per call.

  bench.py rst --json OUT --rst RST [--stock JSONL...] ARCH=LOG...
      write the measurements as JSON lines, and the .rst page with a table
      and a gnuplot SVG plot per arch, and the table of the stock kernel
      for the arches with a --stock file
  bench.py compare --rst RST --results RESULTS [--stock JSONL...] ARCH=LOG...
      record one test per arch: every measurement is within 1% of the
      committed page's (and the page has no row that was not measured);
      and one per arch with a --stock file: 1 relevant ops costs the C
      sample at least STOCK_FACTOR times fewer instructions per call
  bench.py short ARCH=LOG
      print the table of the configurations "make run" measures
"""

import argparse
import json
import os
import re
import subprocess
import sys

BENCH_LINE = re.compile(r'# bench module=(?P<module>\S+) relevant=(?P<relevant>\d+) '
                        r'irrelevant=(?P<irrelevant>\d+) calls=(?P<calls>\d+) '
                        r'ns=(?P<ns>\d+) call_ops=(?P<call_ops>[01])')
TOLERANCE = 0.01
# riscv's call ops cost 56 instructions per call where stock 6.12 costs 160;
# 10 of them save and restore t2-t6, which stock leaves to the handlers
# although a traced function may take arguments there.
STOCK_FACTOR = 2.5
COMMAND = 'make bench'
TITLE = 'Cost of ftrace_ops handlers: C and Rust, per architecture'


def measurements(arch, log):
    rows = []
    with open(log, errors='backslashreplace') as f:
        for line in f:
            match = BENCH_LINE.search(line)
            if not match:
                continue
            calls = int(match['calls'])
            rows.append({
                'arch': arch,
                'module': match['module'],
                'relevant': int(match['relevant']),
                'irrelevant': int(match['irrelevant']),
                'calls': calls,
                'ns_per_call': int(match['ns']) / calls,
                'call_ops': match['call_ops'] == '1',
            })
    return rows


def load(specs):
    runs = {}
    for spec in specs:
        arch, log = spec.split('=', 1)
        rows = measurements(arch, log)
        if not rows:
            sys.exit(f'bench: no measurements in {log}')
        runs[arch] = rows
    return runs


def load_stock(paths):
    """{arch: rows} of JSON lines that "bench.py rst" wrote for a stock kernel."""
    stock = {}
    for path in paths or []:
        with open(path) as f:
            for line in f:
                row = json.loads(line)
                stock.setdefault(row['arch'], []).append(row)
    return stock


def per_call(rows, module, point):
    return next((r['ns_per_call'] for r in rows
                 if r['module'] == module and (r['relevant'], r['irrelevant']) == point), None)


def grid(rows):
    """{(relevant, irrelevant): {module: row}} and the modules, in order."""
    modules = list(dict.fromkeys(r['module'] for r in rows))
    points = {}
    for r in rows:
        points.setdefault((r['relevant'], r['irrelevant']), {})[r['module']] = r
    return modules, points


def overhead(points, point, module):
    base = points.get((0, 0), {}).get(module)
    row = points[point].get(module)
    if not base or not row:
        return None
    return row['ns_per_call'] - base['ns_per_call']


def fmt(value):
    if value is None:
        return '-'
    # Round first, so that a rounding error shows as 0.0, not -0.0.
    return f'{round(value, 1) + 0.0:.1f}'


def table_lines(rows):
    """An rst simple table: instructions per call and overhead, per module."""
    modules, points = grid(rows)
    header = ['relevant', 'irrelevant']
    for m in modules:
        header += [m, 'overhead']
    header.append('ratio')
    body = []
    for point in sorted(points):
        cells = [str(point[0]), str(point[1])]
        for m in modules:
            row = points[point].get(m)
            cells += [fmt(row and row['ns_per_call']), fmt(overhead(points, point, m))]
        ratio = '-'
        # Without relevant ops, both overheads are nothing but noise.
        if len(modules) > 1 and point[0]:
            ref, other = (overhead(points, point, m) for m in modules[:2])
            if ref and other:
                ratio = f'{other / ref:.3f}'
        body.append(cells + [ratio])
    widths = [max(len(c) for c in col) for col in zip(header, *body)]
    rule = '  '.join('=' * w for w in widths)

    def line(cells):
        return '  '.join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()

    return [rule, line(header), rule] + [line(c) for c in body] + [rule]


def plot(arch, rows, path, terminal='svg'):
    """Instructions per call against irrelevant ops, a line per module and relevant."""
    modules, points = grid(rows)
    irrelevant = sorted({i for _, i in points})
    relevant = sorted({r for r, _ in points})
    data, plots = [], []
    for mi, module in enumerate(modules):
        for ri, r in enumerate(relevant):
            block = f'$m{mi}r{r}'
            data.append(f'{block} << EOD')
            for x, i in enumerate(irrelevant):
                row = points.get((r, i), {}).get(module)
                if row:
                    data.append(f'{x} {row["ns_per_call"]:.1f}')
            data.append('EOD')
            plots.append(f'{block} using 1:2 with linespoints dashtype {mi + 1} '
                         f'linecolor {ri + 1} pointtype {mi * 6 + 7} '
                         f'title "{module}: {r} relevant" noenhanced')
    script = '\n'.join(data + [
        f'set terminal {terminal} size 900,620 font "sans,11" background "white"',
        f'set output "{path}"',
        f'set title "{arch}: instructions per call of the relevant tracee"',
        'set xlabel "irrelevant ops"',
        'set ylabel "instructions per call"',
        'set logscale y',
        'set key below maxrows 5 box',
        'set xtics (' + ', '.join(f'"{i}" {x}' for x, i in enumerate(irrelevant)) + ')',
        'set xrange [-0.2:' + f'{len(irrelevant) - 0.8}]',
        'plot ' + ', \\\n     '.join(plots),
    ]) + '\n'
    subprocess.run(['gnuplot'], input=script, text=True, check=True)


def stock_lines(arch, rows, stock):
    module = rows[0]['module']
    now, before = per_call(rows, module, (1, 0)), per_call(stock, module, (1, 0))
    return ['', f'Stock 6.12 {arch}, same configuration, for comparison: the numbers',
            f'that ``{COMMAND}`` gave before the {arch} call ops patch. With 1 relevant',
            f'ops, ``{module}`` costs {before:.1f} instructions per call there and',
            f'{now:.1f} here: {before / now:.2f} times fewer.', ''] + table_lines(stock)


def rst(runs, plot_dir, rst_path, stock):
    out = [
        '.. SPDX-License-Identifier: GPL-2.0',
        '',
        '.. This page is generated by tools/testing/callops/bench.py: run',
        f'   "{COMMAND}" to measure and write it again.',
        '',
        '=' * len(TITLE),
        TITLE,
        '=' * len(TITLE),
        '',
        'The tables compare ``samples/ftrace/ftrace-ops.c`` (``ftrace-ops``) with',
        'its Rust counterpart ``samples/rust/rust_ftrace_ops_bench.rs``',
        '(``rust_ftrace_ops_bench``). Each loads with ``nr_ops_relevant`` ops',
        'tracing the function it then calls 100000 times, and',
        '``nr_ops_irrelevant`` ops tracing another function. Both handlers',
        'return at once, so the cost measured is that of reaching them.',
        '',
        'The numbers are guest instructions per call: QEMU runs the guest with',
        '``-icount shift=0,sleep=off``, which makes a guest nanosecond one',
        'instruction, and each configuration is the fastest of three loads. The',
        'overhead of a configuration is its cost minus that of 0 relevant and 0',
        'irrelevant ops of the same module; the ratio is the Rust overhead over',
        'the C one. Produced by::',
        '',
        f'    {COMMAND}',
        '',
        'which also checks that every number is within 1% of this page, that the',
        'ratio is at most 1.05 for 1, 2 and 10 relevant ops, and, where the',
        'callsite calls its single ops directly (``DYNAMIC_FTRACE_WITH_CALL_OPS``),',
        'that 100 irrelevant ops add at most 5% to 1 relevant. Where the page',
        'shows stock 6.12 too, it checks that the C sample needs at least',
        f'{STOCK_FACTOR} times fewer instructions per call with 1 relevant ops.',
    ]
    for arch, rows in runs.items():
        direct = all(r['call_ops'] for r in rows if (r['relevant'], r['irrelevant']) == (1, 0))
        svg = f'callops-bench-{arch}.svg'
        plot(arch, rows, os.path.join(plot_dir, svg))
        out += ['', arch, '=' * len(arch), '',
                'With 1 relevant ops, the callsite ' +
                ('calls it directly (CALL_OPS).' if direct else
                 'goes through the list of all ops (no CALL_OPS).'),
                ''] + table_lines(rows) + [
                '', f'.. kernel-figure:: {svg}',
                f'   :alt: {arch}: instructions per call against irrelevant ops', '',
                f'   Instructions per call on {arch}: C (solid) and Rust (dashed).']
        if arch in stock:
            out += stock_lines(arch, rows, stock[arch])
    with open(rst_path, 'w') as f:
        f.write('\n'.join(out) + '\n')


def committed(rst_path):
    """{arch: {(relevant, irrelevant, module): instructions per call}} of the page."""
    tables, arch, modules, prev = {}, None, [], ''
    with open(rst_path) as f:
        for line in f:
            line = line.rstrip('\n')
            cells = line.split()
            if re.fullmatch(r'=+', line) and prev and not prev.startswith('='):
                arch = prev
            elif line.startswith('Stock '):
                arch = None
            elif cells[:2] == ['relevant', 'irrelevant']:
                modules = cells[2:-1:2]
            elif arch and len(cells) == 3 + 2 * len(modules) and \
                    all(c.isdigit() for c in cells[:2]):
                for m, value in zip(modules, cells[2::2]):
                    if value != '-':
                        key = (int(cells[0]), int(cells[1]), m)
                        tables.setdefault(arch, {})[key] = float(value)
            prev = line
    return tables


def record(results, name, ok):
    with open(results, 'a') as f:
        f.write(json.dumps({'name': name, 'status': 'PASS' if ok else 'FAIL'}) + '\n')


def compare_stock(arch, rows, stock, results):
    module = rows[0]['module']
    now, before = per_call(rows, module, (1, 0)), per_call(stock, module, (1, 0))
    ok = bool(now and before and before >= STOCK_FACTOR * now)
    print(f'bench: {arch} {module} 1+0: {now} instructions per call, stock {before}')
    record(results, f'{arch}.bench.{STOCK_FACTOR}x-fewer-than-stock', ok)
    return not ok


def compare(runs, rst_path, results, stock):
    expected = committed(rst_path)
    status = 0
    for arch, rows in runs.items():
        if arch in stock:
            status |= compare_stock(arch, rows, stock[arch], results)
        page = expected.get(arch, {})
        measured = {(r['relevant'], r['irrelevant'], r['module']): r['ns_per_call']
                    for r in rows}
        bad = [f'{k}: page has no row' for k in measured if k not in page]
        bad += [f'{k}: not measured' for k in page if k not in measured]
        for key, value in measured.items():
            if key in page and abs(value - page[key]) > TOLERANCE * page[key] + 0.05:
                bad.append(f'{key}: measured {value:.1f}, page {page[key]:.1f}')
        for b in bad:
            print(f'bench: {arch} {b}')
        record(results, f'{arch}.bench.matches-{os.path.basename(rst_path)}', not bad)
        status |= bool(bad)
    return status


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest='command', required=True)
    p = sub.add_parser('rst')
    p.add_argument('--json', required=True)
    p.add_argument('--rst', required=True)
    p.add_argument('--plot-dir')
    p.add_argument('--stock', action='append')
    p.add_argument('logs', nargs='+', metavar='ARCH=CONSOLE_LOG')
    p = sub.add_parser('compare')
    p.add_argument('--rst', required=True)
    p.add_argument('--results', required=True)
    p.add_argument('--stock', action='append')
    p.add_argument('logs', nargs='+', metavar='ARCH=CONSOLE_LOG')
    p = sub.add_parser('short')
    p.add_argument('logs', nargs=1, metavar='ARCH=CONSOLE_LOG')
    args = parser.parse_args()

    runs = load(args.logs)
    if args.command == 'rst':
        with open(args.json, 'w') as f:
            for rows in runs.values():
                for r in rows:
                    f.write(json.dumps(r) + '\n')
        rst(runs, args.plot_dir or os.path.dirname(args.rst), args.rst, load_stock(args.stock))
        print(f'bench: {sum(map(len, runs.values()))} measurements in {args.json}, '
              f'page {args.rst}')
        return 0
    if args.command == 'compare':
        return compare(runs, args.rst, args.results, load_stock(args.stock))
    for arch, rows in runs.items():
        print(f'{arch}, instructions per call (-icount):')
        print('\n'.join(table_lines(rows)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
