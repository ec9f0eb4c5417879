// SPDX-License-Identifier: GPL-2.0

//! Must build: the probes next to it with `'static` data instead of borrowed, so that their
//! failures come from the borrows alone.

use core::{
    fmt::Write,
    sync::atomic::{AtomicU32, Ordering},
};
use kernel::{
    c_str,
    ftrace::{FtraceHandler, FtraceOps, FtraceRegs},
    prelude::*,
    sync::Arc,
    tracefs::{Dir, File, FileOps, Output},
};

module! {
    type: Control,
    name: "compile_fail_control",
    license: "GPL",
}

static HITS: AtomicU32 = AtomicU32::new(0);

struct Counting(&'static AtomicU32);

impl FtraceHandler for Counting {
    fn handle(&self, _ip: usize, _parent_ip: usize, _regs: &FtraceRegs) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

struct Hits;

impl FileOps for Hits {
    type Data = &'static AtomicU32;
    type Writer = ();
    const OWNER: &'static ThisModule = &THIS_MODULE;

    fn show(data: &&'static AtomicU32, out: &mut Output<'_>) -> Result {
        writeln!(out, "{}", data.load(Ordering::Relaxed))?;
        Ok(())
    }
}

struct Control {
    _file: File<Hits>,
    _ops: Pin<KBox<FtraceOps<Counting>>>,
}

impl kernel::Module for Control {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let ops = KBox::pin_init(FtraceOps::new(Counting(&HITS)), GFP_KERNEL)?;
        ops.set_filter(c_str!("vfs_read"))?;
        ops.register()?;
        let dir = Dir::new(c_str!("compile_fail_control"), None)?;
        let file = File::<Hits>::new(c_str!("hits"), 0o444, &dir, Arc::new(&HITS, GFP_KERNEL)?)?;
        Ok(Control {
            _file: file,
            _ops: ops,
        })
    }
}
