// SPDX-License-Identifier: GPL-2.0

//! Module parameters.
//!
//! The `params` key of the [`module!`] macro declares a module's parameters. Each parameter is a
//! [`ModuleParam`] static that the kernel's own parameter parser (`kernel/params.c`) fills in
//! from the `insmod` arguments, or from `module.name=value` on the kernel command line for a
//! built-in module, before the module's `init` runs. The parameters are read-only afterwards:
//! they get no file under `/sys/module/*/parameters`.
//!
//! C header: [`include/linux/moduleparam.h`](srctree/include/linux/moduleparam.h)
//!
//! # Examples
//!
//! The [`module!`] macro emits a [`ModuleParam`] static per parameter, in a `module_parameters`
//! module, and a [`KernelParam`] that describes it to the parser. Calling the parser by hand
//! shows the values a module would see:
//!
//! ```
//! use kernel::module_param::{KernelParam, ModuleParam, Str};
//! use kernel::{bindings, c_str, ThisModule};
//!
//! // SAFETY: Doctests are built-in code, whose `THIS_MODULE` is NULL.
//! static THIS_MODULE: ThisModule = unsafe { ThisModule::from_ptr(core::ptr::null_mut()) };
//! static CALLS: ModuleParam<u32> = ModuleParam::new(100);
//! static VERBOSE: ModuleParam<bool> = ModuleParam::new(false);
//! static FILTER: ModuleParam<Str> = ModuleParam::new_str(c_str!("kfree"));
//! static PARAMS: [KernelParam; 3] = [
//!     KernelParam::new(c_str!("calls"), &CALLS, &THIS_MODULE),
//!     KernelParam::new(c_str!("verbose"), &VERBOSE, &THIS_MODULE),
//!     KernelParam::new(c_str!("filter"), &FILTER, &THIS_MODULE),
//! ];
//!
//! assert_eq!(CALLS.get(), 100);
//! assert_eq!(FILTER.get().as_bytes(), b"kfree");
//!
//! // Parses `args` like `insmod` arguments.
//! let parse = |text: &[u8]| -> Result {
//!     let mut args = KVec::with_capacity(text.len() + 1, GFP_KERNEL)?;
//!     args.extend_from_slice(text, GFP_KERNEL)?;
//!     args.push(0, GFP_KERNEL)?;
//!     // SAFETY: `args` is a writable NUL-terminated string and `PARAMS` are valid parameters,
//!     // which nothing else reads or writes meanwhile.
//!     let rest = unsafe {
//!         bindings::parse_args(
//!             c_str!("example").as_char_ptr(),
//!             args.as_mut_ptr().cast(),
//!             PARAMS.as_ptr().cast(),
//!             PARAMS.len() as u32,
//!             i16::MIN,
//!             i16::MAX,
//!             core::ptr::null_mut(),
//!             None,
//!         )
//!     };
//!     kernel::error::from_err_ptr(rest).map(|_| ())
//! };
//!
//! parse(b"calls=42 verbose filter=vfs_*")?;
//! assert_eq!(CALLS.get(), 42);
//! assert!(VERBOSE.get());
//! assert_eq!(FILTER.get().as_bytes(), b"vfs_*");
//!
//! // An unparsable value is rejected and the parameter keeps its value.
//! assert_eq!(parse(b"calls=many"), Err(EINVAL));
//! assert_eq!(CALLS.get(), 42);
//!
//! // The parser copied `vfs_*` into an allocation that the module loader frees when it unloads
//! // a module. Free it here the same way.
//! // SAFETY: `PARAMS` are valid parameters, not used again.
//! unsafe { bindings::module_destroy_params(PARAMS.as_ptr().cast(), PARAMS.len() as u32) };
//! # Ok::<(), Error>(())
//! ```
//!
//! [`module!`]: crate::prelude::module

use crate::{bindings, str::CStr, ThisModule};
use core::cell::UnsafeCell;
use ffi::c_char;

/// A type that a module parameter can have.
///
/// The [`module!`](crate::prelude::module) macro names these types in `params` as `u8`, `i16`,
/// `u16`, `i32`, `u32`, `isize`, `usize`, `u64`, `bool` and `str` ([`Str`]).
///
/// # Safety
///
/// [`ParamType::OPS`] must point to the parser of a C parameter type whose storage
/// (`kernel_param::arg`) has the layout of [`ParamType::Storage`] and whose `set` only ever
/// stores values for which [`ParamType::load`] is sound.
pub unsafe trait ParamType {
    /// What the C parser writes, in the parameter's static.
    type Storage: Copy;

    /// What a module reads.
    type Value;

    /// The C parser of this type, e.g. `param_ops_uint` for `u32`.
    const OPS: *const bindings::kernel_param_ops;

    /// Converts the stored value into what [`ModuleParam::get`] returns.
    ///
    /// # Safety
    ///
    /// `storage` must have been written by [`ParamType::OPS`] or be a default that
    /// [`ModuleParam`] accepted.
    unsafe fn load(storage: Self::Storage) -> Self::Value;
}

macro_rules! impl_param_type {
    ($($type:ty => $ops:ident,)*) => {
        $(
            // SAFETY: The C parser behind `$ops` stores a `$type` and any bit pattern is valid.
            unsafe impl ParamType for $type {
                type Storage = $type;
                type Value = $type;
                const OPS: *const bindings::kernel_param_ops = &raw const bindings::$ops;

                unsafe fn load(storage: $type) -> $type {
                    storage
                }
            }
        )*
    };
}

