// SPDX-License-Identifier: GPL-2.0

//! Function tracing callbacks.
//!
//! An [`FtraceOps`] attaches a [`FtraceHandler`] to the entry of the kernel functions its filter
//! selects, through the kernel's `struct ftrace_ops`. On architectures with
//! `DYNAMIC_FTRACE_WITH_CALL_OPS` a callsite traced by a single ops calls that ops' handler
//! directly, with no list walk, whatever other ops trace other functions.
//!
//! C header: [`include/linux/ftrace.h`](srctree/include/linux/ftrace.h)
//!
//! Reference: <https://docs.kernel.org/trace/ftrace-uses.html>

use crate::{
    bindings, container_of, error::to_result, new_mutex, prelude::*, sync::Mutex, types::Opaque,
};
use ffi::{c_int, c_uint, c_ulong};

/// The code run on entry to a traced function.
///
/// # Context
///
/// [`FtraceHandler::handle`] runs on entry to every function the filter of its [`FtraceOps`]
/// selects, on any CPU and in any context the traced function runs in: process, softirq, hardirq
/// and NMI context, with interrupts on or off, with locks held. It must not sleep, must not
/// allocate with `GFP_KERNEL`, and should be short. Functions it calls are traced too: without
/// [`Flags::RECURSION`] a handler that calls a function its own filter selects recurses without
/// bound.
pub trait FtraceHandler: Sync {
    /// Called on entry to a traced function.
    ///
    /// `ip` is the traced function's callsite, as [`location`] returns it for the function's
    /// address; `parent_ip` is the address the traced function returns to; `regs` gives the
    /// traced function's arguments and registers at entry.
    fn handle(&self, ip: usize, parent_ip: usize, regs: &FtraceRegs);
}

/// The registers of a traced function at entry (`struct ftrace_regs`).
///
/// # Invariants
///
/// `self.0` is the `struct ftrace_regs` that the ftrace trampoline saved for the call being
/// handled, valid for as long as the handler runs.
#[repr(transparent)]
pub struct FtraceRegs(Opaque<bindings::ftrace_regs>);

impl FtraceRegs {
    /// How many arguments are passed in registers, and so can be read with
    /// [`FtraceRegs::argument`] (`x0`-`x7` on arm64, `a0`-`a7` on riscv).
    pub const REGISTER_ARGUMENTS: usize = 8;

    /// Creates a reference to the [`FtraceRegs`] at `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` must point to the `struct ftrace_regs` of the call being traced, valid for reads
    /// during `'a`.
    #[inline]
    unsafe fn from_raw<'a>(ptr: *mut bindings::ftrace_regs) -> &'a Self {
        // SAFETY: `FtraceRegs` is a transparent wrapper of `ftrace_regs`, and the caller
        // guarantees that `ptr` is valid for `'a`.
        unsafe { &*ptr.cast() }
    }

    #[inline]
    fn as_raw(&self) -> *mut bindings::ftrace_regs {
        self.0.get()
    }

    /// Returns argument `n` (counting from 0) of the traced function, if it is passed in a
    /// register.
    ///
    /// Arguments are read as full registers: narrower integer types are not truncated.
    #[inline]
    pub fn argument(&self, n: usize) -> Option<usize> {
        if n >= Self::REGISTER_ARGUMENTS {
            return None;
        }
        // SAFETY: `self.as_raw()` is valid by the type invariant and `n` is a register argument.
        Some(unsafe { bindings::ftrace_regs_get_argument(self.as_raw(), n as c_uint) })
    }

    /// Returns the traced function's stack pointer at entry.
    #[inline]
    pub fn stack_pointer(&self) -> usize {
        // SAFETY: `self.as_raw()` is valid by the type invariant.
        unsafe { bindings::ftrace_regs_get_stack_pointer(self.as_raw()) }
    }

