// SPDX-License-Identifier: GPL-2.0

//! A function tracer, driven through tracefs.
//!
//! On load, creates `/sys/kernel/tracing/rust_callops/` with:
//!
//! - `filter`: the functions to trace. A write adds the functions its globs select (`!glob`
//!   removes them); an empty write clears the filter. Reads list the selected functions, Rust
//!   ones with their demangled names in a comment.
//! - `enable`: `1` traces the selected functions, `0` stops.
//! - `events`: `1` (the default) writes an event for every call, `0` only counts calls.
//! - `stats`: how many times each traced function was called since tracing was last enabled,
//!   most called first, Rust functions by their demangled names.
//!
//! and, unless `events` is `0`, writes a line for every call into the trace instance
//! `rust_callops` (`/sys/kernel/tracing/instances/rust_callops/trace`): the function, its caller
//! and its first arguments.
//!
//! See `Documentation/trace/rust-callops-tracer.rst`.

use core::fmt::{self, Write};
use core::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use kernel::{
    c_str,
    ftrace::{self, Flags, FtraceHandler, FtraceOps, FtraceRegs},
    kallsyms::Symbol,
    new_mutex,
    prelude::*,
    str::CString,
    sync::{Arc, Mutex},
    trace_instance::Instance,
    tracefs::{self, Dir, FileOps, Output},
};

module! {
    type: CallopsTracerModule,
    name: "rust_callops_tracer",
    author: "callops developers",
    description: "Function tracer driven through tracefs",
    license: "GPL",
    params: {
        filter: str {
            default: "",
            description: "Functions to trace from load: globs separated by commas",
        },
        enable: bool {
            default: false,
            description: "Start tracing at load",
        },
    },
}

/// The most functions the filter may select.
const MAX_FUNCTIONS: usize = 1024;

/// The call counter of one traced function.
#[derive(Default)]
struct Slot {
    ip: AtomicUsize,
    hits: AtomicU64,
}

/// The call counts of the traced functions, by callsite.
///
/// An open-addressed hash table of fixed size, so that the handler counts a call with no lock and
/// no allocation. Slots are claimed, under the tracer's lock, before their function is traced,
/// and freed only while nothing is traced: a slot the handler finds stays its function's.
struct HitCounts {
    slots: KVec<Slot>,
}

impl HitCounts {
    /// Twice [`MAX_FUNCTIONS`], a power of two: probe sequences stay short.
    const SLOTS: usize = 2 * MAX_FUNCTIONS;

    fn new() -> Result<Self> {
        let mut slots = KVec::with_capacity(Self::SLOTS, GFP_KERNEL)?;
        for _ in 0..Self::SLOTS {
            slots.push(Slot::default(), GFP_KERNEL)?;
        }
        Ok(Self { slots })
    }

    /// The slots to probe for `ip`, in order.
    fn probe(&self, ip: usize) -> impl Iterator<Item = &Slot> {
        // Fibonacci hashing: the top bits of the product, as many as index the table.
        let start = (ip as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - Self::SLOTS.ilog2());
        let (after, before) = self.slots.split_at(start as usize);
        Iterator::chain(before.iter(), after)
    }

