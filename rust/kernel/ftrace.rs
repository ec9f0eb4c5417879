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
use core::mem::ManuallyDrop;
use ffi::{c_int, c_uint, c_ulong};

/// The code run on entry to a traced function.
///
/// `'static`, as ftrace may keep calling a handler that outlives its owner: one whose
/// [`FtraceOps`] is leaked with [`core::mem::forget`] or an `Arc` cycle, or could not be
/// unregistered (see [`FtraceOps`]).
///
/// # Context
///
/// [`FtraceHandler::handle`] runs on entry to every function the filter of its [`FtraceOps`]
/// selects, on any CPU and in any context the traced function runs in: process, softirq, hardirq
/// and NMI context, with interrupts on or off, with locks held. It always runs with preemption
/// disabled and, unless the ops was made with [`FtraceOps::new_unprotected`], where RCU is
/// watching and never nested in itself. It therefore must not sleep, take a sleeping lock,
/// allocate memory (the allocators are not NMI-safe) or drop its own [`FtraceOps`], and should
/// be short. Not sleeping is a soundness requirement the types cannot express: a handler that
/// sleeps lets [`FtraceOps::unregister`] return while it still runs. Kernels with
/// `CONFIG_DEBUG_ATOMIC_SLEEP` name a handler that sleeps.
pub trait FtraceHandler: Sync + 'static {
    /// Called on entry to a traced function.
    ///
    /// `ip` is the traced function's callsite, as [`location`] returns it for the function's
    /// address; `parent_ip` is the address the traced function returns to; `regs` gives the
    /// traced function's arguments and registers at entry.
    ///
    /// # Context
    ///
    /// Any, with preemption disabled; see [`FtraceHandler`].
    fn handle(&self, ip: usize, parent_ip: usize, regs: &FtraceRegs);
}

