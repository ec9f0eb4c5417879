// SPDX-License-Identifier: GPL-2.0

//! Directories and files in the tracing file system (tracefs).
//!
//! A [`Dir`] is a directory of tracefs and a [`File`] a file in one, whose reads and writes a
//! [`FileOps`] implementation handles. Both are removed from tracefs when dropped. A file that is
//! open at that point keeps its data alive until it is closed, and every open file keeps the
//! module that implements it loaded.
//!
//! C header: [`include/linux/tracefs.h`](srctree/include/linux/tracefs.h)

use crate::{
    bindings,
    error::from_result,
    page::PAGE_SIZE,
    prelude::*,
    sync::{Arc, ArcBorrow},
    uaccess::UserSlice,
    ThisModule,
};
use core::{
    fmt,
    marker::PhantomData,
    mem::{ManuallyDrop, MaybeUninit},
    ptr::NonNull,
};
use ffi::{c_char, c_int, c_void};

/// The most bytes one `write(2)` to a [`File`] may carry: longer writes fail with `EINVAL`.
pub const MAX_WRITE: usize = PAGE_SIZE;

/// The contents and commands of a tracefs [`File`].
///
/// Several files may share one [`FileOps::Data`], each with its own [`FileOps`].
pub trait FileOps {
    /// The data the callbacks are given: shared by the [`File`] and every open file.
    type Data: Send + Sync;

    /// The module these callbacks are in, kept loaded while the file is open: `&THIS_MODULE`.
    const OWNER: &'static ThisModule;

    /// Writes the contents of the file to `out`.
    ///
    /// Called on the first `read(2)` of an open file, and again after a seek to the start: a
    /// reader sees the contents of one call, however many reads it takes.
    fn show(data: &Self::Data, out: &mut Output<'_>) -> Result;

    /// Handles one `write(2)` of `input`, at most [`MAX_WRITE`] bytes, to the file.
    ///
    /// Every write is a command on its own, whatever the file offset. An error fails the write;
    /// it should leave `data` as it was. Files that take no writes fail them with `EINVAL`.
    fn store(_data: &Self::Data, _input: &[u8]) -> Result {
        Err(EINVAL)
    }
}

/// Where [`FileOps::show`] writes the contents of a file (a `struct seq_file`).
///
/// # Invariants
///
/// `seq` is the `seq_file` of an open [`File`], in a `show` callback, for `'a`.
pub struct Output<'a> {
    seq: NonNull<bindings::seq_file>,
    _show: PhantomData<&'a mut bindings::seq_file>,
}

impl Output<'_> {
    /// Appends `bytes` to the contents.
    ///
    /// Contents that do not fit the buffer make the caller of [`FileOps::show`] call it again
    /// with a larger one.
    pub fn write_bytes(&mut self, bytes: &[u8]) {
        // SAFETY: `self.seq` is valid by the type invariant; `bytes` is valid for reads of its
        // length. An overflow is recorded in the `seq_file`, which is how it asks for a retry.
        unsafe { bindings::seq_write(self.seq.as_ptr(), bytes.as_ptr().cast(), bytes.len()) };
    }
}

impl fmt::Write for Output<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.write_bytes(s.as_bytes());
        Ok(())
    }
}

/// A tracefs directory and the directory it is in, if it is not at the top of tracefs.
///
/// # Invariants
///
/// `dentry` is a tracefs directory, pinned by tracefs, until `self` is dropped.
struct DirEntry {
    dentry: NonNull<bindings::dentry>,
    _parent: Option<Arc<DirEntry>>,
}

// SAFETY: A tracefs directory may be removed, and used as a parent, from any thread.
unsafe impl Send for DirEntry {}

// SAFETY: `DirEntry` has no methods that take `&self`.
unsafe impl Sync for DirEntry {}

impl Drop for DirEntry {
    fn drop(&mut self) {
        // SAFETY: `self.dentry` is valid by the type invariant. Every file and directory in it
        // holds a reference to `self`, so it is empty: nothing else is removed with it.
        unsafe { bindings::tracefs_remove(self.dentry.as_ptr()) };
    }
}