    /// Counts a call of the function at `ip`.
    fn hit(&self, ip: usize) {
        for slot in self.probe(ip) {
            match slot.ip.load(Ordering::Acquire) {
                0 => return,
                found if found == ip => {
                    slot.hits.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                _ => {}
            }
        }
    }

    /// Gives the function at `ip` a slot, if it has none.
    ///
    /// Called with the tracer's lock held: only the handler runs concurrently.
    fn claim(&self, ip: usize) -> Result {
        for slot in self.probe(ip) {
            match slot.ip.load(Ordering::Relaxed) {
                0 => {
                    slot.hits.store(0, Ordering::Relaxed);
                    // Release: a handler that sees `ip` sees the count reset.
                    slot.ip.store(ip, Ordering::Release);
                    return Ok(());
                }
                found if found == ip => return Ok(()),
                _ => {}
            }
        }
        Err(E2BIG)
    }

    /// Frees every slot. Called with the tracer's lock held while nothing is traced.
    fn clear(&self) {
        for slot in self.slots.iter() {
            slot.ip.store(0, Ordering::Relaxed);
        }
    }

    /// Returns the functions called at least once and their counts, most called first.
    fn snapshot(&self) -> Result<KVec<(u64, usize)>> {
        let mut counts = KVec::new();
        for slot in self.slots.iter() {
            let ip = slot.ip.load(Ordering::Acquire);
            let hits = slot.hits.load(Ordering::Relaxed);
            if ip != 0 && hits != 0 {
                counts.push((hits, ip), GFP_KERNEL)?;
            }
        }
        counts.sort_unstable_by(|a, b| b.cmp(a));
        Ok(counts)
    }
}

/// Displays a code address as `symbol+offset`, demangled, or as a number.
struct CodeAddress(usize);

impl fmt::Display for CodeAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match Symbol::lookup(self.0) {
            Some(symbol) => write!(f, "{}+{:#x}", symbol.name(), symbol.offset()),
            None => write!(f, "{:#x}", self.0),
        }
    }
}

/// What the tracer does on every call of a traced function.
struct Handler {
    counts: HitCounts,
    events: Instance,
    /// Whether to write an event for every call, or only count calls.
    log_events: AtomicBool,
}

impl FtraceHandler for Handler {
    fn handle(&self, ip: usize, parent_ip: usize, regs: &FtraceRegs) {
        self.counts.hit(ip);
        if !self.log_events.load(Ordering::Relaxed) {
            return;
        }
        let arg = |n| regs.argument(n).unwrap_or(0);
        self.events.print(
            ip,
            format_args!(
                "<- {} ({:#x}, {:#x}, {:#x})",
                CodeAddress(parent_ip),
                arg(0),
                arg(1),
                arg(2)
            ),
        );
    }
}

/// What the user chose: the functions to trace, and whether to trace them.
struct Selection {
    functions: KVec<usize>,
    enabled: bool,
}

impl Selection {
    /// Whether the ops is registered: an empty filter would trace every function.
    fn traces(&self) -> bool {
        self.enabled && !self.functions.is_empty()
    }
}

#[pin_data]
struct Tracer {
    #[pin]
    ops: FtraceOps<Handler>,
    /// The ops is registered exactly when `selection.traces()`.
    #[pin]
    selection: Mutex<Selection>,
}

impl Tracer {
    fn new() -> Result<Arc<Self>> {
        let handler = Handler {
            counts: HitCounts::new()?,
            events: Instance::new(c_str!("rust_callops"))?,
            log_events: AtomicBool::new(true),
        };
        Arc::pin_init(
            try_pin_init!(Self {
                // The handler calls kallsyms and the trace buffer code, which may be traced too.
                ops <- FtraceOps::new(Flags::RECURSION, handler),
                selection <- new_mutex!(Selection {
                    functions: KVec::new(),
                    enabled: false,
                }),
            }? Error),
            GFP_KERNEL,
        )
    }

    /// Makes `next` the selection `current`, or fails leaving it as it is.
    ///
    /// Called with `self.selection` locked: `current` is what it protects.
    fn select(&self, current: &mut Selection, next: Selection) -> Result {
        if next.functions.len() > MAX_FUNCTIONS {
            return Err(E2BIG);
        }
        let counts = &self.ops.handler().counts;
        if next.enabled && !current.enabled {
            // Not registered: no handler runs.
            counts.clear();
        }
        if next.traces() {
            for &ip in next.functions.iter() {
                counts.claim(ip)?;
            }
        }
        match (current.traces(), next.traces()) {
            (false, true) => {
                self.ops.set_filter_functions(&next.functions)?;
                if let Err(e) = self.ops.register() {
                    self.ops.set_filter_functions(&current.functions)?;
                    return Err(e);
                }
            }
            (true, false) => {
                self.ops.unregister()?;
                self.ops.set_filter_functions(&next.functions)?;
            }
            _ => self.ops.set_filter_functions(&next.functions)?,
        }
        *current = next;
        Ok(())
    }