impl_param_type! {
    u8 => param_ops_byte,
    i16 => param_ops_short,
    u16 => param_ops_ushort,
    i32 => param_ops_int,
    u32 => param_ops_uint,
    isize => param_ops_long,
    usize => param_ops_ulong,
    u64 => param_ops_ullong,
}

// SAFETY: `param_ops_bool` stores a C `bool`, which has the layout of `bool`, and only ever stores
// `true` or `false`.
unsafe impl ParamType for bool {
    type Storage = bool;
    type Value = bool;
    const OPS: *const bindings::kernel_param_ops = &raw const bindings::param_ops_bool;

    unsafe fn load(storage: bool) -> bool {
        storage
    }
}

/// The type of a string parameter (C `charp`).
///
/// The value is a NUL-terminated string of at most 1024 bytes.
///
/// # Lifetime
///
/// The value is `'static` in the sense every `'static` of a loadable module is: it lives as long
/// as the module's own statics and string literals, not as long as the kernel. The parser copies
/// a string given at `insmod` into an allocation that the module loader frees with the module's
/// memory, after the module's `exit` has returned (`module_destroy_params()`); a default is one
/// of the module's literals; a built-in module's value is never freed. The string is never
/// replaced while the module runs: a [`KernelParam`] has no sysfs file through which it could be
/// written, so the old value is never freed under a reader.
///
/// So what may keep the string after the module is gone must copy it, as it must copy any of the
/// module's literals: [`tracefs::Dir::new`](crate::tracefs::Dir::new) and
/// [`Instance::new`](crate::trace_instance::Instance::new) do, and the files and ops a module
/// creates are removed, or keep the module loaded, before its memory is freed.
pub enum Str {}

// SAFETY: `param_ops_charp` stores a `char *` to a NUL-terminated string that stays valid until
// the parameter is freed with the module's memory, and never stores NULL.
unsafe impl ParamType for Str {
    type Storage = *const c_char;
    type Value = &'static CStr;
    const OPS: *const bindings::kernel_param_ops = &raw const bindings::param_ops_charp;

    unsafe fn load(storage: *const c_char) -> &'static CStr {
        // SAFETY: By the safety requirements, `storage` points to a NUL-terminated string that
        // lives as long as the module's memory (see "Lifetime" above), as `'static` does in a
        // module.
        unsafe { CStr::from_char_ptr(storage) }
    }
}

/// The value of a module parameter.
///
/// # Invariants
///
/// `value` holds a default given to [`ModuleParam::new`] or [`ModuleParam::new_str`], or a value
/// that `T::OPS` stored. It is only written by the parameter parser, before the module's code
/// runs.
#[repr(transparent)]
pub struct ModuleParam<T: ParamType> {
    value: UnsafeCell<T::Storage>,
}

// SAFETY: The parser writes the value before any code of the module can read it, and the
// parameter has no sysfs file through which it could be written later, so it is only read
// concurrently. A `Str` value is an immutable string.
unsafe impl<T: ParamType> Sync for ModuleParam<T> {}

impl<T: ParamType<Storage = T>> ModuleParam<T> {
    /// Creates a parameter whose value is `default` unless the module is given another.
    pub const fn new(default: T) -> Self {
        // INVARIANT: `default` is a default.
        Self {
            value: UnsafeCell::new(default),
        }
    }
}

impl ModuleParam<Str> {
    /// Creates a string parameter whose value is `default` unless the module is given another.
    pub const fn new_str(default: &'static CStr) -> Self {
        // INVARIANT: `default` is a default.
        Self {
            value: UnsafeCell::new(default.as_char_ptr()),
        }
    }
}

impl<T: ParamType> ModuleParam<T> {
    /// Returns the parameter's value.
    pub fn get(&self) -> T::Value {
        // SAFETY: By the type invariant, nothing writes `value` once code can call this.
        let value = unsafe { *self.value.get() };
        // SAFETY: By the type invariant, `value` is a default or was stored by `T::OPS`.
        unsafe { T::load(value) }
    }

    /// Returns a raw pointer to the parameter's storage, as `kernel_param::arg` points to it.
    pub const fn as_ptr(&self) -> *mut T::Storage {
        self.value.get()
    }
}

/// The description of a module parameter for the parameter parser (`struct kernel_param`).
///
/// The [`module!`](crate::prelude::module) macro places one per parameter in the `__param`
/// section, where the module loader finds them.
#[repr(transparent)]
pub struct KernelParam(bindings::kernel_param);

// SAFETY: A `KernelParam` is never written after it is created; the pointers in it are to
// immutable strings, to the module and to a `Sync` [`ModuleParam`].
unsafe impl Sync for KernelParam {}

impl KernelParam {
    /// Describes `param`, called `name`, of `module`.
    ///
    /// `name` is the name the parser matches: the parameter's name for a loadable module,
    /// `module.name` for a built-in one. The parameter has no sysfs file (permissions 0) and is
    /// parsed at the default level, like C's `module_param()`.
    pub const fn new<T: ParamType>(
        name: &'static CStr,
        param: &'static ModuleParam<T>,
        module: &'static ThisModule,
    ) -> Self {
        Self(bindings::kernel_param {
            name: name.as_char_ptr(),
            mod_: module.as_ptr(),
            ops: T::OPS,
            perm: 0,
            level: -1,
            flags: 0,
            __bindgen_anon_1: bindings::kernel_param__bindgen_ty_1 {
                arg: param.as_ptr().cast(),
            },
        })
    }
}