/// A directory in tracefs, removed when dropped.
///
/// The directory stays in tracefs as long as a [`Dir`] or a [`File`] in it remains.
///
/// # Examples
///
/// ```
/// use core::fmt::Write;
/// use kernel::c_str;
/// use kernel::sync::Arc;
/// use kernel::tracefs::{Dir, File, FileOps, Output};
/// use kernel::ThisModule;
///
/// // SAFETY: Doctests are built in: there is no module.
/// static NO_MODULE: ThisModule = unsafe { ThisModule::from_ptr(core::ptr::null_mut()) };
///
/// struct Answer;
///
/// impl FileOps for Answer {
///     type Data = u32;
///     const OWNER: &'static ThisModule = &NO_MODULE;
///
///     fn show(data: &u32, out: &mut Output<'_>) -> Result {
///         writeln!(out, "{data}")?;
///         Ok(())
///     }
/// }
///
/// let dir = Dir::new(c_str!("rust_tracefs_doctest"), None)?;
/// let _answer = File::<Answer>::new(c_str!("answer"), 0o444, &dir, Arc::new(42, GFP_KERNEL)?)?;
/// assert_eq!(Dir::new(c_str!("rust_tracefs_doctest"), None).err(), Some(EEXIST));
/// # Ok::<(), Error>(())
/// ```
pub struct Dir(Arc<DirEntry>);

impl Dir {
    /// Creates the directory `name` in `parent`, or at the top of tracefs.
    ///
    /// tracefs does not say why it could not create a directory or a file; the likeliest
    /// reason, `name` being taken, is reported: `EEXIST`.
    pub fn new(name: &CStr, parent: Option<&Dir>) -> Result<Self> {
        let parent_dentry = parent.map_or(core::ptr::null_mut(), |dir| dir.0.dentry.as_ptr());
        // SAFETY: `name` is NUL-terminated; `parent_dentry` is null, for the top of tracefs, or
        // a directory that `parent` keeps.
        let dentry = unsafe { bindings::tracefs_create_dir(name.as_char_ptr(), parent_dentry) };
        // INVARIANT: tracefs pins the directories it creates until they are removed.
        let entry = DirEntry {
            dentry: NonNull::new(dentry).ok_or(EEXIST)?,
            _parent: parent.map(|dir| dir.0.clone()),
        };
        Ok(Self(Arc::new(entry, GFP_KERNEL)?))
    }
}

/// A tracefs file, whatever handles it.
///
/// Not generic, so that it is the kernel's code that calls tracefs, which modules cannot.
///
/// # Invariants
///
/// - `dentry` is the file's tracefs dentry, pinned by tracefs, and `inode` its inode, of which
///   `self` holds a reference.
/// - `inode->i_private` is the file's data pointer until [`FileEntry::remove`] clears it, with
///   `inode->i_lock` held.
struct FileEntry {
    dentry: NonNull<bindings::dentry>,
    inode: NonNull<bindings::inode>,
}

impl FileEntry {
    /// Creates the file `name` in `dir`, with permissions `mode`, `fops` and `data`.
    #[inline(never)]
    fn new(
        name: &CStr,
        mode: bindings::umode_t,
        dir: &Dir,
        data: *const c_void,
        fops: &'static bindings::file_operations,
    ) -> Result<Self> {
        // SAFETY: `name` is NUL-terminated, `dir` keeps its directory and `fops` is static.
        // tracefs hands `data` to `fops->open()` in `i_private`.
        let dentry = unsafe {
            bindings::tracefs_create_file(
                name.as_char_ptr(),
                mode & 0o777,
                dir.0.dentry.as_ptr(),
                data.cast_mut(),
                fops,
            )
        };
        let dentry = NonNull::new(dentry).ok_or(EEXIST)?;
        // SAFETY: A dentry tracefs just created has an inode, which it removes only when asked
        // to, by `remove()`: it is valid, and takes the reference `remove()` gives back.
        let inode = unsafe {
            let inode = (*dentry.as_ptr()).d_inode;
            bindings::ihold(inode);
            NonNull::new_unchecked(inode)
        };
        // INVARIANT: `i_private` is `data`; `self` holds `inode`.
        Ok(Self { dentry, inode })
    }