    /// Returns the functions of `selection`, without those of modules unloaded since.
    fn live_functions(selection: &Selection) -> Result<KVec<usize>> {
        filtered(&selection.functions, |ip| ftrace::location(ip) == Some(ip))
    }

    /// Adds or removes the functions the globs in `input` select, in order, or clears the
    /// filter if `input` has none.
    fn edit_filter(&self, input: &[u8]) -> Result {
        let mut current = self.selection.lock();
        let mut functions = Self::live_functions(&current)?;
        let mut globs = input
            .split(|&b| b == b'\n')
            .flat_map(|line| uncommented(line).split(|&b| b.is_ascii_whitespace() || b == b','))
            .filter(|glob| !glob.is_empty())
            .peekable();
        if globs.peek().is_none() {
            functions = KVec::new();
        }
        for glob in globs {
            let (remove, glob) = match glob.split_first() {
                Some((b'!', rest)) => (true, rest),
                _ => (false, glob),
            };
            if glob.is_empty() || !glob.iter().all(|b| b.is_ascii_graphic()) {
                return Err(EINVAL);
            }
            let glob = CString::try_from_fmt(kernel::fmt!("{}", BStr(glob)))?;
            let selected = ftrace::functions_matching(&glob)?;
            functions = filtered(&functions, |ip| selected.binary_search(&ip).is_err())?;
            if !remove {
                functions.extend_from_slice(&selected, GFP_KERNEL)?;
                functions.sort_unstable();
            }
        }
        let enabled = current.enabled;
        self.select(&mut current, Selection { functions, enabled })
    }

    fn set_enabled(&self, enabled: bool) -> Result {
        let mut current = self.selection.lock();
        let functions = Self::live_functions(&current)?;
        self.select(&mut current, Selection { functions, enabled })
    }
}

/// Returns the functions of `functions` that `keep` keeps.
fn filtered(functions: &[usize], keep: impl Fn(usize) -> bool) -> Result<KVec<usize>> {
    let mut kept = KVec::with_capacity(functions.len(), GFP_KERNEL)?;
    for &ip in functions.iter().filter(|&&ip| keep(ip)) {
        kept.push(ip, GFP_KERNEL)?;
    }
    Ok(kept)
}

/// Returns `line` up to its first `#`: what follows is a comment, like the demangled names that
/// reading `filter` gives.
fn uncommented(line: &[u8]) -> &[u8] {
    line.split(|&b| b == b'#').next().unwrap_or(line)
}

/// Displays printable ASCII bytes as text.
struct BStr<'a>(&'a [u8]);

impl fmt::Display for BStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|&b| f.write_char(char::from(b)))
    }
}

/// `filter`: the functions to trace.
struct FilterFile;

impl FileOps for FilterFile {
    type Data = Tracer;
    const OWNER: &'static ThisModule = &THIS_MODULE;

    fn show(tracer: &Tracer, out: &mut Output<'_>) -> Result {
        let functions = Tracer::live_functions(&tracer.selection.lock())?;
        for &ip in functions.iter() {
            // kallsyms names, which the filter matches, and Rust ones demangled in a comment.
            match Symbol::lookup(ip) {
                Some(symbol) if symbol.raw_name().starts_with(b"_R") => {
                    writeln!(out, "{}  # {}", BStr(symbol.raw_name()), symbol.name())?;
                }
                Some(symbol) => writeln!(out, "{}", BStr(symbol.raw_name()))?,
                None => writeln!(out, "{ip:#x}")?,
            }
        }
        Ok(())
    }

