#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the console logs of benchmark boots into the overhead tables.

ftrace_ops_bench prints one line per module and configuration:

  # bench module=M relevant=R irrelevant=I calls=C ns=T call_ops=0|1[ ops_set_bytes=B]

and tracing_cost one per tool that traces getppid():

  # cost tool=T calls=C ns=N

Under "-icount shift=0,sleep=off" a guest nanosecond is a guest instruction,
so T / C and N / C are instructions per call.  B is the size of the set of
ops that the relevant tracee's callsite calls, where it calls one.

  bench.py rst --json OUT --rst RST [--stock JSONL...] ARCH=LOG...
      write the measurements as JSON lines, and the .rst page with a table
      and a gnuplot SVG plot per arch, and the table of the stock kernel,
      with where it came from, for the arches with a --stock file
  bench.py compare --rst RST --results RESULTS [--stock JSONL...] ARCH=LOG...
      record one test per arch: every measurement is within 1% of the
      committed page's (and the page has no row that was not measured);
      and one per arch with a --stock file: with 1 relevant ops the C
      sample costs at least STOCK_FACTOR times fewer instructions per call
      than on stock, or, where stock already calls the ops directly, it
      costs no more than on stock in any configuration (compare_stock())
  bench.py stock --json OUT --target T --linux-source V --base-tree TREE
                 --config C --toolchain CC --qemu Q ARCH=LOG
      write the stock kernel's measurements as JSON lines, after a first
      line that records where they came from (stock.sh, for "make stock"):
      the C sample's matrix, compared with, and the rows with module
      parameters (a direct trampoline), shown beside this kernel's
  bench.py short ARCH=LOG
      print the tables of what "make run" measures

A stock file's first line is {"provenance": {...}}: the arch, the Debian
package version, the git tree of the pristine source (tag "base" of the
tree prepare-tree.sh keeps; a tree id, so the same source gives the same
id wherever it was extracted), "patches": "none", the configuration, the
compiler and linker that built it, the QEMU that ran it, the make target
that wrote the file and the date.  The rows after it are those "bench.py
rst --json" writes.
"""

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import textwrap

BENCH_LINE = re.compile(r'# bench module=(?P<module>\S+) relevant=(?P<relevant>\d+) '
                        r'irrelevant=(?P<irrelevant>\d+) calls=(?P<calls>\d+) '
                        r'ns=(?P<ns>\d+) call_ops=(?P<call_ops>[01])'
                        r'(?: ops_set_bytes=(?P<ops_set_bytes>\d+))?'
                        r'(?: params=(?P<params>\S+))?')
COST_LINE = re.compile(r'# cost tool=(?P<tool>[\w-]+) calls=(?P<calls>\d+) ns=(?P<ns>\d+)')
# The tools of tracing_cost, in the order of its table.
TOOLS = ['untraced', 'function-tracer', 'kprobe-event', 'rust-tracer-counting',
         'rust-tracer-events']
TOLERANCE = 0.01
# riscv's call ops cost 56 instructions per call where stock 6.12 costs 160;
# 10 of them save and restore t2-t6, which stock leaves to the handlers
# although a traced function may take arguments there.
STOCK_FACTOR = 2.5
COMMAND = 'make bench'
# What writes the stock files (tools/testing/callops/stock.sh).
STOCK_COMMAND = 'make stock'
TITLE = 'Cost of ftrace_ops handlers: C and Rust, per architecture'


def measurements(arch, log):
    """The ftrace_ops_bench rows of a log, then its other rows: tracing_cost's
    (with a 'tool') and ftrace_ops_bench's with module parameters (with 'params')."""
    rows, costs = [], []
    with open(log, errors='backslashreplace') as f:
        for line in f:
            match = COST_LINE.search(line)
            if match:
                calls = int(match['calls'])
                costs.append({'arch': arch, 'tool': match['tool'], 'calls': calls,
                              'ns_per_call': int(match['ns']) / calls})
                continue
            match = BENCH_LINE.search(line)
            if not match:
                continue
            calls = int(match['calls'])
            row = {
                'arch': arch,
                'module': match['module'],
                'relevant': int(match['relevant']),
                'irrelevant': int(match['irrelevant']),
                'calls': calls,
                'ns_per_call': int(match['ns']) / calls,
                'call_ops': match['call_ops'] == '1',
            }
            if match['ops_set_bytes']:
                row['ops_set_bytes'] = int(match['ops_set_bytes'])
            if match['params']:
                costs.append(dict(row, params=match['params']))
            else:
                rows.append(row)
    return rows, costs


