#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that the riscv ABI tracees really take arguments in t2-t6.

samples/ftrace/ftrace-ops-abi.c and samples/rust/rust_ftrace_ops_abi.rs
check that tracing leaves every argument of their tracees as it was.  On
riscv that means something only if the compiler passed the arguments after
the eighth in registers the C convention does not use, as LLVM's fastcc
does for a function whose address is never taken: clang in t2-t6, rustc's
newer LLVM in t3-t6 (t2 is kept for the static chain and landing pads).

Disassemble the tracees of both built modules.  The tracee with 16
arguments shows how many of t2-t6 the compiler passes arguments in (K: at
least 4); each tracee with N arguments must read min(N - 8, K) of them
before writing them, and the one called through a pointer none.

  fastcc-args.py BUILD_DIR      (exit status 0: as expected)
"""

import os
import re
import subprocess
import sys

FASTCC_REGS = ['t2', 't3', 't4', 't5', 't6']
MODULES = ['samples/ftrace/ftrace-ops-abi.ko', 'samples/rust/rust_ftrace_ops_abi.ko']
# A tracee's symbol: C's name, or the end of a Rust (v0) mangled one.
TRACEE = re.compile(r'(?:^ftrace_ops_abi_|\d)tracee_(\d+|indirect)$')
# Instructions whose first operand is read, not written.
NO_DESTINATION = re.compile(r'^(s[bhwd]|c\.s[wd](sp)?|b\w*|c\.b\w*|j|jr|c\.jr|ret|fence\S*)$')
INSTRUCTION = re.compile(r'^\s*[0-9a-f]+:\s+(?:[0-9a-f]{2} )+\s*(\S+)\s*(.*)$')


def disassemble(path, symbol):
    out = subprocess.run(['llvm-objdump', '-d', f'--disassemble-symbols={symbol}', path],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        match = INSTRUCTION.match(line)
        if match:
            yield match.group(1), [op.strip() for op in
                                   re.split(r'[,()]', match.group(2).split('<')[0]) if op.strip()]


def read_before_written(instructions):
    """The registers of FASTCC_REGS an instruction reads before any writes them."""
    read, written = set(), set()
    for mnemonic, operands in instructions:
        sources = operands if NO_DESTINATION.match(mnemonic) else operands[1:]
        read |= {reg for reg in sources if reg in FASTCC_REGS and reg not in written}
        if not NO_DESTINATION.match(mnemonic) and operands:
            written.add(operands[0])
    return read


def tracees(path):
    """{number of arguments, or 'indirect': symbol} of a module's tracees."""
    nm = subprocess.run(['llvm-nm', '--defined-only', path],
                        capture_output=True, text=True, check=True).stdout
    found = {}
    for line in nm.splitlines():
        symbol = line.split()[-1]
        match = TRACEE.search(symbol)
        if match:
            kind = match.group(1)
            found[int(kind) if kind.isdigit() else kind] = symbol
    return found


def check(path):
    """Return the problems found in one module, and what it found."""
    found = tracees(path)
    expected = list(range(9, 17)) + ['indirect']
    if sorted(found, key=str) != sorted(expected, key=str):
        return [f'tracees {sorted(found, key=str)}, expected {expected}'], []
    regs = {kind: read_before_written(disassemble(path, symbol))
            for kind, symbol in found.items()}
    fast = len(regs[16])
    lines = [f'tracee_{kind}: reads {", ".join(sorted(regs[kind])) or "none of t2-t6"}'
             for kind in expected]
    problems = [] if fast >= 4 else [f'tracee_16 reads {fast} of t2-t6: no fastcc?']
    for kind in expected:
        want = 0 if kind == 'indirect' else min(kind - 8, fast)
        if len(regs[kind]) != want:
            problems.append(f'tracee_{kind} reads {len(regs[kind])} of t2-t6, expected {want}')
    return problems, lines


def main():
    build = sys.argv[1]
    name = os.path.basename(os.path.normpath(build))
    failed = False
    for module in MODULES:
        problems, lines = check(os.path.join(build, module))
        for line in lines + problems:
            print(f'fastcc-args: {name}: {os.path.basename(module)}: {line}')
        failed |= bool(problems)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
