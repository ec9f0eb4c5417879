// SPDX-License-Identifier: GPL-2.0

//! Demangling of Rust symbol names.
//!
//! The kernel's symbol table (kallsyms) holds the mangled names of Rust functions, such as
//! `_RNvCs1234abcd_19rust_callops_tracer8workload`. [`Demangle`] displays such a name as the Rust
//! path it encodes, `rust_callops_tracer::workload`, so that tracing output names Rust functions
//! as readably as C ones.
//!
//! Rust code in the kernel is built with the v0 mangling scheme, which is the only one understood
//! here. See <https://doc.rust-lang.org/rustc/symbol-mangling/v0.html> for the grammar. Names are
//! printed in the recommended form, without crate disambiguators, instantiating crate or vendor
//! suffix (such as `.llvm.1234`). Punycode identifiers are not decoded but shown as
//! `punycode{...}`.
//!
//! Nothing is allocated: the symbol is printed as it is parsed. It is parsed twice, first into a
//! sink to check that all of it is valid, so that a malformed symbol is printed unchanged rather
//! than half demangled. Nesting depth and output length are bounded, so that hostile symbols can
//! neither overflow the stack nor take long to print.

use core::fmt::{self, Write};

/// How deeply paths, types and constants may nest, bounding the stack used by recursion.
const MAX_DEPTH: u32 = 32;

/// How long a demangled name may be, bounding the time spent expanding backrefs.
const MAX_LENGTH: usize = 4096;

/// A symbol name that displays as its demangled form if it is a Rust v0 symbol, and as it is
/// otherwise.
///
/// Bytes that are not UTF-8 are displayed as `?`.
///
/// # Examples
///
/// ```
/// use kernel::{demangle::Demangle, fmt, str::CString};
///
/// fn demangle(symbol: &str) -> Result<CString> {
///     CString::try_from_fmt(fmt!("{}", Demangle::new(symbol.as_bytes())))
/// }
///
/// // Not a Rust symbol.
/// assert_eq!(demangle("schedule")?.to_str()?, "schedule");
///
/// // A function, a closure in it and an inherent method of a generic type.
/// assert_eq!(
///     demangle("_RNvCs4EjmFU49cTT_19rust_callops_tracer8workload")?.to_str()?,
///     "rust_callops_tracer::workload"
/// );
/// assert_eq!(
///     demangle("_RNCNvCs4EjmFU49cTT_19rust_callops_tracer8workload0B3_")?.to_str()?,
///     "rust_callops_tracer::workload::{closure#0}"
/// );
/// assert_eq!(
///     demangle("_RNvMCs4EjmFU49cTT_19rust_callops_tracerINtB2_7CounterRShE3getB2_")?.to_str()?,
///     "<rust_callops_tracer::Counter<&[u8]>>::get"
/// );
///
/// // A trait method implementation.
/// let symbol = "_RNvXs_Cs4EjmFU49cTT_19rust_callops_tracerNtB4_5StatsNtNtCscoScM8QT1vH_4core\
///               3fmt7Display3fmt";
/// assert_eq!(
///     demangle(symbol)?.to_str()?,
///     "<rust_callops_tracer::Stats as core::fmt::Display>::fmt"
/// );
///
/// // A generic function, whose second argument refers back to the first.
/// let symbol = "_RINvCs4EjmFU49cTT_19rust_callops_tracer4pairNtB2_5StatsBG_EB2_";
/// assert_eq!(
///     demangle(symbol)?.to_str()?,
///     "rust_callops_tracer::pair::<rust_callops_tracer::Stats, rust_callops_tracer::Stats>"
/// );
///
/// // Malformed symbols are printed unchanged.
/// let truncated = "_RNvCs4EjmFU49cTT_19rust_callops_tracer8work";
/// assert_eq!(demangle(truncated)?.to_str()?, truncated);
/// let backref_forwards = "_RNvB3_8workload";
/// assert_eq!(demangle(backref_forwards)?.to_str()?, backref_forwards);
/// # Ok::<(), Error>(())
/// ```
pub struct Demangle<'a>(&'a [u8]);

