// SPDX-License-Identifier: GPL-2.0

//! References on loaded modules, which keep them from being removed.
//!
//! C header: [`include/linux/module.h`](srctree/include/linux/module.h)

use crate::{bindings, prelude::*, ThisModule};
use core::ptr::NonNull;

/// A reference on a loaded module (`try_module_get()`): while it exists, removing the module
/// fails with `EAGAIN`.
///
/// # Invariants
///
/// `self.0` is a module that `self` holds a reference on.
///
/// # Examples
///
/// ```
/// use kernel::bindings;
/// use kernel::module_ref::ModuleRef;
///
/// // The kernel's own code is in no module.
/// assert!(ModuleRef::of_address(bindings::kfree as *const () as usize)?.is_none());
/// # Ok::<(), Error>(())
/// ```
pub struct ModuleRef(NonNull<bindings::module>);

// SAFETY: A module reference may be dropped on any thread.
unsafe impl Send for ModuleRef {}

// SAFETY: `ModuleRef` has no methods that change it through `&self`.
unsafe impl Sync for ModuleRef {}

impl ModuleRef {
    /// Takes a reference on the module whose memory `address` is in.
    ///
    /// Returns [`None`] if no module has it (it is the kernel's, or nobody's), and fails with
    /// `ENOENT` if its module is being removed.
    pub fn of_address(address: usize) -> Result<Option<Self>> {
        // SAFETY: Disabling preemption keeps the module `__module_address()` finds from being
        // freed until the reference is taken; `try_module_get()` fails once removal has begun.
        unsafe {
            bindings::preempt_disable();
            let module = bindings::__module_address(address);
            let taken = !module.is_null() && bindings::try_module_get(module);
            bindings::preempt_enable();
            match NonNull::new(module) {
                None => Ok(None),
                // INVARIANT: The reference was taken.
                Some(module) if taken => Ok(Some(Self(module))),
                Some(_) => Err(ENOENT),
            }
        }
    }

    /// Whether the reference is on `module`.
    pub fn is(&self, module: &ThisModule) -> bool {
        self.0.as_ptr() == module.0
    }
}

impl Clone for ModuleRef {
    fn clone(&self) -> Self {
        // SAFETY: `self` holds a reference on the module, by the type invariant: another may be
        // taken unconditionally.
        unsafe { bindings::__module_get(self.0.as_ptr()) };
        // INVARIANT: The reference was taken.
        Self(self.0)
    }
}

impl PartialEq for ModuleRef {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Drop for ModuleRef {
    fn drop(&mut self) {
        // SAFETY: `self` holds a reference on the module, by the type invariant.
        unsafe { bindings::module_put(self.0.as_ptr()) };
    }
}
