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
//!   most called first, Rust functions by their demangled names, and how many events were
//!   dropped, if any.
//!
//! and, unless `events` is `0`, writes a line for every call into the trace instance
//! `rust_callops` (`/sys/kernel/tracing/instances/rust_callops/trace`): the function, its caller
//! and its first arguments.
//!
//! See `Documentation/trace/rust-callops-tracer.rst`.

use core::fmt::{self, Write};
use core::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use kernel::{
    bindings, c_str,
    ftrace::{self, FtraceHandler, FtraceOps, FtraceRegs},
    kallsyms::Symbol,
    module_ref::ModuleRef,
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

/// The `ip` of a slot that has never been used: a probe for a function stops there.
const EMPTY: usize = 0;
/// The `ip` of a slot whose function has left the filter, while a handler may still be counting a
/// call of it: not reused until [`HitCounts::reclaim`].
const RETIRED: usize = usize::MAX;
/// The `ip` of a slot that was used and may be claimed again.
const FREE: usize = usize::MAX - 1;

/// Whether a slot whose `ip` is `ip` is a function's.
fn names_function(ip: usize) -> bool {
    ![EMPTY, RETIRED, FREE].contains(&ip)
}

/// The call counts of the traced functions, by callsite.
///
/// An open-addressed hash table of fixed size, so that the handler counts a call with no lock and
/// no allocation. Slots are claimed, under the tracer's lock, before their function is traced.
/// A slot whose function leaves the filter is retired, not emptied, so that the probe sequences
/// of other functions go on past it, and is only claimed again once no handler can still be
/// counting a call of its old function.
struct HitCounts {
    slots: KVec<Slot>,
}

impl HitCounts {
    /// Twice [`MAX_FUNCTIONS`], a power of two: the functions traced before and after a filter
    /// change always fit, and probe sequences stay short.
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
                EMPTY => return,
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
        let mut free = None;
        for slot in self.probe(ip) {
            match slot.ip.load(Ordering::Relaxed) {
                EMPTY => {
                    free.get_or_insert(slot);
                    break;
                }
                FREE => {
                    free.get_or_insert(slot);
                }
                found if found == ip => return Ok(()),
                _ => {}
            }
        }
        let slot = free.ok_or(E2BIG)?;
        slot.hits.store(0, Ordering::Relaxed);
        // Release: a handler that sees `ip` sees the count reset.
        slot.ip.store(ip, Ordering::Release);
        Ok(())
    }

    /// Retires the slots of the functions not in `traced`, which is sorted. Returns whether there
    /// were any.
    ///
    /// Called with the tracer's lock held.
    fn retire_others(&self, traced: &[usize]) -> bool {
        let mut retired = false;
        for slot in self.slots.iter() {
            let ip = slot.ip.load(Ordering::Relaxed);
            if names_function(ip) && traced.binary_search(&ip).is_err() {
                slot.ip.store(RETIRED, Ordering::Relaxed);
                retired = true;
            }
        }
        retired
    }

    /// Makes the retired slots free to claim.
    ///
    /// Called with the tracer's lock held, once no handler can be counting a call of a function
    /// whose slot is retired.
    fn reclaim(&self) {
        for slot in self.slots.iter() {
            let _ = slot
                .ip
                .compare_exchange(RETIRED, FREE, Ordering::Relaxed, Ordering::Relaxed);
        }
    }

    /// Empties every slot. Called with the tracer's lock held while nothing is traced.
    fn clear(&self) {
        for slot in self.slots.iter() {
            slot.ip.store(EMPTY, Ordering::Relaxed);
        }
    }

    /// Returns the traced functions called at least once and their counts, most called first.
    fn snapshot(&self) -> Result<KVec<(u64, usize)>> {
        let mut counts = KVec::new();
        for slot in self.slots.iter() {
            let ip = slot.ip.load(Ordering::Acquire);
            let hits = slot.hits.load(Ordering::Relaxed);
            if names_function(ip) && hits != 0 {
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
    /// The events the instance did not take since tracing last started.
    dropped_events: AtomicU64,
}

impl FtraceHandler for Handler {
    fn handle(&self, ip: usize, parent_ip: usize, regs: &FtraceRegs) {
        self.counts.hit(ip);
        if !self.log_events.load(Ordering::Relaxed) {
            return;
        }
        let arg = |n| regs.argument(n).unwrap_or(0);
        let written = self.events.print(
            ip,
            format_args!(
                "<- {} ({:#x}, {:#x}, {:#x})",
                CodeAddress(parent_ip),
                arg(0),
                arg(1),
                arg(2)
            ),
        );
        if !written {
            self.dropped_events.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// What the user chose: the functions to trace, sorted, and whether to trace them.
struct Selection {
    functions: KVVec<usize>,
    /// A reference on each module, but this one, with a function in `functions`: a module
    /// cannot go, and another take its place, while its functions are selected.
    modules: KVec<ModuleRef>,
    enabled: bool,
}

impl Selection {
    fn new(functions: KVVec<usize>, enabled: bool) -> Self {
        Self {
            functions,
            modules: KVec::new(),
            enabled,
        }
    }

    /// Takes a reference on the modules of the functions, but this one.
    ///
    /// Fails with `ENOENT` if one is being removed.
    fn hold_modules(&mut self) -> Result {
        let mut modules = KVec::new();
        for &ip in self.functions.iter() {
            match ModuleRef::of_address(ip)? {
                Some(module) if !module.is(&THIS_MODULE) && !modules.contains(&module) => {
                    modules.push(module, GFP_KERNEL)?;
                }
                _ => {}
            }
        }
        self.modules = modules;
        Ok(())
    }

    /// Whether the ops is registered: an empty filter would trace every function.
    fn traces(&self) -> bool {
        self.enabled && !self.functions.is_empty()
    }

    /// The functions traced: all of them, or none.
    fn traced(&self) -> &[usize] {
        if self.traces() {
            &self.functions
        } else {
            &[]
        }
    }
}

/// One edit of the filter: the functions a glob selects, to add or to remove.
struct Edit {
    remove: bool,
    functions: KVVec<usize>,
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
            dropped_events: AtomicU64::new(0),
        };
        Arc::pin_init(
            try_pin_init!(Self {
                // The handler calls kallsyms and the trace buffer code, which may be traced too:
                // such calls are not handled.
                ops <- FtraceOps::new(handler),
                selection <- new_mutex!(Selection::new(KVVec::new(), false)),
            }? Error),
            GFP_KERNEL,
        )
    }

    /// Makes `next` the selection `current`, or fails leaving it as it is.
    ///
    /// Called with `self.selection` locked: `current` is what it protects.
    fn select(&self, current: &mut Selection, mut next: Selection) -> Result {
        if next.functions.len() > MAX_FUNCTIONS {
            return Err(E2BIG);
        }
        next.hold_modules()?;
        let handler = self.ops.handler();
        if next.traces() && !current.traces() {
            // Tracing starts: the counts start again. Not registered, no handler runs.
            handler.counts.clear();
            handler.dropped_events.store(0, Ordering::Relaxed);
        }
        let result = self.apply(current, &next);
        if result.is_ok() {
            *current = next;
        }
        // While tracing goes on, the slots of the functions it left, or that a failed change
        // claimed, are freed once no handler can be counting a call of one. When it stops, the
        // counts stay for `stats` until it starts again.
        if current.traces() && handler.counts.retire_others(current.traced()) {
            ftrace::wait_for_handlers();
            handler.counts.reclaim();
        }
        result
    }

    /// Traces what `next` selects instead of what `current` does.
    fn apply(&self, current: &Selection, next: &Selection) -> Result {
        for &ip in next.traced() {
            self.ops.handler().counts.claim(ip)?;
        }
        match (current.traces(), next.traces()) {
            // The filter of an unregistered ops is set before it is registered: what it is
            // otherwise does not matter.
            (false, true) => {
                self.ops.set_filter_functions(&next.functions)?;
                self.ops.register()
            }
            (true, false) => self.ops.unregister(),
            (true, true) => self.ops.set_filter_functions(&next.functions),
            (false, false) => Ok(()),
        }
    }

    /// Returns the functions of `selection`, without those whose code is gone since: the init
    /// functions of a module, freed once it has loaded. (Modules themselves stay.)
    fn live_functions(selection: &Selection) -> Result<KVVec<usize>> {
        filtered(&selection.functions, |ip| ftrace::location(ip) == Some(ip))
    }

    /// Adds or removes the functions the globs in `input` select, in order, or clears the
    /// filter if `input` has none.
    fn edit_filter(&self, input: &[u8]) -> Result {
        // Matching a glob looks at every function: do it before taking the lock.
        let mut edits = KVec::new();
        for glob in input
            .split(|&b| b == b'\n')
            .flat_map(|line| uncommented(line).split(|&b| is_separator(b)))
            .filter(|glob| !glob.is_empty())
        {
            edits.push(parse_glob(glob)?, GFP_KERNEL)?;
        }
        let mut current = self.selection.lock();
        let mut functions = KVVec::new();
        if !edits.is_empty() {
            functions = Self::live_functions(&current)?;
        }
        for edit in edits.iter() {
            functions = filtered(&functions, |ip| edit.functions.binary_search(&ip).is_err())?;
            if !edit.remove {
                functions.extend_from_slice(&edit.functions, GFP_KERNEL)?;
                functions.sort_unstable();
            }
        }
        let enabled = current.enabled;
        self.select(&mut current, Selection::new(functions, enabled))
    }

    fn set_enabled(&self, enabled: bool) -> Result {
        let mut current = self.selection.lock();
        let functions = Self::live_functions(&current)?;
        self.select(&mut current, Selection::new(functions, enabled))
    }
}

/// Parses one glob of a filter write: `glob`, `!glob` or `glob:mod:module`.
///
/// A glob is printable ASCII, no longer than a symbol name may be, and not only digits:
/// `set_ftrace_filter` takes those as the index of a function, which a typo like
/// `echo 1 > filter` would select.
fn parse_glob(glob: &[u8]) -> Result<Edit> {
    let (remove, glob) = match glob.split_first() {
        Some((b'!', rest)) => (true, rest),
        _ => (false, glob),
    };
    if glob.is_empty()
        || glob.len() > bindings::KSYM_NAME_LEN as usize
        || glob[0] == b'!'
        || glob.iter().all(u8::is_ascii_digit)
        || !glob.iter().all(u8::is_ascii_graphic)
    {
        return Err(EINVAL);
    }
    let glob = CString::try_from_fmt(kernel::fmt!("{}", BStr(glob)))?;
    Ok(Edit {
        remove,
        functions: ftrace::functions_matching(&glob)?,
    })
}

/// Returns the functions of `functions` that `keep` keeps.
fn filtered(functions: &[usize], keep: impl Fn(usize) -> bool) -> Result<KVVec<usize>> {
    let mut kept = KVVec::with_capacity(functions.len(), GFP_KERNEL)?;
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

/// The writes to `filter`, on one open file, that did not end where a glob ends.
struct FilterWriter {
    pending: KVVec<u8>,
}

impl Default for FilterWriter {
    fn default() -> Self {
        Self {
            pending: KVVec::new(),
        }
    }
}

/// The most bytes of unfinished writes to `filter`: room for writing back 1024 functions.
const MAX_PENDING: usize = 1 << 20;

impl FileOps for FilterFile {
    type Data = Tracer;
    type Writer = FilterWriter;
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

    /// Applies `input`, and any earlier writes it finishes, as a whole; or keeps them for the
    /// next write, or the close, to finish, if `input` does not end where a glob ends: a writer
    /// may split a glob or a comment anywhere, as `cat` does writing back a filter of more than
    /// a page.
    fn store(tracer: &Tracer, writer: &mut FilterWriter, input: &[u8]) -> Result {
        let mut text = core::mem::replace(&mut writer.pending, KVVec::new());
        if text.len() + input.len() > MAX_PENDING {
            return Err(EINVAL);
        }
        text.extend_from_slice(input, GFP_KERNEL)?;
        if !ends_finished(&text) {
            writer.pending = text;
            return Ok(());
        }
        tracer.edit_filter(&text)
    }

    fn flush(tracer: &Tracer, writer: &mut FilterWriter) -> Result {
        let pending = core::mem::replace(&mut writer.pending, KVVec::new());
        if pending.is_empty() {
            return Ok(());
        }
        tracer.edit_filter(&pending)
    }
}

/// Whether a filter write ends where a glob ends: with a newline, or with a separator outside
/// a comment (which only a newline ends). An empty write ends nothing unfinished.
fn ends_finished(text: &[u8]) -> bool {
    let line = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    match text.last() {
        None | Some(b'\n') => true,
        Some(&b) => is_separator(b) && !text[line..].contains(&b'#'),
    }
}

/// Whether `b` separates globs in a filter write.
fn is_separator(b: u8) -> bool {
    b.is_ascii_whitespace() || b == b','
}

/// `enable`: whether to trace.
struct EnableFile;

impl FileOps for EnableFile {
    type Data = Tracer;
    type Writer = ();
    const OWNER: &'static ThisModule = &THIS_MODULE;

    fn show(tracer: &Tracer, out: &mut Output<'_>) -> Result {
        let enabled = tracer.selection.lock().enabled;
        writeln!(out, "{}", u8::from(enabled))?;
        Ok(())
    }

    fn store(tracer: &Tracer, _writer: &mut (), input: &[u8]) -> Result {
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
    type Writer = ();
    const OWNER: &'static ThisModule = &THIS_MODULE;

    fn show(tracer: &Tracer, out: &mut Output<'_>) -> Result {
        let log_events = tracer.ops.handler().log_events.load(Ordering::Relaxed);
        writeln!(out, "{}", u8::from(log_events))?;
        Ok(())
    }

    fn store(tracer: &Tracer, _writer: &mut (), input: &[u8]) -> Result {
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
    type Writer = ();
    const OWNER: &'static ThisModule = &THIS_MODULE;

    fn show(tracer: &Tracer, out: &mut Output<'_>) -> Result {
        let dropped = tracer.ops.handler().dropped_events.load(Ordering::Relaxed);
        if dropped > 0 {
            writeln!(out, "# events dropped: {dropped}")?;
        }
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
    /// Dropped first: the files go before the tracer stops, which waits for its handlers.
    _files: (
        tracefs::File<FilterFile>,
        tracefs::File<EnableFile>,
        tracefs::File<EventsFile>,
        tracefs::File<StatsFile>,
    ),
    /// The last reference: open files, which could keep it too, keep the module loaded. Its ops
    /// unregisters when dropped, before the module's code goes.
    _tracer: Arc<Tracer>,
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
            _files: files,
            _tracer: tracer,
        })
    }
}