    fn store(tracer: &Tracer, input: &[u8]) -> Result {
        tracer.edit_filter(input)
    }
}

/// `enable`: whether to trace.
struct EnableFile;

impl FileOps for EnableFile {
    type Data = Tracer;
    const OWNER: &'static ThisModule = &THIS_MODULE;

    fn show(tracer: &Tracer, out: &mut Output<'_>) -> Result {
        let enabled = tracer.selection.lock().enabled;
        writeln!(out, "{}", u8::from(enabled))?;
        Ok(())
    }

    fn store(tracer: &Tracer, input: &[u8]) -> Result {
        tracer.set_enabled(parse_switch(input)?)
    }
}

/// Parses what is written to a switch: `0` or `1`, and a newline.
fn parse_switch(input: &[u8]) -> Result<bool> {
    match input.strip_suffix(b"\n").unwrap_or(input) {
        b"0" => Ok(false),
        b"1" => Ok(true),
        _ => Err(EINVAL),
    }
}

/// `events`: whether every call writes an event, or is only counted.
struct EventsFile;

impl FileOps for EventsFile {
    type Data = Tracer;
    const OWNER: &'static ThisModule = &THIS_MODULE;

    fn show(tracer: &Tracer, out: &mut Output<'_>) -> Result {
        let log_events = tracer.ops.handler().log_events.load(Ordering::Relaxed);
        writeln!(out, "{}", u8::from(log_events))?;
        Ok(())
    }

    fn store(tracer: &Tracer, input: &[u8]) -> Result {
        let log_events = parse_switch(input)?;
        tracer
            .ops
            .handler()
            .log_events
            .store(log_events, Ordering::Relaxed);
        Ok(())
    }
}

/// `stats`: the call counts.
struct StatsFile;

impl FileOps for StatsFile {
    type Data = Tracer;
    const OWNER: &'static ThisModule = &THIS_MODULE;

    fn show(tracer: &Tracer, out: &mut Output<'_>) -> Result {
        writeln!(out, "#       hits  function")?;
        for (hits, ip) in tracer.ops.handler().counts.snapshot()? {
            write!(out, "{hits:>12}  ")?;
            match Symbol::lookup(ip) {
                Some(symbol) => match symbol.module() {
                    Some(module) => writeln!(out, "{} [{}]", symbol.name(), BStr(module))?,
                    None => writeln!(out, "{}", symbol.name())?,
                },
                None => writeln!(out, "{ip:#x}")?,
            }
        }
        Ok(())
    }
}

struct CallopsTracerModule {
    tracer: Arc<Tracer>,
    _files: (
        tracefs::File<FilterFile>,
        tracefs::File<EnableFile>,
        tracefs::File<EventsFile>,
        tracefs::File<StatsFile>,
    ),
}

impl kernel::Module for CallopsTracerModule {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let tracer = Tracer::new()?;
        tracer.edit_filter(module_parameters::filter.get().as_bytes())?;
        tracer.set_enabled(module_parameters::enable.get())?;

        let dir = Dir::new(c_str!("rust_callops"), None)?;
        let files = (
            tracefs::File::new(c_str!("filter"), 0o644, &dir, tracer.clone())?,
            tracefs::File::new(c_str!("enable"), 0o644, &dir, tracer.clone())?,
            tracefs::File::new(c_str!("events"), 0o644, &dir, tracer.clone())?,
            tracefs::File::new(c_str!("stats"), 0o444, &dir, tracer.clone())?,
        );
        Ok(Self {
            tracer,
            _files: files,
        })
    }
}

impl Drop for CallopsTracerModule {
    fn drop(&mut self) {
        // Open files would keep the tracer, but they keep the module loaded too: this is the last
        // reference. Stop tracing explicitly all the same, as the handler is this module's code.
        if let Err(e) = self.tracer.ops.unregister() {
            pr_warn!("unregistering failed: {:?}\n", e);
        }
    }
}