/// The registers of a traced function at entry (`struct ftrace_regs`).
///
/// # Examples
///
/// What a handler sees of a call it traces:
///
/// ```
/// use core::sync::atomic::{AtomicUsize, Ordering};
/// use kernel::ftrace::{self, FtraceHandler, FtraceOps, FtraceRegs};
///
/// #[inline(never)]
/// #[allow(clippy::too_many_arguments)]
/// fn sum(
///     a: usize,
///     b: usize,
///     c: usize,
///     d: usize,
///     e: usize,
///     f: usize,
///     g: usize,
///     h: usize,
/// ) -> usize {
///     core::hint::black_box(a + b + c + d + e + f + g + h)
/// }
///
/// #[derive(Default)]
/// struct Seen {
///     ip: AtomicUsize,
///     parent_ip: AtomicUsize,
///     arguments: [AtomicUsize; FtraceRegs::REGISTER_ARGUMENTS],
///     past_registers: AtomicUsize,
///     stack_pointer: AtomicUsize,
///     instruction_pointer: AtomicUsize,
///     return_address: AtomicUsize,
/// }
///
/// impl FtraceHandler for Seen {
///     fn handle(&self, ip: usize, parent_ip: usize, regs: &FtraceRegs) {
///         self.ip.store(ip, Ordering::Relaxed);
///         self.parent_ip.store(parent_ip, Ordering::Relaxed);
///         for (n, argument) in self.arguments.iter().enumerate() {
///             argument.store(regs.argument(n).unwrap_or(usize::MAX), Ordering::Relaxed);
///         }
///         if regs.argument(FtraceRegs::REGISTER_ARGUMENTS).is_some() {
///             self.past_registers.fetch_add(1, Ordering::Relaxed);
///         }
///         self.stack_pointer.store(regs.stack_pointer(), Ordering::Relaxed);
///         self.instruction_pointer.store(regs.instruction_pointer(), Ordering::Relaxed);
///         #[cfg(any(CONFIG_ARM64, CONFIG_RISCV))]
///         self.return_address.store(regs.return_address(), Ordering::Relaxed);
///     }
/// }
///
/// # if !kernel::ftrace::rust_traceable_or_skip() { return Ok(()); }
/// let ops = KBox::pin_init(FtraceOps::new(Seen::default()), GFP_KERNEL)?;
/// let function = sum as fn(usize, usize, usize, usize, usize, usize, usize, usize) -> usize;
/// ops.add_filter_function(function as usize)?;
/// ops.register()?;
/// #[cfg(any(CONFIG_ARM64, CONFIG_RISCV))]
/// let caller_sp: usize;
/// // SAFETY: Only reads the stack pointer, which stays as it is until the call below returns.
/// #[cfg(CONFIG_ARM64)]
/// unsafe { core::arch::asm!("mov {}, sp", out(reg) caller_sp) };
/// // SAFETY: As above.
/// #[cfg(CONFIG_RISCV)]
/// unsafe { core::arch::asm!("mv {}, sp", out(reg) caller_sp) };
/// assert_eq!(core::hint::black_box(function)(11, 12, 13, 14, 15, 16, 17, 18), 116);
/// ops.unregister()?;
///
/// let seen = ops.handler();
/// let ip = seen.ip.load(Ordering::Relaxed);
/// assert_eq!(Some(ip), ftrace::location(function as usize));
/// for (n, argument) in seen.arguments.iter().enumerate() {
///     assert_eq!(argument.load(Ordering::Relaxed), 11 + n);
/// }
/// assert_eq!(seen.past_registers.load(Ordering::Relaxed), 0);
/// assert_ne!(seen.parent_ip.load(Ordering::Relaxed), 0);
/// // Where the traced function's stack, callsite and return address are, on the arches whose
/// // callsites this crate knows.
/// #[cfg(any(CONFIG_ARM64, CONFIG_RISCV))]
/// {
///     // The traced function has not pushed anything yet.
///     assert_eq!(seen.stack_pointer.load(Ordering::Relaxed), caller_sp);
///     // Right after the call ftrace patched in at the callsite: one instruction on arm64, an
///     // `auipc` and `jalr` pair on riscv.
///     let callsite_size = if cfg!(CONFIG_ARM64) { 4 } else { 8 };
///     assert_eq!(seen.instruction_pointer.load(Ordering::Relaxed), ip + callsite_size);
///     let return_address = seen.return_address.load(Ordering::Relaxed);
///     assert_eq!(return_address, seen.parent_ip.load(Ordering::Relaxed));
/// }
/// # Ok::<(), Error>(())
/// ```
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

    /// Returns the address execution continues at once the handlers return: right after the call
    /// ftrace patched in at the traced function's callsite (the `ip` handlers are given), unless
    /// a handler redirected it.
    #[inline]
    pub fn instruction_pointer(&self) -> usize {
        // SAFETY: `self.as_raw()` is valid by the type invariant.
        unsafe { bindings::ftrace_regs_get_instruction_pointer(self.as_raw()) }
    }

    /// Returns the address the traced function returns to.
    ///
    /// Only arm64 and riscv tell ftrace's handlers where that is.
    #[cfg(any(CONFIG_ARM64, CONFIG_RISCV))]
    #[inline]
    pub fn return_address(&self) -> usize {
        // SAFETY: `self.as_raw()` is valid by the type invariant.
        unsafe { bindings::ftrace_regs_get_return_address(self.as_raw()) }
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

/// Whether Rust functions can be traced: `CONFIG_RUST_FTRACE_CALLSITES`, which the architecture
/// and rustc decide. If they cannot, marks the KUnit test that needs them as skipped.
#[doc(hidden)]
#[cfg(CONFIG_RUST_KERNEL_DOCTESTS)]
pub fn rust_traceable_or_skip() -> bool {
    let traceable = cfg!(CONFIG_RUST_FTRACE_CALLSITES);
    if !traceable {
        crate::kunit::skip(crate::c_str!("CONFIG_RUST_FTRACE_CALLSITES is not set"));
    }
    traceable
}

/// A set of traced functions and the handler called on their entry (`struct ftrace_ops`).
///
/// The functions are chosen with filters, before or after [`FtraceOps::register`]; the handler
/// is called from registration until [`FtraceOps::unregister`], or until the [`FtraceOps`] is
/// dropped. Once either returns, no call of the handler is running any more and none will start.
///
/// ftrace traces every function with an empty filter. Here the filter of a registered ops is
/// never empty unless [`FtraceOps::trace_every_function`] asked for that: registering with an
/// empty filter, and any change that would empty the filter of a registered ops, fail with
/// `EINVAL`.
///
/// # Lifetime
///
/// While registered, ftrace keeps a pointer to the `struct ftrace_ops`, and calls the handler,
/// whose code may be a module's, through it. Both live in an allocation of their own, which
/// dropping the [`FtraceOps`] frees once it has unregistered, which waits for the handler calls
/// under way: a module that drops its [`FtraceOps`] before its exit returns leaves ftrace nothing
/// of it.
///
/// Where the ops cannot be unregistered, the allocation is leaked instead, with a warning, and the
/// ops is made to call an empty function of the kernel instead of the handler: when ftrace has
/// shut itself down after a bug ([`FtraceOps::unregister`] failed), and when the [`FtraceOps`] is
/// dropped by its own handler, which may not sleep. Handler calls already under way finish in the
/// handler. An [`FtraceOps`] leaked with [`core::mem::forget`] stays registered, as any leaked
/// registration does; its handler is `'static`.
///
/// # Invariants
///
/// `registration` is valid and pinned for as long as `self` exists: it is only freed by `drop`,
/// and only once ftrace has no pointer to it.
///
/// # Examples
///
/// Count the calls to `kfree()` that free one particular allocation:
///
/// ```
/// use core::sync::atomic::{AtomicUsize, Ordering};
/// use kernel::bindings;
/// use kernel::c_str;
/// use kernel::ftrace::{self, FtraceHandler, FtraceOps, FtraceRegs};
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
///     FtraceOps::new(FreeWatch {
///         ptr: ptr as usize,
///         hits: AtomicUsize::new(0),
///         ip: AtomicUsize::new(0),
///     }),
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
/// Bad input fails with an error and leaves the ops as it was; so does leaving a registered ops
/// with an empty filter, which would trace every function:
///
/// ```
/// use kernel::bindings;
/// use kernel::c_str;
/// use kernel::ftrace::{FtraceHandler, FtraceOps, FtraceRegs};
///
/// struct Nop;
///
/// impl FtraceHandler for Nop {
///     fn handle(&self, _ip: usize, _parent_ip: usize, _regs: &FtraceRegs) {}
/// }
///
/// let ops = KBox::pin_init(FtraceOps::new(Nop), GFP_KERNEL)?;
/// let kfree = bindings::kfree as *const () as usize;
/// assert_eq!(ops.register(), Err(EINVAL));
/// assert_eq!(ops.set_filter(c_str!("no_such_function_anywhere")), Err(EINVAL));
/// assert_eq!(ops.add_filter_function(1), Err(EINVAL));
/// assert_eq!(ops.remove_filter_function(kfree), Err(ENOENT));
/// ops.add_filter_function(kfree)?;
/// ops.register()?;
/// assert_eq!(ops.register(), Err(EBUSY));
/// assert_eq!(ops.add_filter(c_str!("no_such_function_anywhere")), Err(EINVAL));
/// assert_eq!(ops.remove_filter_function(kfree), Err(EINVAL));
/// assert_eq!(ops.add_filter(c_str!("!kfree")), Err(EINVAL));
/// assert_eq!(ops.set_filter(c_str!("!kfree")), Err(EINVAL));
/// assert_eq!(ops.set_filter_functions(&[]), Err(EINVAL));
/// assert_eq!(ops.reset_filters(), Err(EINVAL));
/// assert_eq!(ops.filter_functions()?.len(), 1);
/// ops.unregister()?;
/// ops.remove_filter_function(kfree)?;
/// assert_eq!(ops.remove_filter_function(kfree), Err(ENOENT));
/// # Ok::<(), Error>(())
/// ```
///
/// Rust functions are traced like C ones; their callsite, too, is what [`location`] returns.
/// That needs `CONFIG_RUST_FTRACE_CALLSITES`, which the architecture and rustc decide; without it,
/// Rust functions have no callsite:
///
/// ```
/// use core::sync::atomic::{AtomicUsize, Ordering};
/// use kernel::ftrace::{self, FtraceHandler, FtraceOps, FtraceRegs};
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
/// let function = double as fn(usize) -> usize as usize;
/// if !cfg!(CONFIG_RUST_FTRACE_CALLSITES) {
///     assert_eq!(ftrace::location(function), None);
///     # kernel::ftrace::rust_traceable_or_skip();
///     return Ok(());
/// }
/// let ops = KBox::pin_init(FtraceOps::new(LastArgument::default()), GFP_KERNEL)?;
/// ops.add_filter_function(function)?;
/// ops.register()?;
/// assert_eq!(core::hint::black_box(double)(21), 42);
/// ops.unregister()?;
///
/// assert_eq!(ops.handler().argument.load(Ordering::Relaxed), 21);
/// assert_eq!(Some(ops.handler().ip.load(Ordering::Relaxed)), ftrace::location(function));
/// # Ok::<(), Error>(())
/// ```
///
/// Unlike C on arm64, Rust functions end in tail calls: a function traced when it is reached by
/// one returns to, and reports as `parent_ip`, the caller of the function that jumped to it:
///
/// ```
/// use core::sync::atomic::{AtomicUsize, Ordering};
/// use kernel::ftrace::{FtraceHandler, FtraceOps, FtraceRegs};
/// use kernel::kallsyms::Symbol;
///
/// #[inline(never)]
/// fn traced(x: usize) -> usize {
///     core::hint::black_box(x) + 1
/// }
///
/// #[inline(never)]
/// fn calls(x: usize) -> usize {
///     traced(x ^ 3) * 2
/// }
///
/// #[inline(never)]
/// fn tail_calls(x: usize) -> usize {
///     traced(x ^ 3)
/// }
///
/// #[derive(Default)]
/// struct Parent(AtomicUsize);
///
/// impl FtraceHandler for Parent {
///     fn handle(&self, _ip: usize, parent_ip: usize, _regs: &FtraceRegs) {
///         self.0.store(parent_ip, Ordering::Relaxed);
///     }
/// }
///
/// let function_of = |address: usize| Symbol::lookup(address).map(|s| address - s.offset());
/// # if !kernel::ftrace::rust_traceable_or_skip() { return Ok(()); }
/// let ops = KBox::pin_init(FtraceOps::new(Parent::default()), GFP_KERNEL)?;
/// ops.add_filter_function(traced as fn(usize) -> usize as usize)?;
/// ops.register()?;
/// assert_eq!(core::hint::black_box(calls)(1), 6);
/// let called_from = function_of(ops.handler().0.load(Ordering::Relaxed));
/// assert_eq!(core::hint::black_box(tail_calls)(1), 3);
/// let jumped_from = function_of(ops.handler().0.load(Ordering::Relaxed));
/// ops.unregister()?;
///
/// assert_eq!(called_from, Some(calls as fn(usize) -> usize as usize));
/// assert!(jumped_from.is_some());
/// assert_ne!(jumped_from, Some(tail_calls as fn(usize) -> usize as usize));
/// # Ok::<(), Error>(())
/// ```
///
/// A handler that drops its own ops leaks it, harmlessly: the ops stays registered, calling
/// nothing, and the handler stays where it was:
///
/// ```
/// use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
/// use kernel::ftrace::{FtraceHandler, FtraceOps, FtraceRegs};
/// use kernel::{new_spinlock, sync::SpinLock};
///
/// #[inline(never)]
/// fn traced(x: usize) -> usize {
///     core::hint::black_box(x) + 1
/// }
///
/// #[pin_data]
/// struct DropsItsOps {
///     calls: AtomicUsize,
///     unregister_refused: AtomicBool,
///     #[pin]
///     ops: SpinLock<Option<Pin<KBox<FtraceOps<DropsItsOps>>>>>,
/// }
///
/// impl FtraceHandler for DropsItsOps {
///     fn handle(&self, _ip: usize, _parent_ip: usize, _regs: &FtraceRegs) {
///         self.calls.fetch_add(1, Ordering::Relaxed);
///         let ops = self.ops.lock().take();
///         if let Some(ops) = &ops {
///             // Unregistering would wait for this very call to return.
///             let refused = ops.unregister() == Err(EBUSY);
///             self.unregister_refused.store(refused, Ordering::Relaxed);
///         }
///         drop(ops);
///     }
/// }
///
/// # if !kernel::ftrace::rust_traceable_or_skip() { return Ok(()); }
/// let handler = try_pin_init!(DropsItsOps {
///     calls: AtomicUsize::new(0),
///     unregister_refused: AtomicBool::new(false),
///     ops <- new_spinlock!(None),
/// }? Error);
/// let ops = KBox::pin_init(FtraceOps::new(handler), GFP_KERNEL)?;
/// ops.add_filter_function(traced as fn(usize) -> usize as usize)?;
/// ops.register()?;
/// let handler: *const DropsItsOps = ops.handler();
/// // SAFETY: The handler lives as long as the ops, which it is about to own.
/// *unsafe { &*handler }.ops.lock() = Some(ops);
/// assert_eq!(core::hint::black_box(traced)(1), 2);
/// assert_eq!(core::hint::black_box(traced)(2), 3);
/// // SAFETY: Dropped by its handler, the ops was leaked, and the handler with it.
/// let handler = unsafe { &*handler };
/// assert_eq!(handler.calls.load(Ordering::Relaxed), 1);
/// assert!(handler.unregister_refused.load(Ordering::Relaxed));
/// # Ok::<(), Error>(())
/// ```
#[pin_data(PinnedDrop)]
pub struct FtraceOps<T: FtraceHandler> {
    registration: ManuallyDrop<Pin<KBox<Registration<T>>>>,
}

// SAFETY: ftrace may call the handler from any thread, which `T: Sync` allows; the `ftrace_ops` is
// only changed through ftrace's own locking and ours.
unsafe impl<T: FtraceHandler> Sync for FtraceOps<T> {}

// SAFETY: nothing in an `FtraceOps` is tied to the thread that created it.
unsafe impl<T: FtraceHandler + Send> Send for FtraceOps<T> {}

/// The signature of an ftrace callback (`ftrace_func_t`).
type Callback =
    unsafe extern "C" fn(c_ulong, c_ulong, *mut bindings::ftrace_ops, *mut bindings::ftrace_regs);

impl<T: FtraceHandler> FtraceOps<T> {
    /// Creates an unregistered [`FtraceOps`] with an empty filter.
    ///
    /// The handler is not called for the calls it makes itself: a traced function called,
    /// directly or not, by the handler (on the same CPU, in the same context: task, softirq,
    /// hardirq or NMI) is not handled, so the handler may call any function and trace itself.
    /// Nor is it called where RCU is not watching, so it may use RCU. An interrupt taken while
    /// the handler runs, and that calls a traced function before it has entered its own context,
    /// is not handled either. The checks cost 42 instructions per call on arm64 (see
    /// `Documentation/rust/ftrace.rst`), and are made by the Rust callback itself, which is not
    /// traceable, rather than by ftrace's assist function (`FTRACE_OPS_FL_RECURSION`,
    /// `FTRACE_OPS_FL_RCU`): a callsite that only this ops traces still calls it directly.
    ///
    /// # Context
    ///
    /// May sleep: allocates with `GFP_KERNEL`.
    pub fn new(handler: impl PinInit<T, Error>) -> impl PinInit<Self, Error> {
        Self::with_callback(call_protected::<T>, handler)
    }

    /// Creates an unregistered [`FtraceOps`] whose handler is called for every call of a traced
    /// function, nested in itself or where RCU is not watching included, as a C `ftrace_ops`
    /// without `FTRACE_OPS_FL_RECURSION` and `FTRACE_OPS_FL_RCU`. Preemption is still disabled
    /// around the handler.
    ///
    /// # Safety
    ///
    /// - Neither the handler nor anything it calls may call a function the filter selects, as
    ///   the handler would recurse without bound and overflow the stack. Functions of the kernel
    ///   crate and of `core` are traceable, so the filter must leave out any the handler may
    ///   call.
    /// - The handler must not rely on RCU (read-side critical sections, or APIs that use them
    ///   such as [`crate::kallsyms`]): it may run where RCU is not watching, and nothing then
    ///   keeps what RCU protects alive.
    /// - The handler must not drop the [`FtraceOps`]: with no recursion check, dropping it from
    ///   the handler would wait for the handler to return.
    ///
    /// # Context
    ///
    /// May sleep: allocates with `GFP_KERNEL`.
    pub unsafe fn new_unprotected(handler: impl PinInit<T, Error>) -> impl PinInit<Self, Error> {
        Self::with_callback(call_unprotected::<T>, handler)
    }

    fn with_callback(
        callback: Callback,
        handler: impl PinInit<T, Error>,
    ) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            registration: ManuallyDrop::new(KBox::pin_init(
                Registration::new(callback, handler),
                GFP_KERNEL
            )?),
        }? Error)
    }

    /// Returns the handler.
    pub fn handler(&self) -> &T {
        &self.registration.handler
    }

    /// Starts calling the handler on entry to the functions the filters select.
    ///
    /// Fails with `EBUSY` if already registered or called from a handler, which may not sleep,
    /// with `EINVAL` if the filter is empty and
    /// [`FtraceOps::trace_every_function`] was not called, and with the error ftrace returns
    /// otherwise; nothing is registered then.
    ///
    /// # Context
    ///
    /// Sleeps.
    pub fn register(&self) -> Result {
        refuse_in_handler()?;
        let r = &self.registration;
        let mut state = r.state.lock();
        if state.registered {
            return Err(EBUSY);
        }
        if !state.every_function && r.filter_len()? == 0 {
            return Err(EINVAL);
        }
        // SAFETY: `r.ops` is pinned and stays valid until it is unregistered, or forever if that
        // fails; `state` is locked, as the type invariant of `Registration` requires.
        to_result(unsafe { bindings::register_ftrace_function(r.ops.get()) })?;
        // INVARIANT: `ops` is registered, and `registered` says so.
        state.registered = true;
        Ok(())
    }

    /// Stops calling the handler; once this returns, no call of it is running any more.
    ///
    /// Does nothing if not registered. Fails with `EBUSY` when called from a handler, which may
    /// not sleep, and with `ENODEV` once ftrace has shut itself down after a bug: the ops then
    /// stays registered, ftrace may still call the handler, and dropping the [`FtraceOps`] leaks
    /// it.
    ///
    /// # Context
    ///
    /// Sleeps: waits for the handler calls under way on every CPU.
    ///
    /// # Examples
    ///
    /// An ops that ftrace fails to unregister is leaked, harmlessly: ftrace calls an empty
    /// function instead of its handler, and the handler stays where it was.
    ///
    /// ```
    /// use core::sync::atomic::{AtomicUsize, Ordering};
    /// use kernel::ftrace::{self, FtraceHandler, FtraceOps, FtraceRegs};
    ///
    /// #[inline(never)]
    /// fn traced(x: usize) -> usize {
    ///     core::hint::black_box(x) + 1
    /// }
    ///
    /// #[derive(Default)]
    /// struct Count(AtomicUsize);
    ///
    /// impl FtraceHandler for Count {
    ///     fn handle(&self, _ip: usize, _parent_ip: usize, _regs: &FtraceRegs) {
    ///         self.0.fetch_add(1, Ordering::Relaxed);
    ///     }
    /// }
    ///
    /// # if !kernel::ftrace::rust_traceable_or_skip() { return Ok(()); }
    /// let ops = KBox::pin_init(FtraceOps::new(Count::default()), GFP_KERNEL)?;
    /// ops.add_filter_function(traced as fn(usize) -> usize as usize)?;
    /// ops.register()?;
    /// ftrace::fail_next_unregister();
    /// assert_eq!(ops.unregister(), Err(ENODEV));
    /// assert_eq!(core::hint::black_box(traced)(1), 2);
    /// assert_eq!(ops.handler().0.load(Ordering::Relaxed), 1);
    ///
    /// let handler: *const Count = ops.handler();
    /// ftrace::fail_next_unregister();
    /// drop(ops);
    /// assert_eq!(core::hint::black_box(traced)(2), 3);
    /// // SAFETY: The ops could not be unregistered, so it was leaked, and the handler with it.
    /// assert_eq!(unsafe { &*handler }.0.load(Ordering::Relaxed), 1);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn unregister(&self) -> Result {
        refuse_in_handler()?;
        let r = &self.registration;
        r.unregister_locked(&mut r.state.lock())
    }

    /// Makes the filter select the functions matching `glob`, and no others.
    ///
    /// `glob` is a glob (`*` and `?` wildcards) of function names. Fails with `EINVAL`, leaving
    /// the filter as it was, if `glob` selects no function, or if it starts with `!` while
    /// registered (that would empty the filter). To select the functions of one module, pass
    /// what [`functions_matching`] returns for `glob:mod:<module>` to
    /// [`FtraceOps::set_filter_functions`].
    pub fn set_filter(&self, glob: &CStr) -> Result {
        let mut state = self.registration.state.lock();
        if state.registered && glob.as_bytes().first() == Some(&b'!') {
            return Err(EINVAL);
        }
        self.registration
            .apply_regex(bindings::ftrace_set_filter, glob, true)?;
        state.every_function = false;
        Ok(())
    }

    /// Adds the functions matching `glob` to the filter; see [`FtraceOps::set_filter`].
    ///
    /// A `!` in front of `glob` removes the functions matching the rest from the filter; that
    /// fails with `EINVAL` if it would empty the filter of a registered ops.
    pub fn add_filter(&self, glob: &CStr) -> Result {
        // Looked up before locking: the lookup filters an ops of its own, whose lock has the same
        // lock class.
        let removed = match glob.as_bytes_with_nul().split_first() {
            Some((b'!', rest)) => functions_matching(CStr::from_bytes_with_nul(rest)?).ok(),
            _ => None,
        };
        let mut state = self.registration.state.lock();
        if let (true, Some(removed)) = (state.registered, removed) {
            let selected = self.registration.filter_locked()?;
            if selected.iter().all(|ip| removed.binary_search(ip).is_ok()) {
                return Err(EINVAL);
            }
        }
        self.registration
            .apply_regex(bindings::ftrace_set_filter, glob, false)?;
        state.every_function = false;
        Ok(())
    }

    /// Makes the notrace filter select the functions matching `glob`, and no others.
    ///
    /// Functions the notrace filter selects are not traced, even if the filter selects them.
    pub fn set_notrace(&self, glob: &CStr) -> Result {
        let _state = self.registration.state.lock();
        self.registration
            .apply_regex(bindings::ftrace_set_notrace, glob, true)
    }

    /// Adds the functions matching `glob` to the notrace filter.
    pub fn add_notrace(&self, glob: &CStr) -> Result {
        let _state = self.registration.state.lock();
        self.registration
            .apply_regex(bindings::ftrace_set_notrace, glob, false)
    }

    /// Adds the function at `function` to the filter.
    ///
    /// Fails with `EINVAL` if `function` is not the address of a traceable function.
    pub fn add_filter_function(&self, function: usize) -> Result {
        let mut state = self.registration.state.lock();
        self.registration.apply_ip(function, false)?;
        state.every_function = false;
        Ok(())
    }

    /// Removes the function at `function` from the filter.
    ///
    /// Fails with `EINVAL` if `function` is not the address of a traceable function, or is the
    /// last function the filter of a registered ops selects, and with `ENOENT` if the filter does
    /// not select it.
    pub fn remove_filter_function(&self, function: usize) -> Result {
        let mut state = self.registration.state.lock();
        if state.registered {
            let selected = self.registration.filter_locked()?;
            if selected.len() == 1 && location(function) == selected.first().copied() {
                return Err(EINVAL);
            }
        }
        self.registration.apply_ip(function, true)?;
        state.every_function = false;
        Ok(())
    }

    /// Makes the filter select the functions at the addresses in `functions`, and no others.
    ///
    /// The change is made in one step: while registered, every traced function sees either the
    /// old filter or the new one. Fails with `EINVAL`, leaving the filter as it was, if an
    /// address is not that of a traceable function, or if `functions` is empty while registered.
    pub fn set_filter_functions(&self, functions: &[usize]) -> Result {
        let count = c_uint::try_from(functions.len()).map_err(|_| E2BIG)?;
        let mut state = self.registration.state.lock();
        if state.registered && functions.is_empty() {
            return Err(EINVAL);
        }
        // SAFETY: `ops` is valid and `state` is locked. ftrace only reads the `count` addresses
        // at `functions`, which is never null.
        to_result(unsafe {
            bindings::ftrace_set_filter_ips(
                self.registration.ops.get(),
                functions.as_ptr().cast_mut(),
                count,
                0,
                1,
            )
        })?;
        state.every_function = false;
        Ok(())
    }

    /// Returns the callsites of the functions the filter selects, sorted: the addresses
    /// [`FtraceOps::set_filter_functions`] takes, and [`location`] returns.
    pub fn filter_functions(&self) -> Result<KVVec<usize>> {
        let _state = self.registration.state.lock();
        self.registration.filter_locked()
    }

    /// Empties both the filter and the notrace filter.
    ///
    /// Fails with `EINVAL` while registered, as that would trace every function.
    pub fn reset_filters(&self) -> Result {
        let mut state = self.registration.state.lock();
        if state.registered {
            return Err(EINVAL);
        }
        self.registration
            .reset_filter(bindings::ftrace_set_filter)?;
        self.registration
            .reset_filter(bindings::ftrace_set_notrace)?;
        state.every_function = false;
        Ok(())
    }

    /// Empties the filter, to trace every traceable function of the kernel but those the notrace
    /// filter selects.
    ///
    /// The handler is then called on entry to nearly every function, in every context, which
    /// slows the whole kernel down. Until the filter changes again, registering with its empty
    /// filter is allowed.
    pub fn trace_every_function(&self) -> Result {
        let mut state = self.registration.state.lock();
        self.registration
            .reset_filter(bindings::ftrace_set_filter)?;
        state.every_function = true;
        Ok(())
    }
}