def load(specs):
    """{arch: ftrace_ops_bench rows}, {arch: tracing_cost rows}."""
    runs, costs = {}, {}
    for spec in specs:
        arch, log = spec.split('=', 1)
        rows, costs[arch] = measurements(arch, log)
        if not rows:
            sys.exit(f'bench: no measurements in {log}')
        runs[arch] = rows
    return runs, costs


def load_stock(paths):
    """{arch: rows}, {arch: provenance} of the files "bench.py stock" wrote.

    A file without its provenance line is refused: the page must say where
    every stock number came from, and only make stock writes one.
    """
    stock, provenance = {}, {}
    for path in paths or []:
        with open(path) as f:
            lines = [json.loads(line) for line in f if line.strip()]
        if not lines or 'provenance' not in lines[0]:
            sys.exit(f'bench: {path} has no provenance line: run "{STOCK_COMMAND}"')
        arch = lines[0]['provenance']['arch']
        provenance[arch] = lines[0]['provenance']
        stock[arch] = lines[1:]
        if not stock[arch] or any(r['arch'] != arch for r in stock[arch]):
            sys.exit(f'bench: {path}: no measurements of {arch}, or another arch\'s')
    return stock, provenance


def without_params(rows):
    return [r for r in rows if 'params' not in r]


def write_stock(path, arch, rows, provenance):
    """The stock file: the provenance line, then one line per measurement."""
    with open(path, 'w') as f:
        f.write(json.dumps({'provenance': {'arch': arch, **provenance}}) + '\n')
        for r in rows:
            f.write(json.dumps(r) + '\n')


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
    # The second module's overhead over the first's.
    if len(modules) > 1:
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
        body.append(cells + [ratio] if len(modules) > 1 else cells)
    return simple_table(header, body)


def simple_table(header, body):
    """An rst simple table of @header and the rows of @body, as lines."""
    widths = [max(len(c) for c in col) for col in zip(header, *body)]
    rule = '  '.join('=' * w for w in widths)

    def line(cells):
        return '  '.join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()

    return [rule, line(header), rule] + [line(c) for c in body] + [rule]


def variant_lines(rows, variants):
    """The table of the measurements with module parameters, beside those without."""
    body = []
    for v in variants:
        point = (v['relevant'], v['irrelevant'])
        without = per_call(rows, v['module'], point)
        extra = v['ns_per_call'] - without if without is not None else None
        body.append([v['module'], v['params'], f'{point[0]}+{point[1]}',
                     fmt(v['ns_per_call']), fmt(without), fmt(extra)])
    return simple_table(['module', 'parameters', 'ops', 'per call', 'without', 'extra'], body)


# The relevant ops whose set's size the page shows, with no irrelevant ops.
OPS_SET_RELEVANT = (2, 10, 100)
OPS_SET_KEY = 'ops-set-bytes'


def ops_set_sizes(rows):
    """{(OPS_SET_KEY, module, relevant): bytes} of the sets the tracee calls."""
    return {(OPS_SET_KEY, r['module'], r['relevant']): r['ops_set_bytes'] for r in rows
            if 'ops_set_bytes' in r and r['irrelevant'] == 0
            and r['relevant'] in OPS_SET_RELEVANT}


def ops_set_lines(rows):
    """The table of the sizes of the sets of ops the relevant tracee calls."""
    body = [[module, f'{relevant}+0', str(size)]
            for (_, module, relevant), size in ops_set_sizes(rows).items()]
    return simple_table(['module', 'ops', 'set bytes'], body) if body else []