impl<'a> Demangle<'a> {
    /// Creates a [`Demangle`] that displays `symbol`.
    pub fn new(symbol: &'a [u8]) -> Self {
        Self(symbol)
    }
}

impl fmt::Display for Demangle<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(mangled) = self.0.strip_prefix(b"_R") {
            if Printer::new(mangled, Sink).symbol().is_ok() {
                return Printer::new(mangled, f).symbol();
            }
        }
        write_lossy(f, self.0)
    }
}

/// Writes `bytes` as UTF-8, with a `?` for each byte that is not part of a valid sequence.
fn write_lossy(f: &mut fmt::Formatter<'_>, mut bytes: &[u8]) -> fmt::Result {
    loop {
        let valid = match core::str::from_utf8(bytes) {
            Ok(s) => return f.write_str(s),
            Err(e) => e.valid_up_to(),
        };
        let head = bytes.get(..valid).unwrap_or_default();
        f.write_str(core::str::from_utf8(head).unwrap_or_default())?;
        f.write_char('?')?;
        bytes = bytes.get(valid + 1..).unwrap_or_default();
    }
}

/// Discards what is written, to check that a symbol demangles before printing it.
struct Sink;

impl Write for Sink {
    fn write_str(&mut self, _: &str) -> fmt::Result {
        Ok(())
    }
}

/// Parse errors, like output errors, are reported as [`fmt::Error`].
type Result<T = ()> = core::result::Result<T, fmt::Error>;

/// An identifier in a symbol.
struct Ident<'s> {
    /// Whether `name` is Punycode-encoded.
    punycode: bool,
    name: &'s str,
}

/// Parses a v0 symbol and prints the parts it parses to `out`.
struct Printer<'s, W> {
    /// The symbol after its `_R` prefix, which is where backref offsets start.
    sym: &'s [u8],
    /// The offset of the next byte to parse.
    pos: usize,
    out: W,
    /// Whether output is dropped, while parsing parts of the symbol that are not displayed.
    skipping: bool,
    /// How many paths, types and constants are being parsed.
    depth: u32,
    /// How many lifetimes the enclosing `for<...>` binders bind.
    bound_lifetimes: u64,
    /// How many bytes have been printed, counting those dropped while skipping.
    length: usize,
}

impl<W: Write> Write for Printer<'_, W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.length = self.length.saturating_add(s.len());
        if self.length > MAX_LENGTH {
            return Err(fmt::Error);
        }
        if self.skipping {
            return Ok(());
        }
        self.out.write_str(s)
    }
}

