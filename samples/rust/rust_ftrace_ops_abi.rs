// SPDX-License-Identifier: GPL-2.0

//! Checks that tracing a Rust function never changes what it receives or returns.
//!
//! The Rust counterpart of `samples/ftrace/ftrace-ops-abi.c`. The tracees are Rust functions
//! that rustc's LLVM may give its fast calling convention (arguments after the eighth in t2-t6
//! on riscv): 9 to 16 `u64` arguments, `u128` arguments and return values, structs passed by
//! value in registers and by reference, pairs returned in two registers, a large struct returned
//! through memory, and one called through a pointer. Each returns a checksum in which every
//! argument counts at its own position.
//!
//! The module calls each tracee untraced, then traced by one `FtraceOps` and by two, then
//! untraced again, with the same random arguments; the handler clobbers every register a
//! function may leave changed. Every call must return what the first did, and each ops must
//! have seen every traced call: the module fails to load with `EINVAL` otherwise.

use core::hint::black_box;
use core::sync::atomic::{AtomicU64, Ordering};
use kernel::{
    c_str,
    ftrace::{FtraceHandler, FtraceOps, FtraceRegs},
    prelude::*,
    time::Ktime,
};

module! {
    type: FtraceOpsAbi,
    name: "rust_ftrace_ops_abi",
    author: "callops developers",
    description: "Checks that ftrace handlers leave every argument of a Rust function as it was",
    license: "GPL",
}

/// The arguments of every call, random, read at each call so that the compiler cannot know them.
static ARGS: [AtomicU64; 16] = [const { AtomicU64::new(0) }; 16];

fn arg(i: usize) -> u64 {
    ARGS[i].load(Ordering::Relaxed)
}

/// Every value changes the result, and none the same way as another.
fn checksum(values: &[u64]) -> u64 {
    values
        .iter()
        .zip(1u64..)
        .fold(0, |sum, (&value, position)| {
            sum.rotate_right(7) ^ value.wrapping_mul(2 * position - 1)
        })
}

/// Defines the tracees with `u64` arguments, called directly, and `call_direct()`, which calls
/// each with the arguments of the moment (`arg(i)` for the argument the list pairs with `i`).
macro_rules! direct_tracees {
    ($($name:ident($($arg:ident = $i:literal),+);)+) => {
        $(
            #[inline(never)]
            #[allow(clippy::too_many_arguments)]
            fn $name($($arg: u64),+) -> u64 {
                checksum(&[$($arg),+])
            }
        )+

        fn call_direct() -> [u64; 8] {
            [$($name($(arg($i)),+)),+]
        }
    };
}

direct_tracees! {
    tracee_9(a1 = 0, a2 = 1, a3 = 2, a4 = 3, a5 = 4, a6 = 5, a7 = 6, a8 = 7, a9 = 8);
    tracee_10(a1 = 0, a2 = 1, a3 = 2, a4 = 3, a5 = 4, a6 = 5, a7 = 6, a8 = 7, a9 = 8, a10 = 9);
    tracee_11(a1 = 0, a2 = 1, a3 = 2, a4 = 3, a5 = 4, a6 = 5, a7 = 6, a8 = 7, a9 = 8, a10 = 9,
              a11 = 10);
    tracee_12(a1 = 0, a2 = 1, a3 = 2, a4 = 3, a5 = 4, a6 = 5, a7 = 6, a8 = 7, a9 = 8, a10 = 9,
              a11 = 10, a12 = 11);
    tracee_13(a1 = 0, a2 = 1, a3 = 2, a4 = 3, a5 = 4, a6 = 5, a7 = 6, a8 = 7, a9 = 8, a10 = 9,
              a11 = 10, a12 = 11, a13 = 12);
    tracee_14(a1 = 0, a2 = 1, a3 = 2, a4 = 3, a5 = 4, a6 = 5, a7 = 6, a8 = 7, a9 = 8, a10 = 9,
              a11 = 10, a12 = 11, a13 = 12, a14 = 13);
    tracee_15(a1 = 0, a2 = 1, a3 = 2, a4 = 3, a5 = 4, a6 = 5, a7 = 6, a8 = 7, a9 = 8, a10 = 9,
              a11 = 10, a12 = 11, a13 = 12, a14 = 13, a15 = 14);
    tracee_16(a1 = 0, a2 = 1, a3 = 2, a4 = 3, a5 = 4, a6 = 5, a7 = 6, a8 = 7, a9 = 8, a10 = 9,
              a11 = 10, a12 = 11, a13 = 12, a14 = 13, a15 = 14, a16 = 15);
}