    /// Removes the file, and returns its data pointer, which `open()` no longer finds.
    ///
    /// Files that are open keep the inode, and their own reference on the data.
    #[inline(never)]
    fn remove(self) -> *const c_void {
        let inode = self.inode.as_ptr();
        // SAFETY: By the type invariants `dentry` is the file's, and `inode` is valid until the
        // `iput()` that gives back our reference. Once removed, the file cannot be opened again;
        // `i_lock` orders clearing `i_private` with `open()` taking a reference from it.
        unsafe {
            bindings::tracefs_remove(self.dentry.as_ptr());
            let lock = &raw mut (*inode).i_lock;
            bindings::spin_lock(lock);
            let data = (*inode).i_private.cast_const();
            (*inode).i_private = core::ptr::null_mut();
            bindings::spin_unlock(lock);
            bindings::iput(inode);
            data
        }
    }
}

/// A file in a tracefs [`Dir`], handled by `T`, removed when dropped.
///
/// # Invariants
///
/// `entry`'s data pointer is a reference on an `Arc<T::Data>`, owned by `self`.
pub struct File<T: FileOps> {
    entry: ManuallyDrop<FileEntry>,
    _dir: Arc<DirEntry>,
    _data: PhantomData<Arc<T::Data>>,
}

// SAFETY: A tracefs file may be removed from any thread, and `T::Data` is `Send + Sync`.
unsafe impl<T: FileOps> Send for File<T> {}

// SAFETY: `File` has no methods that take `&self`.
unsafe impl<T: FileOps> Sync for File<T> {}

impl<T: FileOps> File<T> {
    /// Creates the file `name` in `dir`, with permissions `mode` (such as `0o644`), handled by
    /// `T` with `data`.
    ///
    /// Fails like [`Dir::new`].
    pub fn new(
        name: &CStr,
        mode: bindings::umode_t,
        dir: &Dir,
        data: Arc<T::Data>,
    ) -> Result<Self> {
        let data = Arc::into_raw(data);
        match FileEntry::new(name, mode, dir, data.cast(), &Self::FOPS) {
            // INVARIANT: the entry holds `data`, the reference `into_raw()` left.
            Ok(entry) => Ok(Self {
                entry: ManuallyDrop::new(entry),
                _dir: dir.0.clone(),
                _data: PhantomData,
            }),
            Err(e) => {
                // SAFETY: `data` came from `Arc::into_raw()` above, and tracefs did not keep it.
                drop(unsafe { Arc::from_raw(data) });
                Err(e)
            }
        }
    }

    const FOPS: bindings::file_operations = bindings::file_operations {
        owner: T::OWNER.0,
        open: Some(Self::open),
        read: Some(bindings::seq_read),
        write: Some(Self::write),
        llseek: Some(bindings::seq_lseek),
        release: Some(Self::release),
        // SAFETY: All zeroes is a valid `file_operations`: no other callbacks, no flags.
        ..unsafe { MaybeUninit::zeroed().assume_init() }
    };

    /// Takes a reference on the data of `inode`, if its [`File`] has not been dropped.
    ///
    /// # Safety
    ///
    /// `inode` must be the inode of a [`File<T>`], valid for the call.
    unsafe fn data_of(inode: *mut bindings::inode) -> Option<Arc<T::Data>> {
        // SAFETY: `inode` is valid; its `i_lock` keeps `File::drop()` from dropping the
        // reference in `i_private` while another is taken from it.
        unsafe {
            let lock = &raw mut (*inode).i_lock;
            bindings::spin_lock(lock);
            let private = (*inode).i_private.cast::<T::Data>().cast_const();
            let data = (!private.is_null()).then(|| ArcBorrow::from_raw(private).into());
            bindings::spin_unlock(lock);
            data
        }
    }