impl<'s, W: Write> Printer<'s, W> {
    fn new(sym: &'s [u8], out: W) -> Self {
        Printer {
            sym,
            pos: 0,
            out,
            skipping: false,
            depth: 0,
            bound_lifetimes: 0,
            length: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.sym.get(self.pos).copied()
    }

    fn next(&mut self) -> Result<u8> {
        let byte = self.peek().ok_or(fmt::Error)?;
        self.pos += 1;
        Ok(byte)
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        self.pos += usize::from(found);
        found
    }

    /// Parses a base-62 number: `_` is 0, and digits `0-9a-zA-Z` followed by `_` their value + 1.
    fn base62(&mut self) -> Result<u64> {
        let mut value: u64 = 0;
        if self.eat(b'_') {
            return Ok(0);
        }
        loop {
            let digit = match self.next()? {
                b @ b'0'..=b'9' => b - b'0',
                b @ b'a'..=b'z' => b - b'a' + 10,
                b @ b'A'..=b'Z' => b - b'A' + 36,
                b'_' => return value.checked_add(1).ok_or(fmt::Error),
                _ => return Err(fmt::Error),
            };
            value = value.checked_mul(62).ok_or(fmt::Error)?;
            value = value.checked_add(u64::from(digit)).ok_or(fmt::Error)?;
        }
    }

    /// Parses `tag` and a base-62 number as the number + 1, or nothing as 0.
    fn tagged_base62(&mut self, tag: u8) -> Result<u64> {
        if !self.eat(tag) {
            return Ok(0);
        }
        self.base62()?.checked_add(1).ok_or(fmt::Error)
    }

    /// Parses a decimal number, which has no leading zeros.
    fn decimal(&mut self) -> Result<usize> {
        let mut value = match self.next()? {
            b'0' => return Ok(0),
            b @ b'1'..=b'9' => usize::from(b - b'0'),
            _ => return Err(fmt::Error),
        };
        while let Some(b @ b'0'..=b'9') = self.peek() {
            self.pos += 1;
            value = value.checked_mul(10).ok_or(fmt::Error)?;
            value = value.checked_add(usize::from(b - b'0')).ok_or(fmt::Error)?;
        }
        Ok(value)
    }

    /// Parses an identifier without disambiguator, made of UTF-8 letters, digits and `_`.
    fn ident(&mut self) -> Result<Ident<'s>> {
        let punycode = self.eat(b'u');
        let len = self.decimal()?;
        self.eat(b'_');
        let end = self.pos.checked_add(len).ok_or(fmt::Error)?;
        let name = self.sym.get(self.pos..end).ok_or(fmt::Error)?;
        self.pos = end;
        if name.iter().any(|&b| b.is_ascii() && !b.is_ascii_alphanumeric() && b != b'_') {
            return Err(fmt::Error);
        }
        let name = core::str::from_utf8(name).map_err(|_| fmt::Error)?;
        Ok(Ident { punycode, name })
    }

    fn print_ident(&mut self, ident: &Ident<'_>) -> Result {
        if ident.punycode {
            write!(self, "punycode{{{}}}", ident.name)
        } else {
            self.write_str(ident.name)
        }
    }

    /// Parses a path without printing it, after an optional disambiguator.
    fn skip_path(&mut self) -> Result {
        let skipping = core::mem::replace(&mut self.skipping, true);
        self.tagged_base62(b's')?;
        self.path(false)?;
        self.skipping = skipping;
        Ok(())
    }

    /// Enters a level of nesting, failing beyond [`MAX_DEPTH`].
    ///
    /// Levels are left by decrementing `depth`, except on errors, which end parsing.
    fn enter(&mut self) -> Result {
        if self.depth >= MAX_DEPTH {
            return Err(fmt::Error);
        }
        self.depth += 1;
        Ok(())
    }

    /// Parses the number of a backref whose `B` is at `start`, and runs `f` where it points.
    ///
    /// Backrefs must point backwards, and each one followed is a level of nesting, so that
    /// following them terminates.
    fn backref<T: Default>(
        &mut self,
        start: usize,
        f: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<T> {
        let target = usize::try_from(self.base62()?).map_err(|_| fmt::Error)?;
        if target >= start {
            return Err(fmt::Error);
        }
        if self.skipping {
            return Ok(T::default());
        }
        self.enter()?;
        let resume = core::mem::replace(&mut self.pos, target);
        let result = f(self)?;
        self.pos = resume;
        self.depth -= 1;
        Ok(result)
    }

    /// Calls `f` for each item up to the closing `E`, printing `sep` between them, and returns
    /// how many there were.
    fn list(&mut self, sep: &str, f: fn(&mut Self) -> Result) -> Result<usize> {
        let mut count = 0;
        self.enter()?;
        while !self.eat(b'E') {
            if count > 0 {
                self.write_str(sep)?;
            }
            f(self)?;
            count += 1;
        }
        self.depth -= 1;
        Ok(count)
    }

    /// Prints a whole symbol, after its `_R` prefix.
    fn symbol(mut self) -> Result {
        // The optional encoding version.
        if self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.decimal()?;
        }
        self.path(true)?;
        // The optional instantiating crate.
        if self.peek().is_some_and(|b| b.is_ascii_uppercase()) {
            self.skip_path()?;
        }
        match self.peek() {
            None | Some(b'.' | b'$') => Ok(()),
            Some(_) => Err(fmt::Error),
        }
    }