#[pinned_drop]
impl<T: FtraceHandler> PinnedDrop for FtraceOps<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: `registration` is not structurally pinned (it is pinned on its own), and `self`
        // is not used after this.
        let this = unsafe { self.get_unchecked_mut() };
        match this.registration.shut_down() {
            // SAFETY: ftrace has no pointer to the registration any more and, `self` going away,
            // nothing else has; it is not used again.
            Ok(()) => unsafe { ManuallyDrop::drop(&mut this.registration) },
            Err(e) => this.registration.abandon(e),
        }
    }
}

/// The part of an [`FtraceOps`] that ftrace may use while it is registered, in an allocation of
/// its own so that it can be leaked where it cannot be unregistered.
///
/// # Invariants
///
/// `ops` is registered with ftrace at most while `state.registered` is true, and its `func` is a
/// [`Callback`] for `Registration<T>`, or [`call_nothing`]. Every call into ftrace that takes
/// `ops`, but for the handler calls, is made with `state` locked: the first of them initialises
/// `ops`' filter state without locking.
#[pin_data]
struct Registration<T: FtraceHandler> {
    #[pin]
    ops: Opaque<bindings::ftrace_ops>,
    #[pin]
    state: Mutex<State>,
    #[pin]
    handler: T,
}

/// What the lock of a [`Registration`] protects.
struct State {
    /// Whether ftrace has the ops.
    registered: bool,
    /// Whether [`FtraceOps::trace_every_function`] emptied the filter, and nothing changed it
    /// since.
    every_function: bool,
}