def cost_lines(costs):
    """The table of tracing_cost: per call, over untraced, over the function tracer's."""
    per_call = {c['tool']: c['ns_per_call'] for c in costs if 'tool' in c}
    untraced = per_call.get('untraced')
    function = per_call.get('function-tracer')
    body = []
    for tool in TOOLS:
        value = per_call.get(tool)
        extra = value - untraced if value is not None and untraced is not None else None
        ratio = '-'
        if tool != 'untraced' and extra is not None and function is not None:
            ratio = f'{extra / (function - untraced):.3f}'
        body.append([tool, fmt(value), fmt(extra if tool != 'untraced' else None), ratio])
    return simple_table(['tool', 'per call', 'overhead', 'function tracer\'s'], body)


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


def stock_direct(stock):
    """Whether stock's callsite calls its single relevant ops directly."""
    return any(r['call_ops'] for r in stock if (r['relevant'], r['irrelevant']) == (1, 0))


def stock_variant_lines(costs, stock):
    """Stock's measurements with module parameters (the direct trampoline)
    beside the same here, matched by parameters and configuration."""
    here = {(c['params'], c['relevant'], c['irrelevant']): c
            for c in costs if 'params' in c}
    body = []
    for v in stock:
        if 'params' not in v:
            continue
        mine = here.get((v['params'], v['relevant'], v['irrelevant']))
        now = mine['ns_per_call'] if mine else None
        body.append([v['module'], v['params'], f'{v["relevant"]}+{v["irrelevant"]}',
                     fmt(v['ns_per_call']), fmt(now),
                     fmt(now - v['ns_per_call'] if now is not None else None)])
    return simple_table(['stock module', 'parameters', 'ops', 'stock', 'here', 'extra'], body)


def stock_lines(arch, rows, costs, stock, provenance):
    """The stock tables, after where they came from: all from the stock file."""
    variants = [r for r in stock if 'params' in r]
    stock = without_params(stock)
    module = stock[0]['module']
    now, before = per_call(rows, module, (1, 0)), per_call(stock, module, (1, 0))
    p = provenance
    text = (f'Stock 6.12 {arch}, for comparison, as ``{p["target"]}`` measured it '
            f'(``tools/testing/callops/stock-6.12-{arch}.jsonl``). With 1 relevant '
            f'ops, ``{module}`` costs {before:.1f} instructions per call there and '
            f'{now:.1f} here')
    if stock_direct(stock):
        text += (f': stock 6.12 already calls a single ops directly on {arch} '
                 '(``DYNAMIC_FTRACE_WITH_CALL_OPS``).')
    else:
        text += f': {before / now:.2f} times fewer.'
    fields = [
        ('source', f'Debian\'s linux-source-6.12 {p["linux_source"]}, patches: '
                   f'{p["patches"]} (git tree {p["base_tree"]})'),
        ('configuration', p['config']),
        ('built by', p['toolchain']),
        ('run by', p['qemu']),
        ('measured', p['date']),
    ]
    out = [''] + textwrap.wrap(text, 72, break_on_hyphens=False) + ['']
    for name, value in fields:
        out += textwrap.wrap(f':{name}: {value}', 72, subsequent_indent='    ',
                             break_on_hyphens=False)
    out += [''] + table_lines(stock)
    if variants:
        text = ('The same kernel with a direct trampoline on the relevant tracee, '
                'instructions per call, beside this project\'s (the module parameters '
                'table above). Stock\'s ``ftrace-ops`` sample cannot call one, so '
                f'``{STOCK_COMMAND}`` builds this project\'s sample against stock, as '
                '``ftrace-ops-direct``.')
        out += [''] + textwrap.wrap(text, 72, break_on_hyphens=False) + [''] + \
            stock_variant_lines(costs, variants)
    return out