    /// Prints a path, with `::` before generic arguments if it names a value.
    fn path(&mut self, in_value: bool) -> Result {
        let start = self.pos;
        self.enter()?;
        match self.next()? {
            b'C' => {
                self.tagged_base62(b's')?;
                let name = self.ident()?;
                self.print_ident(&name)?;
            }
            b'N' => {
                let namespace = self.next()?;
                self.path(in_value)?;
                self.segment(namespace)?;
            }
            // Inherent impls `<Type>`, trait impls and definitions `<Type as Trait>`.
            tag @ (b'M' | b'X' | b'Y') => {
                if tag != b'Y' {
                    self.skip_path()?;
                }
                self.write_str("<")?;
                self.ty()?;
                if tag != b'M' {
                    self.write_str(" as ")?;
                    self.path(false)?;
                }
                self.write_str(">")?;
            }
            b'I' => {
                self.path(in_value)?;
                self.write_str(if in_value { "::<" } else { "<" })?;
                self.list(", ", Self::generic_arg)?;
                self.write_str(">")?;
            }
            b'B' => self.backref(start, |p| p.path(in_value))?,
            _ => return Err(fmt::Error),
        }
        self.depth -= 1;
        Ok(())
    }

    /// Prints the identifier that ends a nested path in `namespace`.
    fn segment(&mut self, namespace: u8) -> Result {
        let disambiguator = self.tagged_base62(b's')?;
        let name = self.ident()?;
        match namespace {
            b'a'..=b'z' if name.name.is_empty() => Ok(()),
            b'a'..=b'z' => {
                self.write_str("::")?;
                self.print_ident(&name)
            }
            b'A'..=b'Z' => {
                match namespace {
                    b'C' => self.write_str("::{closure")?,
                    b'S' => self.write_str("::{shim")?,
                    _ => write!(self, "::{{{}", char::from(namespace))?,
                }
                if !name.name.is_empty() {
                    self.write_str(":")?;
                    self.print_ident(&name)?;
                }
                write!(self, "#{disambiguator}}}")
            }
            _ => Err(fmt::Error),
        }
    }

    fn generic_arg(&mut self) -> Result {
        if self.eat(b'L') {
            let index = self.base62()?;
            self.print_lifetime(index)
        } else if self.eat(b'K') {
            self.constant()
        } else {
            self.ty()
        }
    }

    /// Prints the lifetime with de Bruijn index `index`, or `'_` for the erased lifetime 0.
    fn print_lifetime(&mut self, index: u64) -> Result {
        if index == 0 {
            return self.write_str("'_");
        }
        let level = self.bound_lifetimes.checked_sub(index).ok_or(fmt::Error)?;
        self.print_lifetime_name(level)
    }

    /// Prints the name of the lifetime that the `level`-th enclosing binder binds.
    fn print_lifetime_name(&mut self, level: u64) -> Result {
        match u8::try_from(level) {
            Ok(level @ 0..=25) => write!(self, "'{}", char::from(b'a' + level)),
            _ => write!(self, "'_{level}"),
        }
    }

    /// Parses an optional binder and prints it as `for<'a, ...> `.
    ///
    /// Its lifetimes stay bound until `bound_lifetimes` is set back to the value returned.
    fn binder(&mut self) -> Result<u64> {
        let count = self.tagged_base62(b'G')?;
        let outer = self.bound_lifetimes;
        self.bound_lifetimes = outer.checked_add(count).ok_or(fmt::Error)?;
        if count > 0 {
            self.write_str("for<")?;
            for level in outer..self.bound_lifetimes {
                if level > outer {
                    self.write_str(", ")?;
                }
                self.print_lifetime_name(level)?;
            }
            self.write_str("> ")?;
        }
        Ok(outer)
    }