impl<T: FtraceHandler> Registration<T> {
    fn new(callback: Callback, handler: impl PinInit<T, Error>) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            ops <- Opaque::ffi_init(move |slot: *mut bindings::ftrace_ops| {
                // SAFETY: `slot` is valid for writes. An all-zero `ftrace_ops` is what C's
                // static and `kzalloc()`ed ops start from; ftrace initialises the rest on first
                // use.
                unsafe {
                    slot.write(bindings::ftrace_ops {
                        func: Some(callback),
                        ..Default::default()
                    })
                };
            }),
            state <- new_registration_lock(),
            handler <- handler,
        }? Error)
    }

    /// Returns how many functions the filter selects.
    fn filter_len(&self) -> Result<usize> {
        // SAFETY: `self.ops` is valid; ftrace stores nothing with room for nothing.
        let count =
            unsafe { bindings::ftrace_get_filter_ips(self.ops.get(), core::ptr::null_mut(), 0) };
        usize::try_from(count).map_err(|_| Error::from_errno(count))
    }

    /// Returns the callsites the filter selects, sorted. Called with `state` locked.
    fn filter_locked(&self) -> Result<KVVec<usize>> {
        let mut functions = KVVec::new();
        loop {
            let room = c_uint::try_from(functions.capacity()).map_err(|_| E2BIG)?;
            // SAFETY: `self.ops` is valid and `state` is locked; ftrace writes at most `room`
            // addresses into the spare capacity of `functions`.
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

    /// Empties the filter that `set` sets. Called with `state` locked.
    fn reset_filter(
        &self,
        set: unsafe extern "C" fn(*mut bindings::ftrace_ops, *mut u8, c_int, c_int) -> c_int,
    ) -> Result {
        // SAFETY: `self.ops` is valid and `state` is locked; a null buffer with `reset` set
        // empties the filter.
        to_result(unsafe { set(self.ops.get(), core::ptr::null_mut(), 0, 1) })
    }

    /// Applies `glob` to the filter that `set` sets. Called with `state` locked.
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
        // SAFETY: `self.ops` is valid and `state` is locked; `buf` holds `len` bytes and a NUL,
        // and is only used during the call.
        to_result(unsafe { set(self.ops.get(), buf.as_mut_ptr(), len, c_int::from(reset)) })
    }

    /// Adds `function` to the filter, or removes it. Called with `state` locked.
    fn apply_ip(&self, function: usize, remove: bool) -> Result {
        // SAFETY: `self.ops` is valid and `state` is locked; ftrace checks the address.
        to_result(unsafe {
            bindings::ftrace_set_filter_ip(self.ops.get(), function, c_int::from(remove), 0)
        })
    }

    /// Takes the ops from ftrace if it is registered; `state` is what `self.state` holds, locked.
    fn unregister_locked(&self, state: &mut State) -> Result {
        if !state.registered {
            return Ok(());
        }
        if unregister_fails_for_test() {
            return Err(ENODEV);
        }
        // SAFETY: `self.ops` is registered, and `state` locked.
        to_result(unsafe { bindings::unregister_ftrace_function(self.ops.get()) })?;
        // INVARIANT: ftrace has let go of `ops`.
        state.registered = false;
        Ok(())
    }

    /// Unregisters and frees the filters, so that the registration may be freed.
    ///
    /// Fails where that cannot be done: inside a handler, which may not sleep (`EBUSY`), and
    /// when ftrace fails to unregister.
    fn shut_down(&self) -> Result {
        refuse_in_handler()?;
        let mut state = self.state.lock();
        self.unregister_locked(&mut state)?;
        // SAFETY: `self.ops` is not registered, so ftrace no longer uses its filters.
        unsafe { bindings::ftrace_free_filter(self.ops.get()) };
        Ok(())
    }

    /// Makes ftrace, which may still call the ops, call [`call_nothing`] instead of the handler,
    /// whose code may go with its module: the registration is then leaked.
    fn abandon(&self, err: Error) {
        // INVARIANT: `call_nothing` is a callback any ops may have.
        // SAFETY: `self.ops` is valid. ftrace reads `func` on every call through the ops, and an
        // aligned pointer is stored whole.
        unsafe {
            core::ptr::addr_of_mut!((*self.ops.get()).func)
                .write_volatile(Some(call_nothing as Callback))
        };
        pr_warn!(
            "ftrace: cannot unregister an ops ({}): leaking it, its handler no longer called\n",
            err.to_errno()
        );
    }
}