    /// Returns the address execution continues at once the handlers return: the traced
    /// function's callsite, unless a handler redirected it.
    #[inline]
    pub fn instruction_pointer(&self) -> usize {
        // SAFETY: `self.as_raw()` is valid by the type invariant.
        unsafe { bindings::ftrace_regs_get_instruction_pointer(self.as_raw()) }
    }

    /// Returns the address the traced function returns to.
    #[inline]
    pub fn return_address(&self) -> usize {
        // SAFETY: `self.as_raw()` is valid by the type invariant.
        unsafe { bindings::ftrace_regs_get_return_address(self.as_raw()) }
    }
}

/// Options of an [`FtraceOps`] (`FTRACE_OPS_FL_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flags(c_ulong);

impl Flags {
    /// No options: the handler is called directly, with no protection against recursion.
    pub const NONE: Flags = Flags(0);

    /// Do not call the handler again while it runs on the same CPU in the same context, so that
    /// it may call traced functions, and trace itself: such calls are dropped. Costs a check that
    /// also disables preemption around the handler.
    ///
    /// The context is the one `preempt_count` says (task, softirq, hardirq or NMI): an interrupt
    /// taken while the handler runs, in the instructions before it enters its own context, is
    /// dropped too.
    ///
    /// The check is made by the Rust callback itself, which is not traceable, rather than by
    /// ftrace's assist function (`FTRACE_OPS_FL_RECURSION`): a callsite that only this ops traces
    /// still calls it directly.
    pub const RECURSION: Flags = Flags(bindings::FTRACE_OPS_FL_RECURSION as c_ulong);

    /// Only call the handler where RCU is watching, so that it may use RCU read-side sections.
    pub const RCU: Flags = Flags(bindings::FTRACE_OPS_FL_RCU as c_ulong);
}

impl Flags {
    /// Whether `self` has all of `other`.
    const fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }
}

impl core::ops::BitOr for Flags {
    type Output = Flags;

    fn bitor(self, rhs: Flags) -> Flags {
        Flags(self.0 | rhs.0)
    }
}

/// Returns the ftrace callsite of the function at `function`: the `ip` its handlers are given.
///
/// Returns [`None`] if `function` is not the address of a function that can be traced.
pub fn location(function: usize) -> Option<usize> {
    // SAFETY: `ftrace_location` only looks the address up; any value is accepted.
    match unsafe { bindings::ftrace_location(function) } {
        0 => None,
        ip => Some(ip),
    }
}