def rst(runs, costs, plot_dir, rst_path, stock, provenance):
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
        'that 100 irrelevant ops add at most 2% to 1, 2, 10 or 100 relevant ones,',
        'and that 2, 10 and 100 relevant ops cost at most 1.5, 4 and 25 times one:',
        'with several ops, the callsite calls the set of them',
        '(``Documentation/trace/ftrace-ops-sets.rst``). Each arch ends',
        f'with stock 6.12, as ``{STOCK_COMMAND}`` measured it with no patches (the',
        'C sample only: stock has no Rust ``ftrace_ops``). Where stock goes',
        'through the list of all ops, the C sample with 1 relevant ops must need',
        f'at least {STOCK_FACTOR} times fewer instructions per call than on stock;',
        'where stock already calls the ops directly, it must need no more than',
        'on stock (within 1%) in any configuration.',
        '',
        'Under each arch\'s tables, what tracing one function costs with each',
        'tool a user could trace it with: ``getppid()`` called 10000 times, the',
        'fastest of three runs (``tools/testing/selftests/callops/tracing_cost.c``),',
        'untraced, with the function tracer filtered on it, with a kprobe event on',
        'its first instruction, and with the Rust sample tracer',
        '(``samples/rust/rust_callops_tracer.rs``) counting its calls, then also',
        'writing an event line for each. The overhead is the cost over untraced,',
        'and the last column that overhead over the function tracer\'s. Each',
        'tool must have seen every call; a tool the kernel does not allow on the',
        'function (riscv keeps kprobes off the callsite ftrace patches) shows',
        '``-``.',
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
        sets = ops_set_lines(rows)
        if sets:
            out += ['', f'The set of ops the relevant tracee\'s callsite calls on {arch}, in',
                    'bytes (one set: the irrelevant ops each trace their own function alone):',
                    ''] + sets
        variants = [c for c in costs.get(arch, []) if 'params' in c]
        if variants:
            out += ['', f'The same with module parameters on {arch}, instructions per call,',
                    'beside the cost without them:', ''] + variant_lines(rows, variants)
        if any('tool' in c for c in costs.get(arch, [])):
            out += ['', f'``getppid()`` on {arch}, instructions per call:', ''] + \
                cost_lines(costs[arch])
        if arch in stock:
            out += stock_lines(arch, rows, costs.get(arch, []), stock[arch], provenance[arch])
    with open(rst_path, 'w') as f:
        f.write('\n'.join(out) + '\n')


def committed(rst_path):
    """{arch: {(relevant, irrelevant, module) or tool: instructions per call}} of the page."""
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
            elif arch and len(cells) == 4 and cells[0] in TOOLS:
                if cells[1] != '-':
                    tables.setdefault(arch, {})[cells[0]] = float(cells[1])
            elif arch and len(cells) == 3 and re.fullmatch(r'\d+\+0', cells[1]) and \
                    cells[2].isdigit():
                key = (OPS_SET_KEY, cells[0], int(cells[1].split('+')[0]))
                tables.setdefault(arch, {})[key] = int(cells[2])
            elif arch and len(cells) == 6 and re.fullmatch(r'\d+\+\d+', cells[2]):
                relevant, irrelevant = map(int, cells[2].split('+'))
                key = (cells[0], cells[1], relevant, irrelevant)
                tables.setdefault(arch, {})[key] = float(cells[3])
            elif arch and len(cells) == 2 + 2 * len(modules) + (len(modules) > 1) and \
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
    """The C sample against stock 6.12's.

    Where stock's callsite goes through the list of all ops (riscv: 6.12 has
    no call ops there), the call ops of this repository must make 1 relevant
    ops at least STOCK_FACTOR times cheaper.  Where stock already calls the
    ops directly (arm64, which has had DYNAMIC_FTRACE_WITH_CALL_OPS for C
    since 6.8), there is nothing to gain for C and no factor would mean
    anything: the patches must cost C users nothing instead, so no
    configuration of the C sample may cost more than on stock, within the
    tolerance of the page.  Which of the two applies is read from stock's
    own measurement, not from the arch's name.
    """
    module = stock[0]['module']
    now, before = per_call(rows, module, (1, 0)), per_call(stock, module, (1, 0))
    print(f'bench: {arch} {module} 1+0: {now} instructions per call, stock {before}')
    if not stock_direct(stock):
        ok = bool(now and before and before >= STOCK_FACTOR * now)
        record(results, f'{arch}.bench.{STOCK_FACTOR}x-fewer-than-stock', ok)
        return not ok
    bad = []
    for r in stock:
        point = (r['relevant'], r['irrelevant'])
        value = per_call(rows, module, point)
        if value is None or value > r['ns_per_call'] * (1 + TOLERANCE) + 0.05:
            bad.append(f'{module} {point[0]}+{point[1]}: {value}, stock {r["ns_per_call"]}')
    for b in bad:
        print(f'bench: {arch} dearer than stock: {b}')
    record(results, f'{arch}.bench.not-dearer-than-stock', not bad)
    return bool(bad)