    /// Returns the data an open file's `seq_file` holds a reference on.
    ///
    /// # Safety
    ///
    /// `seq` must be the `seq_file` of an open [`File<T>`], and `'a` at most until it is closed.
    unsafe fn data_of_seq<'a>(seq: *mut bindings::seq_file) -> &'a T::Data {
        // SAFETY: `open()` gave the `seq_file` a reference on the data, which `release()` drops.
        unsafe { &*(*seq).private.cast::<T::Data>() }
    }

    /// # Safety
    ///
    /// Called by the VFS to open the file at `inode`.
    unsafe extern "C" fn open(inode: *mut bindings::inode, file: *mut bindings::file) -> c_int {
        // SAFETY: `inode` is this file's inode, which the VFS holds during the call.
        let Some(data) = (unsafe { Self::data_of(inode) }) else {
            return ENODEV.to_errno();
        };
        let data = Arc::into_raw(data);
        // SAFETY: `file` is being opened; the `seq_file` keeps `data` until `release()`.
        let ret = unsafe { bindings::single_open(file, Some(Self::show), data.cast_mut().cast()) };
        if ret != 0 {
            // SAFETY: `data` came from `Arc::into_raw()` above, and `single_open()` failed.
            drop(unsafe { Arc::from_raw(data) });
        }
        ret
    }

    /// # Safety
    ///
    /// Called by `seq_read()` with the `seq_file` of an open file.
    unsafe extern "C" fn show(seq: *mut bindings::seq_file, _v: *mut c_void) -> c_int {
        // SAFETY: The file is open during the call.
        let data = unsafe { Self::data_of_seq(seq) };
        // INVARIANT: `seq` is that of an open file, in a show callback.
        let mut out = Output {
            // SAFETY: `seq_read()` passes its `seq_file`, which is never null.
            seq: unsafe { NonNull::new_unchecked(seq) },
            _show: PhantomData,
        };
        from_result(|| T::show(data, &mut out).map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by the VFS to write `count` bytes at user address `buf` to an open file.
    unsafe extern "C" fn write(
        file: *mut bindings::file,
        buf: *const c_char,
        count: usize,
        _pos: *mut bindings::loff_t,
    ) -> isize {
        from_result(|| {
            if count > MAX_WRITE {
                return Err(EINVAL);
            }
            // SAFETY: `single_open()` made `private_data` the file's `seq_file`; the file is
            // open during the call.
            let data = unsafe { Self::data_of_seq((*file).private_data.cast()) };
            let mut input = KVec::with_capacity(count, GFP_KERNEL)?;
            UserSlice::new(buf as usize, count).read_all(&mut input, GFP_KERNEL)?;
            T::store(data, &input)?;
            Ok(count as isize)
        })
    }

    /// # Safety
    ///
    /// Called by the VFS to release an open file.
    unsafe extern "C" fn release(inode: *mut bindings::inode, file: *mut bindings::file) -> c_int {
        // SAFETY: `single_open()` made `private_data` the file's `seq_file`, whose `private` is
        // the reference `open()` took.
        let data = unsafe { (*(*file).private_data.cast::<bindings::seq_file>()).private };
        // SAFETY: The file is open, and `single_release()` frees what `single_open()` made.
        let ret = unsafe { bindings::single_release(inode, file) };
        // SAFETY: `data` came from `Arc::into_raw()` in `open()`; nothing uses it any more.
        drop(unsafe { Arc::from_raw(data.cast::<T::Data>().cast_const()) });
        ret
    }
}

impl<T: FileOps> Drop for File<T> {
    fn drop(&mut self) {
        // SAFETY: `self.entry` is not used again.
        let entry = unsafe { ManuallyDrop::take(&mut self.entry) };
        let data = entry.remove().cast::<T::Data>();
        // SAFETY: By the type invariant, `data` is our reference, which tracefs no longer has.
        drop(unsafe { Arc::from_raw(data) });
    }
}