/// A set of traced functions and the handler called on their entry (`struct ftrace_ops`).
///
/// The functions are chosen with filters, before or after [`FtraceOps::register`]; the handler
/// is called from registration until [`FtraceOps::unregister`], or until the [`FtraceOps`] is
/// dropped. Once either returns, no call of the handler is running any more and none will start.
///
/// An empty filter selects every traceable function of the kernel, so set a filter before
/// registering.
///
/// # Lifetime
///
/// While registered, ftrace keeps a pointer to the `struct ftrace_ops` inside the
/// [`FtraceOps`], which may be in the memory of a module, and calls the module's code through
/// it: the [`FtraceOps`] unregisters when dropped, which waits for the handler calls under way,
/// so a module that drops its [`FtraceOps`] before its exit returns leaves ftrace nothing of it.
/// (One leaked with [`core::mem::forget`] stays registered, as any leaked registration does.)
/// The lock class of the registration lock is the kernel crate's, not the module's.
///
/// # Invariants
///
/// `ops` is registered with ftrace at most while `registered` is true. Every call into ftrace
/// that takes `ops`, but for the handler calls, is made with `registered` locked: the first of
/// them initialises `ops`' filter state without locking.
///
/// # Examples
///
/// Count the calls to `kfree()` that free one particular allocation:
///
/// ```
/// use core::sync::atomic::{AtomicUsize, Ordering};
/// use kernel::bindings;
/// use kernel::c_str;
/// use kernel::ftrace::{self, Flags, FtraceHandler, FtraceOps, FtraceRegs};
///
/// struct FreeWatch {
///     ptr: usize,
///     hits: AtomicUsize,
///     ip: AtomicUsize,
/// }
///
/// impl FtraceHandler for FreeWatch {
///     fn handle(&self, ip: usize, _parent_ip: usize, regs: &FtraceRegs) {
///         if regs.argument(0) == Some(self.ptr) {
///             self.ip.store(ip, Ordering::Relaxed);
///             self.hits.fetch_add(1, Ordering::Relaxed);
///         }
///     }
/// }
///
/// let ptr = KBox::into_raw(KBox::new(0u64, GFP_KERNEL)?);
/// let watch = KBox::pin_init(
///     FtraceOps::new(
///         Flags::NONE,
///         FreeWatch { ptr: ptr as usize, hits: AtomicUsize::new(0), ip: AtomicUsize::new(0) },
///     ),
///     GFP_KERNEL,
/// )?;
/// watch.set_filter(c_str!("kfree"))?;
/// watch.register()?;
///
/// // SAFETY: `ptr` comes from a `KBox`, which allocates with `kmalloc()`.
/// unsafe { bindings::kfree(ptr.cast()) };
/// watch.unregister()?;
///
/// assert_eq!(watch.handler().hits.load(Ordering::Relaxed), 1);
/// let kfree_ip = ftrace::location(bindings::kfree as *const () as usize);
/// assert_eq!(Some(watch.handler().ip.load(Ordering::Relaxed)), kfree_ip);
/// # Ok::<(), Error>(())
/// ```
///
/// Bad input fails with an error and leaves the ops as it was:
///
/// ```
/// use kernel::bindings;
/// use kernel::c_str;
/// use kernel::ftrace::{Flags, FtraceHandler, FtraceOps, FtraceRegs};
///
/// struct Nop;
///
/// impl FtraceHandler for Nop {
///     fn handle(&self, _ip: usize, _parent_ip: usize, _regs: &FtraceRegs) {}
/// }
///
/// let ops = KBox::pin_init(FtraceOps::new(Flags::RECURSION, Nop), GFP_KERNEL)?;
/// let kfree = bindings::kfree as *const () as usize;
/// assert_eq!(ops.set_filter(c_str!("no_such_function_anywhere")), Err(EINVAL));
/// assert_eq!(ops.add_filter_function(1), Err(EINVAL));
/// assert_eq!(ops.remove_filter_function(kfree), Err(ENOENT));
/// ops.add_filter_function(kfree)?;
/// ops.register()?;
/// assert_eq!(ops.register(), Err(EBUSY));
/// assert_eq!(ops.add_filter(c_str!("no_such_function_anywhere")), Err(EINVAL));
/// ops.unregister()?;
/// ops.remove_filter_function(kfree)?;
/// assert_eq!(ops.remove_filter_function(kfree), Err(ENOENT));
/// # Ok::<(), Error>(())
/// ```
///
/// Rust functions are traced like C ones; their callsite, too, is what [`location`] returns:
///
/// ```
/// use core::sync::atomic::{AtomicUsize, Ordering};
/// use kernel::ftrace::{self, Flags, FtraceHandler, FtraceOps, FtraceRegs};
///
/// #[inline(never)]
/// fn double(x: usize) -> usize {
///     core::hint::black_box(x) * 2
/// }
///
/// #[derive(Default)]
/// struct LastArgument {
///     ip: AtomicUsize,
///     argument: AtomicUsize,
/// }
///
/// impl FtraceHandler for LastArgument {
///     fn handle(&self, ip: usize, _parent_ip: usize, regs: &FtraceRegs) {
///         self.ip.store(ip, Ordering::Relaxed);
///         self.argument.store(regs.argument(0).unwrap_or(0), Ordering::Relaxed);
///     }
/// }
///
/// let ops = KBox::pin_init(
///     FtraceOps::new(Flags::RECURSION, LastArgument::default()),
///     GFP_KERNEL,
/// )?;
/// let function = double as fn(usize) -> usize as usize;
/// ops.add_filter_function(function)?;
/// ops.register()?;
/// assert_eq!(core::hint::black_box(double)(21), 42);
/// ops.unregister()?;
///
/// assert_eq!(ops.handler().argument.load(Ordering::Relaxed), 21);
/// assert_eq!(Some(ops.handler().ip.load(Ordering::Relaxed)), ftrace::location(function));
/// # Ok::<(), Error>(())
/// ```
#[pin_data(PinnedDrop)]
pub struct FtraceOps<T: FtraceHandler> {
    #[pin]
    ops: Opaque<bindings::ftrace_ops>,
    #[pin]
    registered: Mutex<bool>,
    #[pin]
    handler: T,
}

