// SPDX-License-Identifier: GPL-2.0

//! Trace instances: ring buffers of their own, in tracefs' `instances/` directory.
//!
//! C header: [`include/linux/trace.h`](srctree/include/linux/trace.h)
//!
//! Reference: <https://docs.kernel.org/trace/ftrace.html#instances>

use crate::{bindings, error::to_result, prelude::*};
use core::{fmt, ptr::NonNull};

/// A trace instance (`struct trace_array`), for a module to write lines of text into.
///
/// Users read it like any instance: `/sys/kernel/tracing/instances/<name>/trace` or
/// `trace_pipe`. The instance is removed when dropped, unless a user still has one of its files
/// open; it is then left to them to `rmdir`.
///
/// # Lifetime
///
/// The instance is the tracing core's, and keeps nothing of the module that created it: its
/// events are formatted into the buffer when they are written, and the addresses in them are
/// only numbers, named when the buffer is read. It may outlive the module.
///
/// # Invariants
///
/// `tr` is a trace instance that `self` holds a reference on.
///
/// # Examples
///
/// ```
/// use kernel::c_str;
/// use kernel::trace_instance::Instance;
///
/// let instance = Instance::new(c_str!("rust_instance_doctest"))?;
/// assert!(instance.print(0, format_args!("the answer is {}", 42)));
/// assert_eq!(Instance::new(c_str!("rust_instance_doctest")).err(), Some(EEXIST));
///
/// // What `cat /sys/kernel/tracing/instances/rust_instance_doctest/trace` shows: one event,
/// // the line printed.
/// let trace = kernel::tracefs::read_to_end(c_str!("instances/rust_instance_doctest/trace"))?;
/// let mut events = trace
///     .split(|&c| c == b'\n')
///     .filter(|line| !line.is_empty() && !line.starts_with(b"#"));
/// assert!(events.next().is_some_and(|line| line.ends_with(b": the answer is 42")));
/// assert!(events.next().is_none());
/// # Ok::<(), Error>(())
/// ```
pub struct Instance {
    tr: NonNull<bindings::trace_array>,
}

// SAFETY: Trace instances may be written to and released from any thread.
unsafe impl Send for Instance {}

// SAFETY: `trace_array_printk()` may be called concurrently, from any context.
unsafe impl Sync for Instance {}

impl Instance {
    /// Creates the instance `name`, with no event directories.
    ///
    /// Fails with `EEXIST` if there is an instance of that name already: one a user made with
    /// `mkdir`, or another [`Instance`]. It is left alone.
    ///
    /// The instance takes its options from the top level as they are when it is created, those it
    /// has no file for included: if `options/trace_printk` is off then, [`Instance::print`]
    /// writes nothing into this instance, ever.
    pub fn new(name: &CStr) -> Result<Self> {
        // SAFETY: `name` is NUL-terminated; the empty list of systems creates no event
        // directories.
        let tr = unsafe {
            bindings::trace_array_create_new(name.as_char_ptr(), crate::c_str!("").as_char_ptr())
        };
        let tr = crate::error::from_err_ptr(tr)?;
        // INVARIANT: `trace_array_create_new()` returns the instance with a reference taken.
        let instance = Self {
            tr: NonNull::new(tr).ok_or(ENOMEM)?,
        };
        // SAFETY: `instance.tr` is a trace instance, by the type invariant.
        to_result(unsafe { bindings::trace_array_init_printk(instance.tr.as_ptr()) })?;
        Ok(instance)
    }

    /// Writes `args` and a newline to the instance's buffer as one print event, shown with the
    /// symbol of `ip` in front, as `trace_array_printk()` does.
    ///
    /// Returns whether the event was written: it is not while the instance is off
    /// (`tracing_on`), or the instance's `trace_printk` option is, or when the buffer is full and
    /// does not overwrite.
    ///
    /// May be called in any context, ftrace handlers included: it does not sleep or allocate.
    pub fn print(&self, ip: usize, args: fmt::Arguments<'_>) -> bool {
        // SAFETY: `self.tr` is a trace instance by the type invariant, which `new()` readied for
        // printing; `%pA` formats the `fmt::Arguments` its argument points to, live for the call.
        let written = unsafe {
            bindings::trace_array_printk(
                self.tr.as_ptr(),
                ip,
                crate::c_str!("%pA\n").as_char_ptr(),
                core::ptr::from_ref(&args).cast::<core::ffi::c_void>(),
            )
        };
        written > 0
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        // SAFETY: `self.tr` is referenced by the type invariant; `trace_array_destroy()` only
        // removes it if it is still an instance and nobody else holds it.
        unsafe {
            bindings::trace_array_put(self.tr.as_ptr());
            bindings::trace_array_destroy(self.tr.as_ptr());
        }
    }
}
