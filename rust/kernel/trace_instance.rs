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
/// instance.print(0, format_args!("the answer is {}", 42));
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
    /// Creates the instance `name` with no events, or takes the instance of that name if there is
    /// one.
    pub fn new(name: &CStr) -> Result<Self> {
        // SAFETY: `name` is NUL-terminated; a null `systems` creates no event directories.
        let tr =
            unsafe { bindings::trace_array_get_by_name(name.as_char_ptr(), core::ptr::null()) };
        // INVARIANT: `trace_array_get_by_name()` returns the instance with a reference taken.
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
    /// May be called in any context, ftrace handlers included: it does not sleep or allocate.
    /// Writes nothing while the instance's `trace_printk` option is off.
    pub fn print(&self, ip: usize, args: fmt::Arguments<'_>) {
        // SAFETY: `self.tr` is a trace instance by the type invariant, which `new()` readied for
        // printing; `%pA` formats the `fmt::Arguments` its argument points to, live for the call.
        unsafe {
            bindings::trace_array_printk(
                self.tr.as_ptr(),
                ip,
                c"%pA\n".as_ptr(),
                core::ptr::from_ref(&args).cast::<core::ffi::c_void>(),
            )
        };
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
