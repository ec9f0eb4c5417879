#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check the entry of every Rust function in a callops vmlinux.

ftrace patches a fixed number of bytes at each traceable function: with
call ops, the 8-byte literal before the function (the ops pointer) and the
two instructions at its entry.  What the kernel patches must be what the
compiler left there, NOPs of the size the kernel assumes: 4-byte ones on
arm64 and on riscv without compressed instructions, 2-byte ones on riscv
with them.  A Rust function whose entry holds NOPs of another size, or
another number of them, is corrupted by the first patch.  On arm64 the BTI
landing pad comes before the NOPs and pointer authentication and the
shadow call stack after them, so that ftrace_caller sees the caller's
return address as it was.

The expectations come from the build's .config.  A function is
"patchable" (the expected layout), "untraceable" (no NOP near its entry:
a notrace function), or "malformed" (anything else).  The check fails on
any malformed function, when fewer than half of the Rust functions are
patchable, and, on a hardened arm64 kernel, when no patchable function
shows the landing pad, the signing or the shadow stack push it must have.
Without CONFIG_RUST_FTRACE_CALLSITES (the toolchain cannot trace Rust
functions), no Rust function may be patchable instead.

  entry-layout.py BUILD_DIR     (exit status 0: as expected)
"""

import argparse
import os
import struct
import sys

ARM64_NOP = bytes.fromhex('1f2003d5')
ARM64_BTI_C = bytes.fromhex('5f2403d5')
ARM64_PACIASP = bytes.fromhex('3f2303d5')
ARM64_SCS_PUSH = bytes.fromhex('5e8600f8')    # str x30, [x18], #8
RISCV_NOP = bytes.fromhex('13000000')
RISCV_C_NOP = bytes.fromhex('0100')
LITERAL_SIZE = 8
ENTRY_SIZE = 8


def read_config(build):
    config = {}
    with open(os.path.join(build, '.config')) as f:
        for line in f:
            if line.startswith('CONFIG_') and '=' in line:
                key, value = line.rstrip('\n').split('=', 1)
                config[key] = value
    return config


def rust_functions(path):
    """Yield (name, bytes from LITERAL_SIZE before the entry) of each Rust
    function (v0 mangling, "_R") defined in the ELF64 little-endian file."""
    with open(path, 'rb') as f:
        elf = f.read()
    if elf[:6] != b'\x7fELF\x02\x01':
        raise ValueError(f'{path}: not a little-endian ELF64 file')
    shoff, = struct.unpack_from('<Q', elf, 0x28)
    shentsize, shnum = struct.unpack_from('<HH', elf, 0x3a)
    sections = [struct.unpack_from('<IIQQQQIIQQ', elf, shoff + i * shentsize)
                for i in range(shnum)]
    symtab = next(s for s in sections if s[1] == 2)     # SHT_SYMTAB
    strtab = sections[symtab[6]]
    for off in range(symtab[4], symtab[4] + symtab[5], symtab[9]):
        name_off, info, _, shndx, value, size = struct.unpack_from('<IBBHQQ', elf, off)
        if info & 0xf != 2 or shndx == 0 or shndx >= len(sections):  # STT_FUNC
            continue
        start = strtab[4] + name_off
        name = elf[start:elf.index(b'\0', start)].decode()
        if not name.startswith('_R'):
            continue
        _, sh_type, _, addr, offset, sh_size = sections[shndx][:6]
        if sh_type != 1 or value - LITERAL_SIZE < addr:  # SHT_PROGBITS
            continue
        at = offset + value - addr
        yield name, elf[at - LITERAL_SIZE:at + min(size, 32)]


def nops(nop, size):
    return nop * (size // len(nop))


class Layout:
    """What a patchable entry looks like under one configuration."""

    def __init__(self, config):
        if 'CONFIG_ARM64' in config:
            self.nop_kinds = [ARM64_NOP]
            self.bti = config.get('CONFIG_ARM64_BTI_KERNEL') == 'y'
            self.pac = config.get('CONFIG_ARM64_PTR_AUTH_KERNEL') == 'y'
            self.scs = config.get('CONFIG_SHADOW_CALL_STACK') == 'y'
        else:
            self.bti = self.pac = self.scs = False
            self.nop_kinds = [RISCV_NOP, RISCV_C_NOP]
        compressed = config.get('CONFIG_RISCV_ISA_C') == 'y'
        self.nop = RISCV_C_NOP if compressed else self.nop_kinds[0]
        self.description = (f'{LITERAL_SIZE // len(self.nop)}+{ENTRY_SIZE // len(self.nop)} '
                            f'NOPs of {len(self.nop)} bytes'
                            + (', BTI landing pad first' if self.bti else ''))

    def classify(self, code):
        """Return (kind, the instructions after the patch site)."""
        literal, entry = code[:LITERAL_SIZE], code[LITERAL_SIZE:]
        if self.bti and entry.startswith(ARM64_BTI_C):
            entry = entry[len(ARM64_BTI_C):]
        patch = entry[:ENTRY_SIZE]
        if literal == nops(self.nop, LITERAL_SIZE) and patch == nops(self.nop, ENTRY_SIZE):
            return 'patchable', entry[ENTRY_SIZE:]
        head = entry[:16]
        for nop in self.nop_kinds:
            if any(head[i:i + len(nop)] == nop for i in range(0, len(head), 2)):
                return 'malformed', None
        return 'untraceable', None


def check(build):
    """Return (ok, lines of explanation)."""
    config = read_config(build)
    layout = Layout(config)
    if config.get('CONFIG_RUST_FTRACE_CALLSITES') != 'y':
        return check_untraceable(build, layout)
    counts = {'patchable': 0, 'untraceable': 0, 'malformed': 0}
    signed = pushed = landing = 0
    malformed, untraceable = [], []
    for name, code in rust_functions(os.path.join(build, 'vmlinux')):
        kind, body = layout.classify(code)
        counts[kind] += 1
        if kind == 'malformed':
            malformed.append(f'{name}: {code.hex()}')
        elif kind == 'untraceable':
            untraceable.append(name)
        elif kind == 'patchable':
            landing += code[LITERAL_SIZE:].startswith(ARM64_BTI_C)
            signed += body.startswith(ARM64_PACIASP)
            pushed += ARM64_SCS_PUSH in body[:8]
    total = sum(counts.values())
    lines = [f'{total} Rust functions, expected layout {layout.description}: '
             + ', '.join(f'{n} {k}' for k, n in counts.items())]
    lines += [f'untraceable: {name}' for name in untraceable]
    problems = [f'malformed: {m}' for m in malformed[:10]]
    if total == 0 or counts['patchable'] * 2 < total:
        problems.append('fewer than half of the Rust functions are patchable')
    for wanted, count, what in [(layout.bti, landing, 'start with a BTI landing pad'),
                                (layout.pac, signed, 'sign their return address (paciasp)'
                                 ' right after the patch site'),
                                (layout.scs, pushed, 'push it to the shadow call stack'
                                 ' after the patch site')]:
        if wanted:
            lines.append(f'{count} patchable functions {what}')
            if not count:
                problems.append(f'no patchable function {what}')
    return not problems, lines + problems


def check_untraceable(build, layout):
    """Return (ok, lines) for a kernel whose Rust functions have no callsite:
    none may have the patchable layout (a NOP found in the first
    instructions of a function proves nothing here)."""
    total, patchable = 0, []
    for name, code in rust_functions(os.path.join(build, 'vmlinux')):
        total += 1
        if layout.classify(code)[0] == 'patchable':
            patchable.append(name)
    lines = [f'{total} Rust functions, no CONFIG_RUST_FTRACE_CALLSITES: '
             f'{len(patchable)} patchable']
    problems = [f'patchable: {name}' for name in patchable[:10]]
    if total == 0:
        problems.append('no Rust function')
    return not problems, lines + problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('build', help='the kernel build directory (O=)')
    args = parser.parse_args()
    ok, lines = check(args.build)
    for line in lines:
        print(f'entry-layout: {os.path.basename(os.path.normpath(args.build))}: {line}')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