/// Called through a pointer, so that LLVM keeps the Rust convention, which passes nothing in
/// the temporaries.
#[inline(never)]
fn tracee_indirect(a: u64, b: u64, c: u64, d: u64, e: u64, f: u64, g: Pair) -> u64 {
    checksum(&[a, b, c, d, e, f, g.low, g.high])
}

/// Passed by value in two registers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Pair {
    low: u64,
    high: u64,
}

/// Passed and returned through memory.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Large([u64; 6]);

#[inline(never)]
fn tracee_wide(a: u128, b: u128, c: u128, d: u128, e: Pair, f: Pair, g: u128) -> u128 {
    let halves = |x: u128| [x as u64, (x >> 64) as u64];
    let [a0, a1] = halves(a);
    let [b0, b1] = halves(b);
    let [c0, c1] = halves(c);
    let [d0, d1] = halves(d);
    let sum = checksum(&[a0, a1, b0, b1, c0, c1, d0, d1, e.low, e.high, f.low, f.high]);
    (u128::from(sum) << 64 | u128::from(!sum)) ^ g
}

#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn tracee_large(a: Large, b: Large, c: u64, d: Pair, e: Pair, f: u64, g: u64, h: u64) -> Large {
    let mut out = a;
    for (i, word) in out.0.iter_mut().enumerate() {
        *word = checksum(&[*word, b.0[i], c, d.low, d.high, e.low, e.high, f, g, h]);
    }
    out
}

#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn tracee_pair(a: u64, b: u64, c: u64, d: u64, e: u64, f: u64, g: u64, h: u64, i: u64) -> Pair {
    Pair {
        low: checksum(&[a, b, c, d, e, f, g, h, i]),
        high: checksum(&[i, h, g, f, e, d, c, b, a]),
    }
}

/// What one round of calls returned.
#[derive(PartialEq, Eq, Debug)]
struct Results {
    direct: [u64; 8],
    indirect: u64,
    wide: u128,
    large: Large,
    pair: Pair,
}

/// Calls every tracee once, with the arguments of the moment.
fn call_tracees() -> Results {
    let wide = |i: usize| u128::from(arg(i)) << 64 | u128::from(arg(i + 1));
    let pair = |i: usize| Pair {
        low: arg(i),
        high: arg(i + 1),
    };
    let large = |i: usize| Large(core::array::from_fn(|j| arg(i + j)));
    let indirect = black_box(tracee_indirect as fn(_, _, _, _, _, _, _) -> u64);
    Results {
        direct: call_direct(),
        indirect: indirect(arg(0), arg(1), arg(2), arg(3), arg(4), arg(5), pair(6)),
        wide: tracee_wide(
            wide(0),
            wide(2),
            wide(4),
            wide(6),
            pair(8),
            pair(10),
            wide(12),
        ),
        large: tracee_large(
            large(0),
            large(6),
            arg(12),
            pair(13),
            pair(1),
            arg(14),
            arg(15),
            arg(3),
        ),
        pair: tracee_pair(
            arg(0),
            arg(2),
            arg(4),
            arg(6),
            arg(8),
            arg(10),
            arg(12),
            arg(14),
            arg(15),
        ),
    }
}

/// How many tracees `call_tracees()` calls.
const NR_TRACEES: u64 = 12;

/// Counts its calls, then overwrites every register a function may leave changed.
#[derive(Default)]
struct CountAndClobber(AtomicU64);