// SAFETY: ftrace may call the handler from any thread, which `T: Sync` allows; the `ftrace_ops` is
// only changed through ftrace's own locking and ours.
unsafe impl<T: FtraceHandler> Sync for FtraceOps<T> {}

// SAFETY: nothing in an `FtraceOps` is tied to the thread that created it.
unsafe impl<T: FtraceHandler + Send> Send for FtraceOps<T> {}

impl<T: FtraceHandler> FtraceOps<T> {
    /// Creates an unregistered [`FtraceOps`] with an empty filter.
    pub fn new(flags: Flags, handler: impl PinInit<T, Error>) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            ops <- Opaque::ffi_init(move |slot: *mut bindings::ftrace_ops| {
                // SAFETY: `slot` is valid for writes. An all-zero `ftrace_ops` is what C's
                // static and `kzalloc()`ed ops start from; ftrace initialises the rest on first
                // use.
                unsafe {
                    slot.write(bindings::ftrace_ops {
                        func: Some(if flags.contains(Flags::RECURSION) {
                            handle_call_once::<T>
                        } else {
                            handle_call::<T>
                        }),
                        flags: flags.0 & !Flags::RECURSION.0,
                        ..Default::default()
                    })
                };
            }),
            registered <- new_registration_lock(),
            handler <- handler,
        }? Error)
    }

    /// Returns the handler.
    pub fn handler(&self) -> &T {
        &self.handler
    }

    /// Starts calling the handler on entry to the functions the filters select.
    ///
    /// Fails with `EBUSY` if already registered, and with the error ftrace returns otherwise, in
    /// which case nothing is registered.
    pub fn register(&self) -> Result {
        let mut registered = self.registered.lock();
        if *registered {
            return Err(EBUSY);
        }
        // SAFETY: `self.ops` is pinned and stays valid until it is unregistered, at the latest
        // by `PinnedDrop`; `registered` is locked, as the type invariant requires.
        to_result(unsafe { bindings::register_ftrace_function(self.ops.get()) })?;
        // INVARIANT: `ops` is registered, and `registered` says so.
        *registered = true;
        Ok(())
    }

    /// Stops calling the handler; once this returns, no call of it is running any more.
    ///
    /// Does nothing if not registered.
    pub fn unregister(&self) -> Result {
        let mut registered = self.registered.lock();
        if !*registered {
            return Ok(());
        }
        // SAFETY: `self.ops` is registered, by the type invariant.
        let ret = to_result(unsafe { bindings::unregister_ftrace_function(self.ops.get()) });
        // INVARIANT: ftrace only fails to unregister once it has shut itself down for good, and
        // calls no handler any more.
        *registered = false;
        ret
    }

    /// Makes the filter select the functions matching `glob`, and no others.
    ///
    /// `glob` is a glob (`*` and `?` wildcards) of function names. Fails with `EINVAL`, leaving
    /// the filter as it was, if `glob` selects no function. To select the functions of one
    /// module, pass what [`functions_matching`] returns for `glob:mod:<module>` to
    /// [`FtraceOps::set_filter_functions`].
    pub fn set_filter(&self, glob: &CStr) -> Result {
        self.apply_regex(bindings::ftrace_set_filter, glob, true)
    }

    /// Adds the functions matching `glob` to the filter; see [`FtraceOps::set_filter`].
    ///
    /// A `!` in front of `glob` removes the functions matching the rest from the filter.
    pub fn add_filter(&self, glob: &CStr) -> Result {
        self.apply_regex(bindings::ftrace_set_filter, glob, false)
    }

    /// Makes the notrace filter select the functions matching `glob`, and no others.
    ///
    /// Functions the notrace filter selects are not traced, even if the filter selects them.
    pub fn set_notrace(&self, glob: &CStr) -> Result {
        self.apply_regex(bindings::ftrace_set_notrace, glob, true)
    }

    /// Adds the functions matching `glob` to the notrace filter.
    pub fn add_notrace(&self, glob: &CStr) -> Result {
        self.apply_regex(bindings::ftrace_set_notrace, glob, false)
    }

    /// Adds the function at `function` to the filter.
    ///
    /// Fails with `EINVAL` if `function` is not the address of a traceable function.
    pub fn add_filter_function(&self, function: usize) -> Result {
        self.apply_ip(function, false)
    }

    /// Removes the function at `function` from the filter.
    ///
    /// Fails with `EINVAL` if `function` is not the address of a traceable function, and with
    /// `ENOENT` if the filter does not select it.
    pub fn remove_filter_function(&self, function: usize) -> Result {
        self.apply_ip(function, true)
    }

    /// Makes the filter select the functions at the addresses in `functions`, and no others.
    ///
    /// The change is made in one step: while registered, every traced function sees either the
    /// old filter or the new one. An empty `functions` empties the filter, which makes a
    /// registered ops trace every function. Fails with `EINVAL`, leaving the filter as it was, if
    /// an address is not that of a traceable function.
    pub fn set_filter_functions(&self, functions: &[usize]) -> Result {
        let count = c_uint::try_from(functions.len()).map_err(|_| E2BIG)?;
        let _registered = self.registered.lock();
        // SAFETY: `self.ops` is valid and `registered` is locked. ftrace only reads the `count`
        // addresses at `functions`, which is never null.
        to_result(unsafe {
            bindings::ftrace_set_filter_ips(
                self.ops.get(),
                functions.as_ptr().cast_mut(),
                count,
                0,
                1,
            )
        })
    }

    /// Returns the callsites of the functions the filter selects, sorted: the addresses
    /// [`FtraceOps::set_filter_functions`] takes, and [`location`] returns.
    pub fn filter_functions(&self) -> Result<KVVec<usize>> {
        let mut functions = KVVec::new();
        let _registered = self.registered.lock();
        loop {
            let room = c_uint::try_from(functions.capacity()).map_err(|_| E2BIG)?;
            // SAFETY: `self.ops` is valid and `registered` is locked; ftrace writes at most
            // `room` addresses into the spare capacity of `functions`.
            let count = unsafe {
                bindings::ftrace_get_filter_ips(self.ops.get(), functions.as_mut_ptr(), room)
            };
            let count = usize::try_from(count).map_err(|_| Error::from_errno(count))?;
            if count <= functions.capacity() {
                // SAFETY: ftrace initialised the first `count` entries, all within capacity.
                unsafe { functions.set_len(count) };
                functions.sort_unstable();
                return Ok(functions);
            }
            functions.reserve(count, GFP_KERNEL)?;
        }
    }

    /// Empties both the filter and the notrace filter.
    ///
    /// While registered, this traces every traceable function.
    pub fn reset_filters(&self) -> Result {
        let _registered = self.registered.lock();
        // SAFETY: `self.ops` is valid and `registered` is locked; a null buffer with `reset`
        // set empties the filter.
        to_result(unsafe {
            bindings::ftrace_set_filter(self.ops.get(), core::ptr::null_mut(), 0, 1)
        })?;
        // SAFETY: As above, for the notrace filter.
        to_result(unsafe {
            bindings::ftrace_set_notrace(self.ops.get(), core::ptr::null_mut(), 0, 1)
        })
    }

    fn apply_regex(
        &self,
        set: unsafe extern "C" fn(*mut bindings::ftrace_ops, *mut u8, c_int, c_int) -> c_int,
        glob: &CStr,
        reset: bool,
    ) -> Result {
        // ftrace parses the buffer in place: hand it a copy.
        let mut buf = KVec::new();
        buf.extend_from_slice(glob.as_bytes_with_nul(), GFP_KERNEL)?;
        let len = c_int::try_from(glob.len()).map_err(|_| EINVAL)?;
        let _registered = self.registered.lock();
        // SAFETY: `self.ops` is valid and `registered` is locked; `buf` holds `len` bytes and a
        // NUL, and is only used during the call.
        to_result(unsafe { set(self.ops.get(), buf.as_mut_ptr(), len, c_int::from(reset)) })
    }

    fn apply_ip(&self, function: usize, remove: bool) -> Result {
        let _registered = self.registered.lock();
        // SAFETY: `self.ops` is valid and `registered` is locked; ftrace checks the address.
        to_result(unsafe {
            bindings::ftrace_set_filter_ip(self.ops.get(), function, c_int::from(remove), 0)
        })
    }
}

