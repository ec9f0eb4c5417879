// SPDX-License-Identifier: GPL-2.0

//! Directories and files in the tracing file system (tracefs).
//!
//! A [`Dir`] is a directory of tracefs and a [`File`] a file in one, whose reads and writes a
//! [`FileOps`] implementation handles. Both are removed from tracefs when dropped. A file that is
//! open at that point keeps its data alive until it is closed, and every open file keeps the
//! module that implements it loaded.
//!
//! Nothing the kernel keeps of a file once it is dropped points into the module that made it:
//! all files share file operations built into the kernel, which find the module's callbacks
//! through the inode only while the [`File`] exists, and take a reference on the module before
//! calling them. An inode kept by an `O_PATH` descriptor or a bind mount, opened after the
//! [`File`] is dropped or while its module is being removed, fails to open with `ENODEV`.
//!
//! A module must drop its [`File`]s before its exit returns, as it must its other registrations:
//! one leaked with [`core::mem::forget`] would keep pointers to the module's code.
//!
//! C header: [`include/linux/tracefs.h`](srctree/include/linux/tracefs.h)

use crate::{
    bindings,
    error::{from_err_ptr, from_result},
    new_mutex,
    page::PAGE_SIZE,
    prelude::*,
    sync::{Arc, ArcBorrow, Mutex},
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

/// The most bytes one `write(2)` to a [`File`] hands to [`FileOps::store`]: a longer write
/// takes that many bytes, and the writer writes the rest again, as `write(2)` allows.
pub const MAX_WRITE: usize = PAGE_SIZE;

/// The contents and commands of a tracefs [`File`].
///
/// Several files may share one [`FileOps::Data`], each with its own [`FileOps`].
pub trait FileOps {
    /// The data the callbacks are given: shared by the [`File`] and every open file.
    ///
    /// `'static`, as an open file keeps it, and calls [`FileOps::show`] with it, after the
    /// [`File`] is dropped.
    type Data: Send + Sync + 'static;

    /// What an open file keeps from one of its writes to the next, such as a command that one
    /// write began and the next ends: `()` for files whose every write stands alone.
    type Writer: Default + Send;

    /// The module these callbacks are in, kept loaded while the file is open: `&THIS_MODULE`.
    const OWNER: &'static ThisModule;

    /// Writes the contents of the file to `out`.
    ///
    /// Called on the first `read(2)` of an open file, and again after a seek to the start: a
    /// reader sees the contents of one call, however many reads it takes.
    fn show(data: &Self::Data, out: &mut Output<'_>) -> Result;

    /// Handles one `write(2)` of `input`, at most [`MAX_WRITE`] bytes, to the open file whose
    /// state is `writer`.
    ///
    /// Writes are handled one at a time per open file, whatever the file offset. An error fails
    /// the write; it should leave `data` as it was. Files that take no writes fail them with
    /// `EINVAL`.
    fn store(_data: &Self::Data, _writer: &mut Self::Writer, _input: &[u8]) -> Result {
        Err(EINVAL)
    }

    /// Called when a descriptor of the open file is closed, to finish what its writes left
    /// unfinished in `writer`: `close(2)` fails with the error.
    fn flush(_data: &Self::Data, _writer: &mut Self::Writer) -> Result {
        Ok(())
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
///     type Writer = ();
///     const OWNER: &'static ThisModule = &NO_MODULE;
///
///     fn show(data: &u32, out: &mut Output<'_>) -> Result {
///         writeln!(out, "{data}")?;
///         Ok(())
///     }
/// }
///
/// let dir = Dir::new(c_str!("rust_tracefs_doctest"), None)?;
/// let answer = File::<Answer>::new(c_str!("answer"), 0o444, &dir, Arc::new(42, GFP_KERNEL)?)?;
/// assert_eq!(Dir::new(c_str!("rust_tracefs_doctest"), None).err(), Some(EEXIST));
///
/// // What `cat /sys/kernel/tracing/rust_tracefs_doctest/answer` shows, and once the file is
/// // dropped, that it is gone.
/// let path = c_str!("rust_tracefs_doctest/answer");
/// assert_eq!(&kernel::tracefs::read_to_end(path)?[..], b"42\n");
/// drop(answer);
/// assert_eq!(kernel::tracefs::read_to_end(path).err(), Some(ENOENT));
/// # Ok::<(), Error>(())
/// ```
pub struct Dir(Arc<DirEntry>);

impl Dir {
    /// Creates the directory `name` in `parent`, or at the top of tracefs.
    ///
    /// Fails with `EEXIST` if `name` is taken, `ENOMEM` if memory runs out.
    pub fn new(name: &CStr, parent: Option<&Dir>) -> Result<Self> {
        let parent_dentry = parent.map_or(core::ptr::null_mut(), |dir| dir.0.dentry.as_ptr());
        // SAFETY: `name` is NUL-terminated; `parent_dentry` is null, for the top of tracefs, or
        // a directory that `parent` keeps.
        let dentry = unsafe { bindings::tracefs_create_dir_err(name.as_char_ptr(), parent_dentry) };
        // INVARIANT: tracefs pins the directories it creates until they are removed.
        let entry = DirEntry {
            dentry: NonNull::new(from_err_ptr(dentry)?).ok_or(EINVAL)?,
            _parent: parent.map(|dir| dir.0.clone()),
        };
        Ok(Self(Arc::new(entry, GFP_KERNEL)?))
    }
}

/// The callbacks of a [`File<T>`] for one `T`, as the kernel's file operations call them.
///
/// A `static` of `T`'s module: valid only while that module is loaded.
struct Handlers {
    show: unsafe fn(*const c_void, &mut Output<'_>) -> Result,
    store: unsafe fn(*const c_void, *mut c_void, &[u8]) -> Result,
    flush: unsafe fn(*const c_void, *mut c_void) -> Result,
    /// Takes a reference on the data.
    get: unsafe fn(*const c_void),
    /// Drops a reference on the data.
    put: unsafe fn(*const c_void),
    /// Allocates the state of an open file's writes.
    new_writer: fn() -> Result<*mut c_void>,
    /// Frees what `new_writer` allocated.
    drop_writer: unsafe fn(*mut c_void),
}

/// What the inode of a [`File`] (in `i_private`) and each open file (in its `seq_file`) know of
/// it.
///
/// Allocated and freed by this crate, which is built into the kernel, so the memory stays valid
/// for whoever holds a reference, whatever happens to the module of the file.
///
/// # Invariants
///
/// - `owner` is the module of `handlers`, or null for the kernel itself.
/// - While `i_private` points to the node, the [`File`] holds a reference on `data` and keeps
///   `owner` loaded; an open file holds a reference on both.
struct Node {
    owner: *mut bindings::module,
    handlers: *const Handlers,
    data: *const c_void,
}

// SAFETY: The pointers of a `Node` are only followed under the rules of its invariants, which do
// not depend on the thread.
unsafe impl Send for Node {}

// SAFETY: As above; a `Node` never changes.
unsafe impl Sync for Node {}

/// The file operations of every [`File`], whatever handles it.
///
/// They are the kernel's, not a module's: the VFS, which reads them from the inode before any
/// callback can refuse (an `O_PATH` descriptor kept across `rmmod` and reopened, an `open()`
/// racing module removal), never finds a pointer into an unloaded module. `open()` takes the
/// reference on the file's module that the VFS would otherwise take. Reads go through
/// `read_iter` alone, so that the kernel can read the files too (`kernel_read()`).
const FOPS: bindings::file_operations = bindings::file_operations {
    owner: core::ptr::null_mut(),
    open: Some(open),
    read_iter: Some(bindings::seq_read_iter),
    write: Some(write),
    flush: Some(flush),
    llseek: Some(bindings::seq_lseek),
    release: Some(release),
    // SAFETY: All zeroes is a valid `file_operations`: no other callbacks, no flags.
    ..unsafe { MaybeUninit::zeroed().assume_init() }
};

/// Takes a reference on the node of `inode`, its data and its module, unless its [`File`] is
/// gone or its module is going away.
///
/// # Safety
///
/// `inode` must be the inode of a [`File`], valid for the call.
unsafe fn get_node(inode: *mut bindings::inode) -> Option<Arc<Node>> {
    // SAFETY: `inode` is valid; `i_lock` keeps `FileEntry::remove()` from clearing `i_private`,
    // and so the file from dropping its data and letting its module go, until it is unlocked.
    unsafe {
        let lock = &raw mut (*inode).i_lock;
        bindings::spin_lock(lock);
        let private = (*inode).i_private.cast::<Node>().cast_const();
        let node = (!private.is_null())
            .then(|| ArcBorrow::from_raw(private))
            .filter(|node| bindings::try_module_get(node.owner))
            .map(|node| {
                // The module is pinned: its handlers are valid.
                ((*node.handlers).get)(node.data);
                Arc::from(node)
            });
        bindings::spin_unlock(lock);
        node
    }
}

/// Drops a reference taken by [`get_node`].
///
/// # Safety
///
/// `node` must come from [`get_node`], and the file's callbacks must be done with it.
unsafe fn put_node(node: Arc<Node>) {
    let owner = node.owner;
    // SAFETY: `get_node()` took a reference on the data and on `owner`, which keeps the handlers
    // valid until the `module_put()` below, after which nothing of the module is used.
    unsafe {
        ((*node.handlers).put)(node.data);
        drop(node);
        bindings::module_put(owner);
    }
}

/// The state of an open [`File`]'s writes, as [`FileOps::Writer`] has it.
struct WriterState(*mut c_void);

// SAFETY: `FileOps::Writer` is `Send`.
unsafe impl Send for WriterState {}

/// What an open [`File`] keeps, in its `seq_file`.
///
/// # Invariants
///
/// `node` is a reference taken by [`get_node`], turned into a pointer with [`Arc::into_raw`],
/// and `writer` holds what its handlers' `new_writer` allocated.
#[pin_data(PinnedDrop)]
struct OpenFile {
    node: *const Node,
    /// Locked around every call that is given the writer: one at a time.
    #[pin]
    writer: Mutex<WriterState>,
}

impl OpenFile {
    /// Opens a file with `node`, and the new state of its writes.
    ///
    /// # Safety
    ///
    /// `node` must come from [`get_node`].
    unsafe fn new(node: Arc<Node>) -> Result<Pin<KBox<Self>>> {
        // SAFETY: The node's module is pinned by `get_node()`: its handlers are valid.
        let new_writer = unsafe { (*node.handlers).new_writer };
        let writer = match new_writer() {
            Ok(writer) => writer,
            Err(e) => {
                // SAFETY: `node` came from `get_node()`, and nothing else has it.
                unsafe { put_node(node) };
                return Err(e);
            }
        };
        let node = Arc::into_raw(node);
        // INVARIANT: `node` and `writer` are as required.
        let init = pin_init!(Self {
            node,
            writer <- new_mutex!(WriterState(writer), "tracefs::OpenFile::writer"),
        });
        KBox::pin_init(init, GFP_KERNEL).inspect_err(|_| {
            // SAFETY: The `OpenFile` was not made: `node` and `writer` are still ours.
            unsafe {
                let node = Arc::from_raw(node);
                ((*node.handlers).drop_writer)(writer);
                put_node(node);
            }
        })
    }

    fn node(&self) -> &Node {
        // SAFETY: `self.node` is a reference that `self` holds, by the type invariant.
        unsafe { &*self.node }
    }

    /// Handles a write of `input`, one write or flush at a time.
    fn store(&self, input: &[u8]) -> Result {
        let writer = self.writer.lock();
        let node = self.node();
        // SAFETY: The open file keeps the handlers' module loaded, and a reference on the data;
        // `writer`, locked, is the state its handlers made.
        unsafe { ((*node.handlers).store)(node.data, writer.0, input) }
    }

    /// Finishes what the writes left unfinished, one write or flush at a time.
    fn flush(&self) -> Result {
        let writer = self.writer.lock();
        let node = self.node();
        // SAFETY: As in `store()`.
        unsafe { ((*node.handlers).flush)(node.data, writer.0) }
    }
}

#[pinned_drop]
impl PinnedDrop for OpenFile {
    fn drop(self: Pin<&mut Self>) {
        let writer = self.writer.lock().0;
        // SAFETY: By the type invariant, `node` came from `get_node()` and `Arc::into_raw()`,
        // and `writer` from `new_writer`, freed while `node` still keeps the module loaded.
        unsafe {
            let node = Arc::from_raw(self.node);
            ((*node.handlers).drop_writer)(writer);
            put_node(node);
        }
    }
}

/// Returns what an open file's `seq_file` keeps.
///
/// # Safety
///
/// `seq` must be the `seq_file` of an open [`File`], and `'a` at most until it is closed.
unsafe fn open_file_of_seq<'a>(seq: *mut bindings::seq_file) -> &'a OpenFile {
    // SAFETY: `open()` gave the `seq_file` an `OpenFile`, which `release()` frees.
    unsafe { &*(*seq).private.cast::<OpenFile>() }
}

/// # Safety
///
/// Called by the VFS to open a [`File`] at `inode`.
unsafe extern "C" fn open(inode: *mut bindings::inode, file: *mut bindings::file) -> c_int {
    // SAFETY: `inode` is a file's inode, which the VFS holds during the call.
    let Some(node) = (unsafe { get_node(inode) }) else {
        return ENODEV.to_errno();
    };
    // SAFETY: `node` comes from `get_node()`.
    let open = match unsafe { OpenFile::new(node) } {
        Ok(open) => open,
        Err(e) => return e.to_errno(),
    };
    // SAFETY: The `OpenFile` is not moved out of its box, which `release()` takes back.
    let open = KBox::into_raw(unsafe { Pin::into_inner_unchecked(open) });
    // SAFETY: `file` is being opened; the `seq_file` keeps `open` until `release()`.
    let ret = unsafe { bindings::single_open(file, Some(show), open.cast()) };
    if ret != 0 {
        // SAFETY: `open` came from `KBox::into_raw()` above, and `single_open()` failed.
        drop(unsafe { KBox::from_raw(open) });
    }
    ret
}

/// # Safety
///
/// Called by `seq_read_iter()` with the `seq_file` of an open file.
unsafe extern "C" fn show(seq: *mut bindings::seq_file, _v: *mut c_void) -> c_int {
    // SAFETY: The file is open during the call.
    let node = unsafe { open_file_of_seq(seq) }.node();
    // INVARIANT: `seq` is that of an open file, in a show callback.
    let mut out = Output {
        // SAFETY: `seq_read_iter()` passes its `seq_file`, which is never null.
        seq: unsafe { NonNull::new_unchecked(seq) },
        _show: PhantomData,
    };
    // SAFETY: The open file keeps the handlers' module loaded, and a reference on the data.
    from_result(|| unsafe { ((*node.handlers).show)(node.data, &mut out) }.map(|()| 0))
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
        let count = count.min(MAX_WRITE);
        // SAFETY: `single_open()` made `private_data` the file's `seq_file`; the file is open
        // during the call.
        let open = unsafe { open_file_of_seq((*file).private_data.cast()) };
        let mut input = KVec::with_capacity(count, GFP_KERNEL)?;
        UserSlice::new(buf as usize, count).read_all(&mut input, GFP_KERNEL)?;
        open.store(&input)?;
        Ok(count as isize)
    })
}

/// # Safety
///
/// Called by the VFS when a descriptor of an open file is closed.
unsafe extern "C" fn flush(file: *mut bindings::file, _id: bindings::fl_owner_t) -> c_int {
    // SAFETY: `single_open()` made `private_data` the file's `seq_file`; the file is open during
    // the call.
    let open = unsafe { open_file_of_seq((*file).private_data.cast()) };
    from_result(|| open.flush().map(|()| 0))
}

/// # Safety
///
/// Called by the VFS to release an open file.
unsafe extern "C" fn release(inode: *mut bindings::inode, file: *mut bindings::file) -> c_int {
    // SAFETY: `single_open()` made `private_data` the file's `seq_file`, whose `private` is the
    // `OpenFile` that `open()` made.
    let open = unsafe { (*(*file).private_data.cast::<bindings::seq_file>()).private };
    // SAFETY: The file is open, and `single_release()` frees what `single_open()` made.
    let ret = unsafe { bindings::single_release(inode, file) };
    // SAFETY: `open` came from `KBox::into_raw()` in `open()`; nothing uses it any more.
    drop(unsafe { KBox::from_raw(open.cast::<OpenFile>()) });
    ret
}

/// A tracefs file, whatever handles it.
///
/// Not generic, so that it is the kernel's code that calls tracefs, which modules cannot.
///
/// # Invariants
///
/// - `dentry` is the file's tracefs dentry, pinned by tracefs, and `inode` its inode, of which
///   `self` holds a reference.
/// - `inode->i_private` is a reference on the file's [`Node`] until [`FileEntry::remove`] clears
///   it, with `inode->i_lock` held.
struct FileEntry {
    dentry: NonNull<bindings::dentry>,
    inode: NonNull<bindings::inode>,
}

impl FileEntry {
    /// Creates the file `name` in `dir`, with permissions `mode`, handled by `handlers` of module
    /// `owner` with `data`.
    ///
    /// The caller must keep a reference on `data`, and `owner` loaded, until [`FileEntry::remove`].
    #[inline(never)]
    fn new(
        name: &CStr,
        mode: bindings::umode_t,
        dir: &Dir,
        owner: &ThisModule,
        handlers: &Handlers,
        data: *const c_void,
    ) -> Result<Self> {
        let node = Node {
            owner: owner.0,
            handlers,
            data,
        };
        let node = Arc::into_raw(Arc::new(node, GFP_KERNEL)?);
        // SAFETY: `name` is NUL-terminated, `dir` keeps its directory and `FOPS`, a
        // constant, is promoted to a static of this crate.
        // tracefs hands `node` to `open()` in `i_private`.
        let dentry = unsafe {
            bindings::tracefs_create_file_err(
                name.as_char_ptr(),
                mode & 0o777,
                dir.0.dentry.as_ptr(),
                node.cast_mut().cast(),
                &FOPS,
            )
        };
        let dentry = match from_err_ptr(dentry).map(NonNull::new) {
            Ok(Some(dentry)) => dentry,
            failed => {
                // SAFETY: `node` came from `Arc::into_raw()` above, and tracefs did not keep it.
                drop(unsafe { Arc::from_raw(node) });
                return Err(failed.err().unwrap_or(EINVAL));
            }
        };
        // SAFETY: A dentry tracefs just created has an inode, which it removes only when asked
        // to, by `remove()`: it is valid, and takes the reference `remove()` gives back.
        let inode = unsafe {
            let inode = (*dentry.as_ptr()).d_inode;
            bindings::ihold(inode);
            NonNull::new_unchecked(inode)
        };
        // INVARIANT: `i_private` is `node`, whose reference tracefs keeps; `self` holds `inode`.
        Ok(Self { dentry, inode })
    }

    /// Removes the file: once this returns, it cannot be opened again, and the caller may drop
    /// the file's data and let its module go.
    ///
    /// Files that are open keep the inode, and their own references on the data and the module.
    #[inline(never)]
    fn remove(self) {
        let inode = self.inode.as_ptr();
        // SAFETY: By the type invariants `dentry` is the file's, and `inode` is valid until the
        // `iput()` that gives back our reference. Once removed, the file cannot be looked up
        // again, but a descriptor that kept the dentry (`O_PATH`) can still open it: `i_lock`
        // orders clearing `i_private` with `get_node()`, which then finds nothing.
        let node = unsafe {
            bindings::tracefs_remove(self.dentry.as_ptr());
            let lock = &raw mut (*inode).i_lock;
            bindings::spin_lock(lock);
            let node = (*inode).i_private.cast::<Node>().cast_const();
            (*inode).i_private = core::ptr::null_mut();
            bindings::spin_unlock(lock);
            bindings::iput(inode);
            node
        };
        // SAFETY: By the type invariant, `node` was the reference tracefs held.
        drop(unsafe { Arc::from_raw(node) });
    }
}

/// A file in a tracefs [`Dir`], handled by `T`, removed when dropped.
///
/// # Lifetime
///
/// What the kernel keeps of the file after it is dropped (its inode, held by an `O_PATH`
/// descriptor or a bind mount, and open files) points to no memory of the module that created
/// it: opening it again fails with `ENODEV`. Open files keep a reference on the data and keep the
/// module loaded until they are closed.
///
/// # Invariants
///
/// `entry`'s node refers to `_data` and to `T::OWNER`, which `self` keeps loaded.
pub struct File<T: FileOps> {
    entry: ManuallyDrop<FileEntry>,
    _data: Arc<T::Data>,
    _dir: Arc<DirEntry>,
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
        let raw = core::ptr::from_ref::<T::Data>(&data).cast();
        // INVARIANT: `T::OWNER` is the module of `T`'s code, which runs while the caller exists.
        let entry = FileEntry::new(name, mode, dir, T::OWNER, &Self::HANDLERS, raw)?;
        Ok(Self {
            entry: ManuallyDrop::new(entry),
            _data: data,
            _dir: dir.0.clone(),
        })
    }

    const HANDLERS: Handlers = Handlers {
        show: Self::show,
        store: Self::store,
        flush: Self::flush,
        get: Self::get,
        put: Self::put,
        new_writer: Self::new_writer,
        drop_writer: Self::drop_writer,
    };

    /// # Safety
    ///
    /// `data` must be the data of a [`File<T>`], of which the caller holds a reference.
    unsafe fn show(data: *const c_void, out: &mut Output<'_>) -> Result {
        // SAFETY: `data` is a `T::Data` that the caller keeps.
        T::show(unsafe { &*data.cast() }, out)
    }

    /// # Safety
    ///
    /// As for [`File::show`], and `writer` must be the state of an open file's writes, of which
    /// the caller makes one call at a time.
    unsafe fn store(data: *const c_void, writer: *mut c_void, input: &[u8]) -> Result {
        // SAFETY: `data` is a `T::Data` that the caller keeps; `writer` a `T::Writer` that the
        // caller lends.
        let (data, writer) = unsafe { (&*data.cast(), &mut *writer.cast()) };
        T::store(data, writer, input)
    }

    /// # Safety
    ///
    /// As for [`File::store`].
    unsafe fn flush(data: *const c_void, writer: *mut c_void) -> Result {
        // SAFETY: As for `store()`.
        let (data, writer) = unsafe { (&*data.cast(), &mut *writer.cast()) };
        T::flush(data, writer)
    }

    fn new_writer() -> Result<*mut c_void> {
        let writer = KBox::new(T::Writer::default(), GFP_KERNEL)?;
        Ok(KBox::into_raw(writer).cast())
    }

    /// # Safety
    ///
    /// `writer` must come from [`File::new_writer`], and not be used again.
    unsafe fn drop_writer(writer: *mut c_void) {
        // SAFETY: `writer` came from `KBox::into_raw()` in `new_writer()`.
        drop(unsafe { KBox::<T::Writer>::from_raw(writer.cast()) });
    }

    /// # Safety
    ///
    /// As for [`File::show`].
    unsafe fn get(data: *const c_void) {
        // SAFETY: `data` is the pointer of an `Arc<T::Data>` that the caller keeps: another
        // reference may be taken from it.
        let data: Arc<T::Data> = unsafe { ArcBorrow::from_raw(data.cast::<T::Data>()) }.into();
        let _ = Arc::into_raw(data);
    }

    /// # Safety
    ///
    /// `data` must be the data of a [`File<T>`], and the reference given back one that
    /// [`File::get`] took.
    unsafe fn put(data: *const c_void) {
        // SAFETY: The reference came from `Arc::into_raw()` in `get()`.
        drop(unsafe { Arc::<T::Data>::from_raw(data.cast()) });
    }
}

impl<T: FileOps> Drop for File<T> {
    fn drop(&mut self) {
        // SAFETY: `self.entry` is not used again.
        let entry = unsafe { ManuallyDrop::take(&mut self.entry) };
        // INVARIANT: Once removed, the node no longer gets references from the inode: `data`,
        // dropped next, and `T::OWNER` are only kept by the open files.
        entry.remove();
    }
}

/// The most [`read_to_end`] reads: more is an error (`EFBIG`).
#[cfg(CONFIG_RUST_KERNEL_DOCTESTS)]
const READ_TO_END_LIMIT: usize = 1 << 20;

/// Reads the tracefs file `path`, named from the top of tracefs, to its end, as `cat` would.
///
/// For tests, which may run before anything mounts tracefs: the file is opened through a mount
/// of tracefs of its own, read through the file's own file operations, and released before this
/// returns. That mount is the one tracefs every mount shares, and like a user's `mount` without
/// options it resets the options tracefs keeps to show (not the files' owners or modes).
///
/// Fails with the error of the open or a read, or with `EFBIG` if the file is larger than 1 MiB.
///
/// # Context
///
/// Process context; sleeps.
///
/// # Examples
///
/// See [`Dir`].
#[cfg(CONFIG_RUST_KERNEL_DOCTESTS)]
pub fn read_to_end(path: &CStr) -> Result<KVec<u8>> {
    // SAFETY: The name is NUL-terminated.
    let fs_type = unsafe { bindings::get_fs_type(crate::c_str!("tracefs").as_char_ptr()) };
    if fs_type.is_null() {
        return Err(ENODEV);
    }
    // SAFETY: `fs_type` is referenced; the mount takes its own reference on it. No options.
    let mount = unsafe {
        let mount = bindings::vfs_kern_mount(
            fs_type,
            0,
            crate::c_str!("tracefs").as_char_ptr(),
            core::ptr::null_mut(),
        );
        bindings::put_filesystem(fs_type);
        from_err_ptr(mount)?
    };
    let root = bindings::path {
        mnt: mount,
        // SAFETY: `mount` is a mount that we hold a reference on.
        dentry: unsafe { (*mount).mnt_root },
    };
    // SAFETY: `root` is valid for the call, `path` is NUL-terminated.
    let file = unsafe {
        bindings::file_open_root(&root, path.as_char_ptr(), bindings::O_RDONLY as c_int, 0)
    };
    let contents = from_err_ptr(file).and_then(|file| {
        let mut contents = KVec::new();
        let mut chunk = [0u8; 256];
        let mut pos: bindings::loff_t = 0;
        let read = loop {
            // SAFETY: `file` is open and referenced; `chunk` is writable for its length.
            let len = unsafe {
                bindings::kernel_read(file, chunk.as_mut_ptr().cast(), chunk.len(), &mut pos)
            };
            let len = match usize::try_from(len) {
                Ok(0) => break Ok(()),
                Ok(len) => len,
                Err(_) => break Err(Error::from_errno(len as c_int)),
            };
            if contents.len() + len > READ_TO_END_LIMIT {
                break Err(EFBIG);
            }
            if let Err(e) = contents.extend_from_slice(&chunk[..len], GFP_KERNEL) {
                break Err(e.into());
            }
        };
        // SAFETY: We hold the only reference on `file`, which we drop: the file is released
        // (its `release` has run) when this returns.
        unsafe { bindings::__fput_sync(file) };
        read.map(|()| contents)
    });
    // SAFETY: We hold a reference on `mount`, which we drop.
    unsafe { bindings::mntput(mount) };
    contents
}