def compare(runs, costs, rst_path, results, stock):
    expected = committed(rst_path)
    status = 0
    for arch, rows in runs.items():
        if arch in stock:
            status |= compare_stock(arch, rows, stock[arch], results)
        page = expected.get(arch, {})
        measured = {(r['relevant'], r['irrelevant'], r['module']): r['ns_per_call']
                    for r in rows}
        measured.update(ops_set_sizes(rows))
        for c in costs.get(arch, []):
            key = c['tool'] if 'tool' in c else \
                (c['module'], c['params'], c['relevant'], c['irrelevant'])
            measured[key] = c['ns_per_call']
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
    p = sub.add_parser('stock')
    p.add_argument('--json', required=True)
    p.add_argument('--target', required=True, help='what ran this (make stock)')
    p.add_argument('--linux-source', required=True, help='the Debian package version')
    p.add_argument('--base-tree', required=True, help='git tree id of the source')
    p.add_argument('--config', required=True, help='how the configuration differs')
    p.add_argument('--toolchain', required=True, help='compiler and linker, as built')
    p.add_argument('--qemu', required=True, help='the QEMU version line')
    p.add_argument('logs', nargs=1, metavar='ARCH=CONSOLE_LOG')
    p = sub.add_parser('short')
    p.add_argument('logs', nargs=1, metavar='ARCH=CONSOLE_LOG')
    args = parser.parse_args()

    runs, costs = load(args.logs)
    if args.command == 'rst':
        with open(args.json, 'w') as f:
            for arch, rows in runs.items():
                for r in rows + costs[arch]:
                    f.write(json.dumps(r) + '\n')
        rst(runs, costs, args.plot_dir or os.path.dirname(args.rst), args.rst,
            *load_stock(args.stock))
        count = sum(len(runs[a]) + len(costs[a]) for a in runs)
        print(f'bench: {count} measurements in {args.json}, page {args.rst}')
        return 0
    if args.command == 'compare':
        stock = {arch: without_params(rows) for arch, rows in load_stock(args.stock)[0].items()}
        return compare(runs, costs, args.rst, args.results, stock)
    if args.command == 'stock':
        (arch, rows), = runs.items()
        variants = [c for c in costs[arch] if 'params' in c]
        write_stock(args.json, arch, rows + variants, {
            'linux_source': args.linux_source, 'base_tree': args.base_tree,
            'patches': 'none', 'config': args.config, 'toolchain': args.toolchain,
            'qemu': args.qemu, 'target': args.target,
            'date': datetime.datetime.now(datetime.timezone.utc).date().isoformat(),
        })
        print(f'bench: {len(rows)} stock {arch} measurements in {args.json}, 1+0: '
              f'{per_call(rows, rows[0]["module"], (1, 0))} instructions per call')
        return 0
    for arch, rows in runs.items():
        print(f'{arch}, instructions per call (-icount):')
        print('\n'.join(table_lines(rows)))
        if any('tool' in c for c in costs[arch]):
            print(f'{arch}, getppid(), instructions per call (-icount):')
            print('\n'.join(cost_lines(costs[arch])))
    return 0


if __name__ == '__main__':
    sys.exit(main())
