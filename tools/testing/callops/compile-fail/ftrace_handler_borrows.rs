// SPDX-License-Identifier: GPL-2.0

//! Must not build: a handler that borrows a local variable. Its ops, leaked, stays registered
//! after the variable is gone, and every traced call would write into a dead stack slot.
//!
//! compile-fail: E0478 impl FtraceHandler for Borrowing

use core::sync::atomic::{AtomicU32, Ordering};
use kernel::{
    c_str,
    ftrace::{FtraceHandler, FtraceOps, FtraceRegs},
    prelude::*,
};

module! {
    type: Probe,
    name: "ftrace_handler_borrows",
    license: "GPL",
}

struct Borrowing<'a>(&'a AtomicU32);

impl FtraceHandler for Borrowing<'_> {
    fn handle(&self, _ip: usize, _parent_ip: usize, _regs: &FtraceRegs) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

struct Probe;

impl kernel::Module for Probe {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let hits = AtomicU32::new(0);
        let ops = KBox::pin_init(FtraceOps::new(Borrowing(&hits)), GFP_KERNEL)?;
        ops.set_filter(c_str!("vfs_read"))?;
        ops.register()?;
        core::mem::forget(ops);
        Ok(Probe)
    }
}