/// Fails with `EBUSY` inside a handler made by [`FtraceOps::new`] (in any context of the current
/// task), where sleeping, and so registering or unregistering, is not allowed.
fn refuse_in_handler() -> Result {
    // SAFETY: Only reads the current task's recursion bits.
    if unsafe { bindings::ftrace_in_handler() } {
        return Err(EBUSY);
    }
    Ok(())
}

/// Makes the next unregistration fail as if ftrace had shut itself down after a bug, so that a
/// test can show what becomes of the ops.
#[cfg(CONFIG_RUST_KERNEL_DOCTESTS)]
#[doc(hidden)]
pub fn fail_next_unregister() {
    FAIL_NEXT_UNREGISTER.store(true, core::sync::atomic::Ordering::Relaxed);
}

#[cfg(CONFIG_RUST_KERNEL_DOCTESTS)]
static FAIL_NEXT_UNREGISTER: core::sync::atomic::AtomicBool =
    core::sync::atomic::AtomicBool::new(false);

/// Whether a test asked [`fail_next_unregister`] for this unregistration to fail.
#[cfg(CONFIG_RUST_KERNEL_DOCTESTS)]
fn unregister_fails_for_test() -> bool {
    FAIL_NEXT_UNREGISTER.swap(false, core::sync::atomic::Ordering::Relaxed)
}