impl FtraceHandler for CountAndClobber {
    fn handle(&self, _ip: usize, _parent_ip: usize, _regs: &FtraceRegs) {
        self.0.fetch_add(1, Ordering::Relaxed);
        clobber();
    }
}

/// Writes -1 to the registers a call may change: arm64's x0-x17 (not x18, the shadow call
/// stack's pointer), riscv's t0-t6 and a0-a7.
#[inline(always)]
fn clobber() {
    #[cfg(CONFIG_ARM64)]
    // SAFETY: Writes only the registers it declares as outputs.
    unsafe {
        core::arch::asm!(
            "mov x0, #-1", "mov x1, #-1", "mov x2, #-1", "mov x3, #-1", "mov x4, #-1",
            "mov x5, #-1", "mov x6, #-1", "mov x7, #-1", "mov x8, #-1", "mov x9, #-1",
            "mov x10, #-1", "mov x11, #-1", "mov x12, #-1", "mov x13, #-1", "mov x14, #-1",
            "mov x15, #-1", "mov x16, #-1", "mov x17, #-1",
            out("x0") _, out("x1") _, out("x2") _, out("x3") _, out("x4") _, out("x5") _,
            out("x6") _, out("x7") _, out("x8") _, out("x9") _, out("x10") _, out("x11") _,
            out("x12") _, out("x13") _, out("x14") _, out("x15") _, out("x16") _, out("x17") _,
            options(nomem, nostack),
        )
    };
    #[cfg(CONFIG_RISCV)]
    // SAFETY: Writes only the registers it declares as outputs.
    unsafe {
        core::arch::asm!(
            "li t0, -1", "li t1, -1", "li t2, -1", "li t3, -1", "li t4, -1", "li t5, -1",
            "li t6, -1", "li a0, -1", "li a1, -1", "li a2, -1", "li a3, -1", "li a4, -1",
            "li a5, -1", "li a6, -1", "li a7, -1",
            out("t0") _, out("t1") _, out("t2") _, out("t3") _, out("t4") _, out("t5") _,
            out("t6") _, out("a0") _, out("a1") _, out("a2") _, out("a3") _, out("a4") _,
            out("a5") _, out("a6") _, out("a7") _,
            options(nomem, nostack),
        )
    };
}

/// Calls the tracees with `nr_ops` ops tracing them; false if anything went wrong.
fn traced_calls_match(expected: &Results, nr_ops: usize) -> Result<bool> {
    let mut tracers = KVec::new();
    for _ in 0..nr_ops {
        let ops = KBox::pin_init(FtraceOps::new(CountAndClobber::default()), GFP_KERNEL)?;
        ops.set_filter(c_str!("*rust_ftrace_ops_abi*tracee_*"))?;
        tracers.push(ops, GFP_KERNEL)?;
    }
    for ops in &tracers {
        ops.register()?;
    }
    let results = call_tracees();
    for ops in &tracers {
        ops.unregister()?;
    }

    let mut ok = results == *expected;
    if !ok {
        pr_err!("traced by {nr_ops} ops: {results:?}, untraced: {expected:?}\n");
    }
    for (i, ops) in tracers.iter().enumerate() {
        let seen = ops.handler().0.load(Ordering::Relaxed);
        if seen != NR_TRACEES {
            pr_err!("ops {i} of {nr_ops} saw {seen} calls of {NR_TRACEES}\n");
            ok = false;
        }
    }
    Ok(ok)
}

struct FtraceOpsAbi;

impl kernel::Module for FtraceOpsAbi {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let mut state = Ktime::ktime_get().to_ns() as u64 | 1;
        for value in &ARGS {
            // xorshift64: arguments that differ from boot to boot, and from each other.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            value.store(state, Ordering::Relaxed);
        }

        let expected = call_tracees();
        let ok = traced_calls_match(&expected, 1)? & traced_calls_match(&expected, 2)?;
        let again = call_tracees();
        if again != expected {
            pr_err!("untraced again: {again:?}, first: {expected:?}\n");
        }
        if ok && again == expected {
            Ok(FtraceOpsAbi)
        } else {
            Err(EINVAL)
        }
    }
}
