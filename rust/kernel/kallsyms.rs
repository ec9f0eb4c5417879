// SPDX-License-Identifier: GPL-2.0

//! The names of kernel code addresses (kallsyms), Rust ones demangled.
//!
//! C header: [`include/linux/kallsyms.h`](srctree/include/linux/kallsyms.h)

use crate::{bindings, demangle::Demangle, str::CStr};
use ffi::c_char;

/// The symbol an address is in, copied out of kallsyms.
///
/// A copy: it stays valid after the module whose symbol it names is removed.
///
/// # Examples
///
/// ```
/// use kernel::{bindings, fmt, kallsyms::Symbol, str::CString};
///
/// let kfree = Symbol::lookup(bindings::kfree as *const () as usize + 4).ok_or(ENOENT)?;
/// assert_eq!(kfree.raw_name(), b"kfree");
/// assert_eq!((kfree.offset(), kfree.module()), (4, None));
///
/// let lookup = Symbol::lookup as fn(usize) -> Option<Symbol> as usize;
/// let name = CString::try_from_fmt(fmt!("{}", Symbol::lookup(lookup).ok_or(ENOENT)?.name()))?;
/// assert_eq!(name.as_bytes(), b"<kernel::kallsyms::Symbol>::lookup");
/// # Ok::<(), Error>(())
/// ```
pub struct Symbol {
    name: [u8; bindings::KSYM_NAME_LEN as usize],
    name_len: usize,
    offset: usize,
    module: [u8; bindings::MODULE_NAME_LEN],
    module_len: usize,
}

impl Symbol {
    /// Looks up the symbol `address` is in, in the kernel and in loaded modules.
    ///
    /// Returns [`None`] if no symbol contains `address`.
    pub fn lookup(address: usize) -> Option<Self> {
        let mut symbol = Symbol {
            name: [0; bindings::KSYM_NAME_LEN as usize],
            name_len: 0,
            offset: 0,
            module: [0; bindings::MODULE_NAME_LEN],
            module_len: 0,
        };
        let mut size = 0;
        let mut module: *mut c_char = core::ptr::null_mut();
        // SAFETY: Module memory, and the module name kallsyms points `module` at in it, is freed
        // an RCU grace period after the module leaves the list kallsyms searches: the name stays
        // valid until the unlock below.
        unsafe { bindings::rcu_read_lock() };
        // SAFETY: `name` has room for the `KSYM_NAME_LEN` bytes kallsyms writes; the other
        // pointers are valid for writes.
        let found = unsafe {
            bindings::kallsyms_lookup(
                address,
                &mut size,
                &mut symbol.offset,
                &mut module,
                symbol.name.as_mut_ptr().cast(),
            )
        };
        if !found.is_null() && !module.is_null() {
            // SAFETY: `module` is the NUL-terminated name of a module, valid as explained above.
            let module = unsafe { CStr::from_char_ptr(module) }.as_bytes();
            let module = module.get(..symbol.module.len()).unwrap_or(module);
            symbol.module[..module.len()].copy_from_slice(module);
            symbol.module_len = module.len();
        }
        // SAFETY: Paired with the `rcu_read_lock()` above.
        unsafe { bindings::rcu_read_unlock() };
        if found.is_null() {
            return None;
        }
        symbol.name_len = symbol.name.iter().position(|&b| b == 0)?;
        Some(symbol)
    }

    /// Returns the symbol's name, which displays demangled if it is a Rust symbol.
    pub fn name(&self) -> Demangle<'_> {
        Demangle::new(self.raw_name())
    }

    /// Returns the symbol's name as kallsyms has it: what `set_ftrace_filter` matches.
    pub fn raw_name(&self) -> &[u8] {
        &self.name[..self.name_len]
    }

    /// Returns how far into the symbol the address is.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Returns the name of the module the symbol is in, or [`None`] for the kernel.
    pub fn module(&self) -> Option<&[u8]> {
        (self.module_len > 0).then(|| &self.module[..self.module_len])
    }
}