#[cfg(not(CONFIG_RUST_KERNEL_DOCTESTS))]
fn unregister_fails_for_test() -> bool {
    false
}

/// The callback of an [`FtraceOps<T>`] made by [`FtraceOps::new`]: calls [`call_handler`] unless
/// the handler already runs in this context on this CPU, or RCU is not watching.
///
/// Has no patchable entry: tracing it would recurse before the check.
///
/// # Safety
///
/// As for [`call_handler`].
#[patchable_function_entry(prefix_nops = 0, entry_nops = 0)]
unsafe extern "C" fn call_protected<T: FtraceHandler>(
    ip: c_ulong,
    parent_ip: c_ulong,
    op: *mut bindings::ftrace_ops,
    fregs: *mut bindings::ftrace_regs,
) {
    // SAFETY: Any addresses may be given; a `bit` that is not negative is only used to leave.
    let bit = unsafe { bindings::ftrace_handler_enter(ip, parent_ip) };
    if bit < 0 {
        return;
    }
    // SAFETY: The caller's guarantees are passed on.
    unsafe { call_handler::<T>(ip, parent_ip, op, fregs) };
    // SAFETY: `bit` is what the successful enter above returned.
    unsafe { bindings::ftrace_handler_exit(bit) };
}

/// The callback of an [`FtraceOps<T>`] made by [`FtraceOps::new_unprotected`]: calls
/// [`call_handler`] with preemption disabled.
///
/// Has no patchable entry: tracing it would recurse without bound.
///
/// # Safety
///
/// As for [`call_handler`].
#[patchable_function_entry(prefix_nops = 0, entry_nops = 0)]
unsafe extern "C" fn call_unprotected<T: FtraceHandler>(
    ip: c_ulong,
    parent_ip: c_ulong,
    op: *mut bindings::ftrace_ops,
    fregs: *mut bindings::ftrace_regs,
) {
    preempt_disable_notrace();
    // SAFETY: The caller's guarantees are passed on.
    unsafe { call_handler::<T>(ip, parent_ip, op, fregs) };
    preempt_enable_notrace();
}