    fn ty(&mut self) -> Result {
        let start = self.pos;
        let tag = self.next()?;
        if let Some(name) = basic_type(tag) {
            return self.write_str(name);
        }
        match tag {
            b'B' => return self.backref(start, Self::ty),
            b'C' | b'M' | b'X' | b'Y' | b'N' | b'I' => {
                self.pos = start;
                return self.path(false);
            }
            _ => self.enter()?,
        }
        match tag {
            b'A' => {
                self.write_str("[")?;
                self.ty()?;
                self.write_str("; ")?;
                self.constant()?;
                self.write_str("]")?;
            }
            b'S' => {
                self.write_str("[")?;
                self.ty()?;
                self.write_str("]")?;
            }
            b'T' => {
                self.write_str("(")?;
                let count = self.list(", ", Self::ty)?;
                self.write_str(if count == 1 { ",)" } else { ")" })?;
            }
            b'R' | b'Q' => self.reference(tag == b'Q')?,
            b'P' => {
                self.write_str("*const ")?;
                self.ty()?;
            }
            b'O' => {
                self.write_str("*mut ")?;
                self.ty()?;
            }
            b'F' => {
                let outer = self.binder()?;
                self.fn_sig()?;
                self.bound_lifetimes = outer;
            }
            b'D' => self.dyn_trait_object()?,
            _ => return Err(fmt::Error),
        }
        self.depth -= 1;
        Ok(())
    }

    /// Prints a reference type, after its `R` or `Q`.
    fn reference(&mut self, mutable: bool) -> Result {
        self.write_str("&")?;
        if self.eat(b'L') {
            let index = self.base62()?;
            if index != 0 {
                self.print_lifetime(index)?;
                self.write_str(" ")?;
            }
        }
        if mutable {
            self.write_str("mut ")?;
        }
        self.ty()
    }

    /// Prints a function pointer type, after its binder.
    fn fn_sig(&mut self) -> Result {
        if self.eat(b'U') {
            self.write_str("unsafe ")?;
        }
        if self.eat(b'K') {
            if self.eat(b'C') {
                self.write_str("extern \"C\" ")?;
            } else {
                let abi = self.ident()?;
                self.write_str("extern \"")?;
                for c in abi.name.chars() {
                    self.write_char(if c == '_' { '-' } else { c })?;
                }
                self.write_str("\" ")?;
            }
        }
        self.write_str("fn(")?;
        self.list(", ", Self::ty)?;
        self.write_str(")")?;
        if self.eat(b'u') {
            return Ok(());
        }
        self.write_str(" -> ")?;
        self.ty()
    }

    /// Prints a trait object type, after its `D`.
    fn dyn_trait_object(&mut self) -> Result {
        self.write_str("dyn ")?;
        let outer = self.binder()?;
        self.list(" + ", Self::dyn_trait)?;
        self.bound_lifetimes = outer;
        if self.next()? != b'L' {
            return Err(fmt::Error);
        }
        let index = self.base62()?;
        if index != 0 {
            self.write_str(" + ")?;
            self.print_lifetime(index)?;
        }
        Ok(())
    }

    /// Prints a trait of a trait object, with its associated type bindings.
    fn dyn_trait(&mut self) -> Result {
        self.enter()?;
        let mut open = self.dyn_trait_path()?;
        while self.eat(b'p') {
            self.write_str(if open { ", " } else { "<" })?;
            open = true;
            let name = self.ident()?;
            self.print_ident(&name)?;
            self.write_str(" = ")?;
            self.ty()?;
        }
        if open {
            self.write_str(">")?;
        }
        self.depth -= 1;
        Ok(())
    }