/// What `ftrace_test_recursion_trylock()` returns when it lets a call through although the
/// context's own bit is taken.
const TRANSITION_BIT: c_int = bindings::TRACE_FTRACE_TRANSITION_BIT as c_int;

/// The `ftrace_func_t` of the [`FtraceOps<T>`] with [`Flags::RECURSION`]:
/// calls [`handle_call`] unless the handler already runs in this context on this CPU.
///
/// Has no patchable entry: tracing it would recurse before the check.
///
/// # Safety
///
/// As for [`handle_call`].
#[patchable_function_entry(prefix_nops = 0, entry_nops = 0)]
unsafe extern "C" fn handle_call_once<T: FtraceHandler>(
    ip: c_ulong,
    parent_ip: c_ulong,
    op: *mut bindings::ftrace_ops,
    fregs: *mut bindings::ftrace_regs,
) {
    // SAFETY: Any address may be given; `bit` is only used to unlock below.
    let bit = unsafe { bindings::ftrace_test_recursion_trylock(ip, parent_ip) };
    if bit < 0 {
        return;
    }
    // ftrace lets one call through in a context that is already inside the handler, in case it
    // is an interrupt that has not entered its own context yet: drop it all the same, as it is
    // as likely to be the handler calling a traced function.
    if bit != TRANSITION_BIT {
        // SAFETY: The caller's guarantees are passed on.
        unsafe { handle_call::<T>(ip, parent_ip, op, fregs) };
    }
    // SAFETY: `bit` is what the successful `trylock` above returned.
    unsafe { bindings::ftrace_test_recursion_unlock(bit) };
}

