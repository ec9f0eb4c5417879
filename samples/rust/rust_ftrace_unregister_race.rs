// SPDX-License-Identifier: GPL-2.0

//! Tests the promise of `kernel::ftrace`: once `FtraceOps::unregister()` returns, no call of the
//! handler runs any more, nor starts, so the ops may be freed.
//!
//! Load it while userspace calls `getppid()` then `getuid()` in a loop on every CPU. Each of
//! `rounds` rounds registers a fresh ops on `getppid`, waits for its handler to count a call,
//! unregisters it, waits until `getuid` has been called `witness_calls` more times (counted by
//! an ops registered for the whole test), checks that the handler counted nothing meanwhile, and
//! frees the ops: a handler call on a freed ops is a use after free that KASAN reports. Each
//! traced function has an ops of its own, so both callsites call their ops directly where the
//! architecture has call ops. The functions are looked up once, by name, and every ops selects
//! them by address, so that a round's time goes to registering and unregistering, not to matching
//! a glob against every function.
//!
//! The load succeeds if no handler call came late; it fails with `EIO` if one did, and with
//! `ETIMEDOUT` if no call came in time.
//!
//! QEMU's multi-threaded TCG can leave a vCPU running a callsite's old instruction for seconds
//! after ftrace patched it (seen on arm64: a callsite patched to call ftrace, whose handler then
//! got no call at all while userspace made hundreds of thousands), so `make check` runs this test
//! in a guest with one TCG thread.

use core::sync::atomic::{AtomicU64, Ordering};
use kernel::{
    bindings, c_str,
    ftrace::{self, FtraceHandler, FtraceOps, FtraceRegs},
    prelude::*,
    time::Ktime,
};

module! {
    type: UnregisterRace,
    name: "rust_ftrace_unregister_race",
    author: "callops developers",
    description: "Checks that no ftrace handler call runs after unregister() returns",
    license: "GPL",
    params: {
        rounds: u32 {
            default: 1000,
            description: "How many ops to register, unregister and free",
        },
        witness_calls: u32 {
            default: 8,
            description: "Calls of getuid to wait for after each unregister()",
        },
    },
}

/// How long to wait for calls before giving up, in milliseconds.
const PATIENCE_MS: i64 = 10_000;

/// Counts its calls.
#[derive(Default)]
struct Counter(AtomicU64);

impl Counter {
    fn calls(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

impl FtraceHandler for Counter {
    fn handle(&self, _ip: usize, _parent_ip: usize, _regs: &FtraceRegs) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// Sleeps until `done()`, for at most [`PATIENCE_MS`].
fn wait_for(round: u32, what: &str, done: impl Fn() -> bool) -> Result {
    let start = Ktime::ktime_get();
    while !done() {
        if (Ktime::ktime_get() - start).to_ms() > PATIENCE_MS {
            pr_err!(
                "round {}: no {} in {} ms: is userspace calling?\n",
                round,
                what,
                PATIENCE_MS
            );
            return Err(Error::from_errno(-(bindings::ETIMEDOUT as i32)));
        }
        // SAFETY: Module init may sleep.
        unsafe { bindings::msleep(1) };
    }
    Ok(())
}

/// Registers an ops on `functions` that counts their calls.
fn counting_ops(functions: &[usize]) -> Result<Pin<KBox<FtraceOps<Counter>>>> {
    let ops = KBox::pin_init(FtraceOps::new(Counter::default()), GFP_KERNEL)?;
    ops.set_filter_functions(functions)?;
    ops.register()?;
    Ok(ops)
}

struct UnregisterRace;

impl kernel::Module for UnregisterRace {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let rounds = module_parameters::rounds.get();
        let witness_calls = u64::from(module_parameters::witness_calls.get());
        let witness = counting_ops(&ftrace::functions_matching(c_str!("*sys_getuid"))?)?;
        let getppid = ftrace::functions_matching(c_str!("*sys_getppid"))?;
        let (mut handled, mut late) = (0u64, 0u32);
        for round in 0..rounds {
            let ops = counting_ops(&getppid)?;
            wait_for(round, "call of getppid", || ops.handler().calls() > 0)?;
            ops.unregister()?;
            let calls = ops.handler().calls();
            let seen = witness.handler().calls();
            wait_for(round, "call of getuid", || {
                witness.handler().calls() >= seen + witness_calls
            })?;
            if ops.handler().calls() != calls {
                late += 1;
            }
            handled += ops.handler().calls();
            drop(ops);
        }
        pr_info!(
            "{} rounds, {} calls handled, {} after unregister()\n",
            rounds,
            handled,
            late
        );
        if late > 0 {
            return Err(EIO);
        }
        Ok(Self)
    }
}