    /// Prints the path to a trait of a trait object, leaving its generic arguments open for the
    /// associated type bindings that may follow, and returns whether it has generic arguments.
    fn dyn_trait_path(&mut self) -> Result<bool> {
        let start = self.pos;
        match self.next()? {
            b'I' => {
                self.path(false)?;
                self.write_str("<")?;
                self.list(", ", Self::generic_arg)?;
                Ok(true)
            }
            b'B' => self.backref(start, Self::dyn_trait_path),
            _ => {
                self.pos = start;
                self.path(false).map(|()| false)
            }
        }
    }

    /// Prints a constant, after any `K` tag.
    fn constant(&mut self) -> Result {
        let start = self.pos;
        match self.next()? {
            b'p' => self.write_str("_"),
            b'B' => self.backref(start, Self::constant),
            b'b' => match self.const_data()? {
                (false, "0") => self.write_str("false"),
                (false, "1") => self.write_str("true"),
                _ => Err(fmt::Error),
            },
            b'c' => match self.const_data()? {
                (false, hex) => {
                    let value = u32::from_str_radix(hex, 16).map_err(|_| fmt::Error)?;
                    self.print_char(char::from_u32(value).ok_or(fmt::Error)?)
                }
                (true, _) => Err(fmt::Error),
            },
            b'a' | b's' | b'l' | b'x' | b'n' | b'i' => {
                let (negative, hex) = self.const_data()?;
                self.print_integer(negative, hex)
            }
            b'h' | b't' | b'm' | b'y' | b'o' | b'j' => match self.const_data()? {
                (false, hex) => self.print_integer(false, hex),
                (true, _) => Err(fmt::Error),
            },
            _ => Err(fmt::Error),
        }
    }

    /// Parses a constant's value: whether it is negative, and its hex digits.
    fn const_data(&mut self) -> Result<(bool, &'s str)> {
        let negative = self.eat(b'n');
        let start = self.pos;
        while let Some(b'0'..=b'9' | b'a'..=b'f') = self.peek() {
            self.pos += 1;
        }
        let hex = self.sym.get(start..self.pos).unwrap_or_default();
        if hex.is_empty() || !self.eat(b'_') {
            return Err(fmt::Error);
        }
        Ok((negative, core::str::from_utf8(hex).map_err(|_| fmt::Error)?))
    }

    /// Prints an integer in decimal if it fits in 64 bits, and in hex otherwise.
    fn print_integer(&mut self, negative: bool, hex: &str) -> Result {
        if negative {
            self.write_str("-")?;
        }
        match u64::from_str_radix(hex, 16) {
            Ok(value) => write!(self, "{value}"),
            Err(_) => write!(self, "0x{}", hex.trim_start_matches('0')),
        }
    }

    /// Prints a character literal, escaping all but printable ASCII.
    fn print_char(&mut self, c: char) -> Result {
        match c {
            '\t' => self.write_str("'\\t'"),
            '\n' => self.write_str("'\\n'"),
            '\r' => self.write_str("'\\r'"),
            '\'' | '\\' => write!(self, "'\\{c}'"),
            ' '..='~' => write!(self, "'{c}'"),
            _ => write!(self, "'\\u{{{:x}}}'", u32::from(c)),
        }
    }
}

/// Returns the name of the basic type with tag `tag`, if it is one.
fn basic_type(tag: u8) -> Option<&'static str> {
    Some(match tag {
        b'a' => "i8",
        b'b' => "bool",
        b'c' => "char",
        b'd' => "f64",
        b'e' => "str",
        b'f' => "f32",
        b'h' => "u8",
        b'i' => "isize",
        b'j' => "usize",
        b'l' => "i32",
        b'm' => "u32",
        b'n' => "i128",
        b'o' => "u128",
        b'p' => "_",
        b's' => "i16",
        b't' => "u16",
        b'u' => "()",
        b'v' => "...",
        b'x' => "i64",
        b'y' => "u64",
        b'z' => "!",
        _ => return None,
    })
}