/// The `ftrace_func_t` of the other [`FtraceOps<T>`].
///
/// Has no patchable entry: tracing it would recurse without bound.
///
/// # Safety
///
/// `op` must be the `ops` field of a registered `FtraceOps<T>` and `fregs` the registers of
/// the call being traced; ftrace guarantees both.
#[inline(always)]
#[patchable_function_entry(prefix_nops = 0, entry_nops = 0)]
unsafe extern "C" fn handle_call<T: FtraceHandler>(
    ip: c_ulong,
    parent_ip: c_ulong,
    op: *mut bindings::ftrace_ops,
    fregs: *mut bindings::ftrace_regs,
) {
    // SAFETY: `op` is the `ops` field of an `FtraceOps<T>`, which stays valid while
    // registered; `Opaque` is transparent.
    let this =
        unsafe { &*container_of!(op.cast::<Opaque<bindings::ftrace_ops>>(), FtraceOps<T>, ops) };
    // SAFETY: With `DYNAMIC_FTRACE_WITH_ARGS`, `fregs` is always the saved registers of the
    // call, valid until we return.
    let regs = unsafe { FtraceRegs::from_raw(fregs) };
    this.handler.handle(ip, parent_ip, regs);
}

/// Waits until every call of a handler with [`Flags::RECURSION`] that has started has returned.
///
/// Such a handler runs with preemption disabled; this waits for every CPU to have been
/// preemptible since, wherever RCU was watching or not (`synchronize_rcu_tasks_rude()`). A
/// handler that has stopped tracing a function, with the filter already changed, may thus reuse
/// what it kept for that function.
///
/// # Context
///
/// Sleeps.
pub fn wait_for_handlers() {
    // SAFETY: May be called from any context that may sleep.
    unsafe { bindings::synchronize_rcu_tasks_rude() };
}