/// Disables preemption, without calling anything traceable.
#[cfg(CONFIG_PREEMPT_COUNT)]
#[inline(always)]
fn preempt_disable_notrace() {
    // SAFETY: Always allowed; undone by `preempt_enable_notrace()`.
    unsafe { bindings::ftrace_handler_preempt_disable() };
}

/// Enables preemption again, without calling anything traceable.
#[cfg(CONFIG_PREEMPT_COUNT)]
#[inline(always)]
fn preempt_enable_notrace() {
    // SAFETY: Called after `preempt_disable_notrace()`.
    unsafe { bindings::ftrace_handler_preempt_enable() };
}

/// Without a preemption count the kernel is not preemptible: a compiler barrier is all it takes.
#[cfg(not(CONFIG_PREEMPT_COUNT))]
#[inline(always)]
fn preempt_disable_notrace() {
    core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
}

#[cfg(not(CONFIG_PREEMPT_COUNT))]
#[inline(always)]
fn preempt_enable_notrace() {
    core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
}

/// Calls the handler of the [`FtraceOps<T>`] whose ops is `op`.
///
/// # Safety
///
/// `op` must be the `ops` field of a registered `Registration<T>` and `fregs` the registers of
/// the call being traced; ftrace guarantees both.
#[inline(always)]
#[patchable_function_entry(prefix_nops = 0, entry_nops = 0)]
unsafe fn call_handler<T: FtraceHandler>(
    ip: c_ulong,
    parent_ip: c_ulong,
    op: *mut bindings::ftrace_ops,
    fregs: *mut bindings::ftrace_regs,
) {
    // SAFETY: `op` is the `ops` field of a `Registration<T>`, which stays valid while
    // registered; `Opaque` is transparent.
    let this = unsafe {
        &*container_of!(
            op.cast::<Opaque<bindings::ftrace_ops>>(),
            Registration<T>,
            ops
        )
    };
    // SAFETY: With `DYNAMIC_FTRACE_WITH_ARGS`, `fregs` is always the saved registers of the
    // call, valid until we return.
    let regs = unsafe { FtraceRegs::from_raw(fregs) };
    this.handler.handle(ip, parent_ip, regs);
}

