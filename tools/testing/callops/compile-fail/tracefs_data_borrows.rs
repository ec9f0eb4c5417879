// SPDX-License-Identifier: GPL-2.0

//! Must not build: a tracefs file whose data borrows a local variable. A descriptor opened
//! before the file is removed keeps the data, and reads it after the variable is gone.
//!
//! compile-fail: E0477 type Data = &'a AtomicU32

use core::{
    fmt::Write,
    marker::PhantomData,
    sync::atomic::{AtomicU32, Ordering},
};
use kernel::{
    c_str,
    prelude::*,
    sync::Arc,
    tracefs::{Dir, File, FileOps, Output},
};

module! {
    type: Probe,
    name: "tracefs_data_borrows",
    license: "GPL",
}

struct Hits<'a>(PhantomData<&'a ()>);

impl<'a> FileOps for Hits<'a> {
    type Data = &'a AtomicU32;
    type Writer = ();
    const OWNER: &'static ThisModule = &THIS_MODULE;

    fn show(data: &&'a AtomicU32, out: &mut Output<'_>) -> Result {
        writeln!(out, "{}", data.load(Ordering::Relaxed))?;
        Ok(())
    }
}

struct Probe;

impl kernel::Module for Probe {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let hits = AtomicU32::new(0);
        let dir = Dir::new(c_str!("tracefs_data_borrows"), None)?;
        let data = Arc::new(&hits, GFP_KERNEL)?;
        let file = File::<Hits<'_>>::new(c_str!("hits"), 0o444, &dir, data)?;
        drop(file);
        Ok(Probe)
    }
}
