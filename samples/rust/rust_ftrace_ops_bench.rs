// SPDX-License-Identifier: GPL-2.0

//! Measures the cost of calling a traced function, like `samples/ftrace/ftrace-ops.c`.
//!
//! On load, registers `nr_ops_relevant` ops that trace one function and `nr_ops_irrelevant` ops
//! that trace another, calls the first `nr_function_calls` times and reports how long that took.
//! The parameters, the log lines and the result (fails to load with `EINVAL` unless `persist`)
//! are those of the C sample, so that both are driven and read the same way.

use core::sync::atomic::{AtomicU32, Ordering};
use kernel::{
    ftrace::{FtraceHandler, FtraceOps, FtraceRegs},
    prelude::*,
    time::Ktime,
};

module! {
    type: FtraceOpsBench,
    name: "rust_ftrace_ops_bench",
    author: "callops developers",
    description: "Rust counterpart of the ftrace_ops overhead benchmark",
    license: "GPL",
    params: {
        nr_function_calls: u32 {
            default: 100000,
            description: "How many times to call the relevant tracee",
        },
        nr_ops_relevant: u32 {
            default: 1,
            description: "How many ftrace_ops to associate with the relevant tracee",
        },
        nr_ops_irrelevant: u32 {
            default: 0,
            description: "How many ftrace_ops to associate with the irrelevant tracee",
        },
        save_regs: bool {
            default: false,
            description: "Register ops with FTRACE_OPS_FL_SAVE_REGS (unsupported: ignored)",
        },
        assist_recursion: bool {
            default: false,
            description: "Protect the handler against recursion (FtraceOps::new)",
        },
        assist_rcu: bool {
            default: false,
            description: "Only call the handler where RCU is watching (FtraceOps::new)",
        },
        check_count: bool {
            default: false,
            description: "Check that tracers are called the expected number of times",
        },
        persist: bool {
            default: false,
            description: "Stay loaded, with the ops registered, until the module is removed",
        },
    },
}

/// The function whose calls are timed.
#[inline(never)]
fn tracee_relevant() {
    // SAFETY: An `asm!` with only a comment does nothing; without `pure` the compiler must assume
    // that it has side effects, so it keeps every call, like `barrier()` in the C sample. The
    // comments differ so that the two tracees are not merged into one function.
    unsafe { core::arch::asm!("/* tracee_relevant */", options(nostack, preserves_flags)) };
}

/// The function that the irrelevant ops trace, and which is never called.
#[inline(never)]
fn tracee_irrelevant() {
    // SAFETY: As in `tracee_relevant()`.
    unsafe { core::arch::asm!("/* tracee_irrelevant */", options(nostack, preserves_flags)) };
}

/// A handler the benchmark registers.
trait BenchHandler: FtraceHandler + Default + 'static {
    /// How many calls the handler saw, if it counts them.
    fn calls(&self) -> Option<u32>;
}

/// Returns at once, to measure the cost of reaching the handler.
#[derive(Default)]
struct Nop;

impl FtraceHandler for Nop {
    fn handle(&self, _ip: usize, _parent_ip: usize, _regs: &FtraceRegs) {}
}

impl BenchHandler for Nop {
    fn calls(&self) -> Option<u32> {
        None
    }
}

/// Counts its calls, for `check_count`.
#[derive(Default)]
struct Counter(AtomicU32);

impl FtraceHandler for Counter {
    fn handle(&self, _ip: usize, _parent_ip: usize, _regs: &FtraceRegs) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

impl BenchHandler for Counter {
    fn calls(&self) -> Option<u32> {
        Some(self.0.load(Ordering::Relaxed))
    }
}

/// Registered ops that all trace the same function; unregistered when dropped.
struct OpsSet<H: BenchHandler>(KVec<Pin<KBox<FtraceOps<H>>>>);

impl<H: BenchHandler> OpsSet<H> {
    fn register(count: u32, tracee: fn(), protected: bool) -> Result<Self> {
        let mut set = KVec::with_capacity(count as usize, GFP_KERNEL)?;
        for _ in 0..count {
            let ops = if protected {
                KBox::pin_init(FtraceOps::new(H::default()), GFP_KERNEL)?
            } else {
                // SAFETY: The handlers call nothing, and use neither RCU nor their ops.
                let unprotected = unsafe { FtraceOps::new_unprotected(H::default()) };
                KBox::pin_init(unprotected, GFP_KERNEL)?
            };
            ops.add_filter_function(tracee as usize)?;
            ops.register()?;
            set.push(ops, GFP_KERNEL)?;
        }
        Ok(Self(set))
    }

    fn check(&self, expected: u32) {
        for ops in self.0.iter() {
            match ops.handler().calls() {
                Some(calls) if calls != expected => {
                    pr_warn!("Counter called {} times (expected {})\n", calls, expected);
                }
                _ => {}
            }
        }
    }
}

/// The ops of a run; they stay registered until the module is unloaded if `persist` is set.
enum Registered {
    Nop {
        _relevant: OpsSet<Nop>,
        _irrelevant: OpsSet<Nop>,
    },
    Counter {
        _relevant: OpsSet<Counter>,
        _irrelevant: OpsSet<Counter>,
    },
}

/// Registers the ops, times the calls and returns the ops, still registered.
fn run<H: BenchHandler>(protected: bool) -> Result<(OpsSet<H>, OpsSet<H>)> {
    let calls = module_parameters::nr_function_calls.get();
    let relevant = OpsSet::<H>::register(
        module_parameters::nr_ops_relevant.get(),
        tracee_relevant,
        protected,
    )?;
    let irrelevant = OpsSet::<H>::register(
        module_parameters::nr_ops_irrelevant.get(),
        tracee_irrelevant,
        protected,
    )?;

    let start = Ktime::ktime_get();
    for _ in 0..calls {
        tracee_relevant();
    }
    let period = (Ktime::ktime_get() - start).to_ns();

    relevant.check(calls);
    irrelevant.check(0);
    pr_info!(
        "Attempted {} calls to tracee_relevant in {}ns ({}ns / call)\n",
        calls,
        period,
        period / i64::from(calls.max(1)),
    );
    Ok((relevant, irrelevant))
}

struct FtraceOpsBench {
    _ops: Registered,
}

impl kernel::Module for FtraceOpsBench {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        if module_parameters::save_regs.get() {
            pr_info!("this kernel does not support saving registers\n");
        }
        // Without either, the handler is called as the C sample's is, but for preemption, which
        // is always disabled; with either, it gets the checks of both.
        let protected =
            module_parameters::assist_recursion.get() || module_parameters::assist_rcu.get();
        let check_count = module_parameters::check_count.get();

        pr_info!(
            "registering: relevant ops: {}, irrelevant ops: {}, tracer: {}, \
             assist recursion: {}, assist RCU: {}\n",
            module_parameters::nr_ops_relevant.get(),
            module_parameters::nr_ops_irrelevant.get(),
            if check_count { "count" } else { "nop" },
            module_parameters::assist_recursion.get(),
            module_parameters::assist_rcu.get(),
        );

        let ops = if check_count {
            let (_relevant, _irrelevant) = run::<Counter>(protected)?;
            Registered::Counter {
                _relevant,
                _irrelevant,
            }
        } else {
            let (_relevant, _irrelevant) = run::<Nop>(protected)?;
            Registered::Nop {
                _relevant,
                _irrelevant,
            }
        };

        if !module_parameters::persist.get() {
            // As in the C sample: the run is over, so fail the load rather than make the user
            // unload the module; dropping `ops` unregisters them.
            return Err(EINVAL);
        }
        Ok(Self { _ops: ops })
    }
}