/// Returns the callsites of the functions `glob` selects, sorted.
///
/// `glob` is a glob (`*` and `?` wildcards) of function names, optionally followed by
/// `:mod:<module>` to select only functions of that module (as `set_ftrace_filter` does). Fails
/// with `ENOENT` if it selects no function.
///
/// # Examples
///
/// ```
/// use kernel::{bindings, c_str, ftrace};
///
/// let kfree = ftrace::location(bindings::kfree as *const () as usize);
/// assert_eq!(ftrace::functions_matching(c_str!("kfree"))?, [kfree.ok_or(EINVAL)?]);
/// assert_eq!(ftrace::functions_matching(c_str!("no_such_function_anywhere")), Err(ENOENT));
/// # Ok::<(), Error>(())
/// ```
pub fn functions_matching(glob: &CStr) -> Result<KVVec<usize>> {
    const MOD: &[u8] = b":mod:";
    let bytes = glob.as_bytes();
    let Some(at) = bytes.windows(MOD.len()).position(|w| w == MOD) else {
        return functions_named(glob);
    };
    let module = &bytes[at + MOD.len()..];
    let mut name = KVec::with_capacity(at + 1, GFP_KERNEL)?;
    name.extend_from_slice(&bytes[..at], GFP_KERNEL)?;
    name.push(0, GFP_KERNEL)?;
    let name = CStr::from_bytes_with_nul(&name)?;
    let mut functions = KVVec::new();
    for ip in functions_named(name)? {
        if crate::kallsyms::Symbol::lookup(ip).is_some_and(|symbol| symbol.module() == Some(module))
        {
            functions.push(ip, GFP_KERNEL)?;
        }
    }
    if functions.is_empty() {
        return Err(ENOENT);
    }
    Ok(functions)
}

/// Returns the callsites of the functions whose names match `glob`, sorted, or `ENOENT`.
fn functions_named(glob: &CStr) -> Result<KVVec<usize>> {
    // Filter an ops that is never registered, and read its filter back.
    let ops = KBox::pin_init(FtraceOps::new(Flags::NONE, Unregistered), GFP_KERNEL)?;
    ops.set_filter(glob)
        .map_err(|e| if e == EINVAL { ENOENT } else { e })?;
    ops.filter_functions()
}

/// The handler of an [`FtraceOps`] that is never registered, only filtered.
struct Unregistered;

impl FtraceHandler for Unregistered {
    fn handle(&self, _ip: usize, _parent_ip: usize, _regs: &FtraceRegs) {}
}

/// Creates the lock of an [`FtraceOps`]: unlocked, not registered.
///
/// Not generic and not inlined, so that the lock class key and name that `new_mutex!` makes are
/// this crate's: made in `FtraceOps::<T>::new`, the name would be in the module that instantiates
/// it, and lockdep would keep a dangling name once the module is unloaded.
#[inline(never)]
fn new_registration_lock() -> impl PinInit<Mutex<bool>> {
    new_mutex!(false, "FtraceOps::registered")
}

#[pinned_drop]
impl<T: FtraceHandler> PinnedDrop for FtraceOps<T> {
    fn drop(self: Pin<&mut Self>) {
        if let Err(e) = self.unregister() {
            pr_warn!("ftrace: unregistering ops failed: {:?}\n", e);
        }
        let _registered = self.registered.lock();
        // SAFETY: `self.ops` is not registered any more, so ftrace no longer uses its filters.
        unsafe { bindings::ftrace_free_filter(self.ops.get()) };
    }
}