/// The callback of an ops that could not be unregistered: does nothing. Part of the kernel, not
/// of a module, so that it stays when the module that made the ops goes.
///
/// # Safety
///
/// None: any arguments may be given.
#[patchable_function_entry(prefix_nops = 0, entry_nops = 0)]
unsafe extern "C" fn call_nothing(
    _ip: c_ulong,
    _parent_ip: c_ulong,
    _op: *mut bindings::ftrace_ops,
    _fregs: *mut bindings::ftrace_regs,
) {
}

/// Waits until every handler call that has started has returned.
///
/// Handlers run with preemption disabled; this waits for every CPU to have been preemptible
/// since, wherever RCU was watching or not (`synchronize_rcu_tasks_rude()`). A handler that has
/// stopped tracing a function, with the filter already changed, may thus reuse what it kept for
/// that function.
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
    let ops = KBox::pin_init(FtraceOps::new(Unregistered), GFP_KERNEL)?;
    ops.set_filter(glob)
        .map_err(|e| if e == EINVAL { ENOENT } else { e })?;
    ops.filter_functions()
}

/// The handler of an [`FtraceOps`] that is never registered, only filtered.
struct Unregistered;

impl FtraceHandler for Unregistered {
    fn handle(&self, _ip: usize, _parent_ip: usize, _regs: &FtraceRegs) {}
}

/// Creates the lock of a [`Registration`]: unlocked, not registered.
///
/// Not generic and not inlined, so that the lock class key and name that `new_mutex!` makes are
/// this crate's: made in `Registration::<T>::new`, the name would be in the module that
/// instantiates it, and lockdep would keep a dangling name once the module is unloaded.
#[inline(never)]
fn new_registration_lock() -> impl PinInit<Mutex<State>> {
    new_mutex!(
        State {
            registered: false,
            every_function: false,
        },
        "FtraceOps::registered"
    )
}
