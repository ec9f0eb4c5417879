// SPDX-License-Identifier: GPL-2.0

//! Demangling of Rust symbol names.
//!
//! The kernel's symbol table (kallsyms) holds the mangled names of Rust functions, such as
//! `_RNvCs1234abcd_19rust_callops_tracer8workload`. [`Demangle`] displays such a name as the Rust
//! path it encodes, `rust_callops_tracer::workload`, so that tracing output names Rust functions
//! as readably as C ones.
//!
//! The kernel's Rust code is built with the v0 mangling scheme, the only one understood here (see
//! <https://doc.rust-lang.org/rustc/symbol-mangling/v0.html>). Names are displayed in the form the
//! scheme recommends, without crate disambiguators, instantiating crate or vendor suffix (such as
//! `.llvm.1234`). Punycode identifiers are not decoded, but displayed as `punycode{...}`.
//!
//! Nothing is allocated: the symbol is printed as it is parsed. It is parsed twice, first into a
//! sink to check all of it, so that a malformed symbol is displayed unchanged rather than half
//! demangled. Recursion depth and output length are bounded, so that no symbol can overflow the
//! stack or take long to display.

use core::fmt::{self, Write};

/// How deeply the parser may recurse, which bounds its stack use to a few KiB.
///
/// The symbols of the kernel nest less than half as deep.
const MAX_DEPTH: u32 = 32;

/// How long a demangled name may be, which bounds the time spent following backrefs.
const MAX_LENGTH: usize = 4096;

/// The names of the basic types, by their tags from `a` to `z`.
const BASIC_TYPES: [&str; 26] = [
    "i8", "bool", "char", "f64", "str", "f32", "", "u8", "isize", "usize", "", "i32", "u32",
    "i128", "u128", "_", "", "", "i16", "u16", "()", "...", "", "i64", "u64", "!",
];

/// A symbol name that displays as its demangled form if it is a Rust v0 symbol, and as it is
/// otherwise.
///
/// Bytes that are not UTF-8 display as `?`.
///
/// # Examples
///
/// ```
/// use kernel::{demangle::Demangle, fmt, str::CString};
///
/// for (symbol, demangled) in [
///     // A C symbol.
///     ("schedule", "schedule"),
///     // A function, a closure in it and a method of a generic type.
///     (
///         "_RNvCs4EjmFU49cTT_19rust_callops_tracer8workload",
///         "rust_callops_tracer::workload",
///     ),
///     (
///         "_RNCNvCs4EjmFU49cTT_19rust_callops_tracer8workload0B3_",
///         "rust_callops_tracer::workload::{closure#0}",
///     ),
///     (
///         "_RNvMCs4EjmFU49cTT_19rust_callops_tracerINtB2_7CounterRShE3getB2_",
///         "<rust_callops_tracer::Counter<&[u8]>>::get",
///     ),
///     // A trait method implementation.
///     (
///         "_RNvXs_Cs4EjmFU49cTT_19rust_callops_tracerNtB4_5StatsNtNtCscoScM8QT1vH_4core3fmt\
///          7Display3fmt",
///         "<rust_callops_tracer::Stats as core::fmt::Display>::fmt",
///     ),
///     // A generic function, whose second argument refers back to the first.
///     (
///         "_RINvCs4EjmFU49cTT_19rust_callops_tracer4pairNtB2_5StatsBG_EB2_",
///         "rust_callops_tracer::pair::<rust_callops_tracer::Stats, rust_callops_tracer::Stats>",
///     ),
///     // Malformed symbols: truncated, and with a backref pointing forwards.
///     (
///         "_RNvCs4EjmFU49cTT_19rust_callops_tracer8work",
///         "_RNvCs4EjmFU49cTT_19rust_callops_tracer8work",
///     ),
///     ("_RNvB3_8workload", "_RNvB3_8workload"),
/// ] {
///     let s = CString::try_from_fmt(fmt!("{}", Demangle::new(symbol.as_bytes())))?;
///     assert_eq!(s.to_str()?, demangled);
/// }
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
        let mut bytes = self.0;
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
}

/// Discards what is written, to check that a symbol demangles before printing it.
struct Sink;

impl Write for Sink {
    fn write_str(&mut self, _: &str) -> fmt::Result {
        Ok(())
    }
}

/// Parse errors, like output errors, are [`fmt::Error`].
type Result<T = ()> = core::result::Result<T, fmt::Error>;

/// An identifier, without its disambiguator.
struct Ident<'s> {
    punycode: bool,
    name: &'s str,
}

/// Parses a v0 symbol, printing it as it goes.
struct Printer<'s, W> {
    /// The symbol after its `_R` prefix, where backref offsets start.
    sym: &'s [u8],
    /// The offset of the next byte to parse.
    pos: usize,
    out: W,
    /// Whether output is dropped, while parsing the parts of the symbol that are not displayed.
    skipping: bool,
    /// How deeply the parser recurses.
    depth: u32,
    /// How many lifetimes the enclosing `for<...>` binders bind.
    bound_lifetimes: u64,
    /// How many bytes have been printed, including dropped ones.
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

    /// Parses a base-62 number: `_` is 0, and digits `0-9a-zA-Z` then `_` are their value + 1.
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
            value = value.checked_add(digit.into()).ok_or(fmt::Error)?;
        }
    }

    /// Parses `tag` and a base-62 number as the number + 1, or no `tag` as 0.
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
            value = value.checked_add((b - b'0').into()).ok_or(fmt::Error)?;
        }
        Ok(value)
    }

    /// Parses an identifier: `u` if Punycode, length, `_` if needed, and UTF-8 letters or digits.
    fn ident(&mut self) -> Result<Ident<'s>> {
        let punycode = self.eat(b'u');
        let len = self.decimal()?;
        self.eat(b'_');
        let end = self.pos.checked_add(len).ok_or(fmt::Error)?;
        let name = self.sym.get(self.pos..end).ok_or(fmt::Error)?;
        self.pos = end;
        if !name
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'_' || !b.is_ascii())
        {
            return Err(fmt::Error);
        }
        let name = core::str::from_utf8(name).map_err(|_| fmt::Error)?;
        Ok(Ident { punycode, name })
    }

    /// Prints an identifier, as `punycode{...}` if it is Punycode-encoded.
    fn print_ident(&mut self, ident: &Ident<'_>) -> Result {
        if ident.punycode {
            write!(self, "punycode{{{}}}", ident.name)
        } else {
            self.write_str(ident.name)
        }
    }

    /// Enters a level of recursion, failing beyond [`MAX_DEPTH`].
    ///
    /// Levels are left by decrementing `depth`, except on errors, which end parsing.
    fn enter(&mut self) -> Result {
        if self.depth >= MAX_DEPTH {
            return Err(fmt::Error);
        }
        self.depth += 1;
        Ok(())
    }

    /// Parses the offset of a backref whose `B` is at `start`, and runs `f` there.
    ///
    /// Backrefs must point backwards, and following one is a level of recursion, so that
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

    /// Runs `f` for each item up to an `E`, printing `sep` between them, and counts the items.
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

    /// Parses a path without printing it, after an optional disambiguator.
    fn skip_path(&mut self) -> Result {
        let skipping = core::mem::replace(&mut self.skipping, true);
        self.tagged_base62(b's')?;
        self.path(false)?;
        self.skipping = skipping;
        Ok(())
    }

    /// Prints a whole symbol, after its `_R` prefix.
    fn symbol(mut self) -> Result {
        // The encoding version.
        if self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.decimal()?;
        }
        self.path(true)?;
        // The instantiating crate.
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
            // An inherent impl `<Type>`, a trait impl or definition `<Type as Trait>`.
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

    /// Prints the identifier that ends a path in `namespace`, as `::name` or `::{closure#0}`.
    fn segment(&mut self, namespace: u8) -> Result {
        let disambiguator = self.tagged_base62(b's')?;
        let name = self.ident()?;
        if namespace.is_ascii_lowercase() {
            if !name.name.is_empty() {
                self.write_str("::")?;
                self.print_ident(&name)?;
            }
            return Ok(());
        }
        match namespace {
            b'C' => self.write_str("::{closure")?,
            b'S' => self.write_str("::{shim")?,
            b'A'..=b'Z' => write!(self, "::{{{}", char::from(namespace))?,
            _ => return Err(fmt::Error),
        }
        if !name.name.is_empty() {
            self.write_str(":")?;
            self.print_ident(&name)?;
        }
        write!(self, "#{disambiguator}}}")
    }

    /// Prints a generic argument: a lifetime, a type or a constant.
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

    /// Prints the lifetime with de Bruijn index `index`: `'_` for the erased lifetime 0, and
    /// `'a`, `'b`... for the lifetimes bound by the enclosing binders, outermost first.
    fn print_lifetime(&mut self, index: u64) -> Result {
        if index == 0 {
            return self.write_str("'_");
        }
        let level = self.bound_lifetimes.checked_sub(index).ok_or(fmt::Error)?;
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
            for index in (1..=count).rev() {
                self.print_lifetime(index)?;
                self.write_str(if index > 1 { ", " } else { "> " })?;
            }
        }
        Ok(outer)
    }

    /// Prints a type.
    fn ty(&mut self) -> Result {
        let start = self.pos;
        let tag = self.next()?;
        let basic = BASIC_TYPES.get(usize::from(tag.wrapping_sub(b'a')));
        if let Some(name) = basic.filter(|name| !name.is_empty()) {
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
            b'A' | b'S' => {
                self.write_str("[")?;
                self.ty()?;
                if tag == b'A' {
                    self.write_str("; ")?;
                    self.constant()?;
                }
                self.write_str("]")?;
            }
            b'T' => {
                self.write_str("(")?;
                let count = self.list(", ", Self::ty)?;
                self.write_str(if count == 1 { ",)" } else { ")" })?;
            }
            b'R' | b'Q' => {
                self.write_str("&")?;
                if self.eat(b'L') {
                    let index = self.base62()?;
                    if index != 0 {
                        self.print_lifetime(index)?;
                        self.write_str(" ")?;
                    }
                }
                self.write_str(if tag == b'Q' { "mut " } else { "" })?;
                self.ty()?;
            }
            b'P' | b'O' => {
                self.write_str(if tag == b'P' { "*const " } else { "*mut " })?;
                self.ty()?;
            }
            b'F' => self.fn_type()?,
            b'D' => self.dyn_type()?,
            _ => return Err(fmt::Error),
        }
        self.depth -= 1;
        Ok(())
    }

    /// Prints a function pointer type, after its `F`.
    fn fn_type(&mut self) -> Result {
        let outer = self.binder()?;
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
        if !self.eat(b'u') {
            self.write_str(" -> ")?;
            self.ty()?;
        }
        self.bound_lifetimes = outer;
        Ok(())
    }

    /// Prints a trait object type, after its `D`.
    fn dyn_type(&mut self) -> Result {
        self.write_str("dyn ")?;
        let outer = self.binder()?;
        self.list(" + ", Self::dyn_trait)?;
        self.bound_lifetimes = outer;
        if !self.eat(b'L') {
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
        self.write_str(if open { ">" } else { "" })?;
        self.depth -= 1;
        Ok(())
    }

    /// Prints the path to a trait of a trait object, leaving generic arguments open for the
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

    /// Prints a constant, after its `K`.
    fn constant(&mut self) -> Result {
        let start = self.pos;
        let tag = self.next()?;
        match tag {
            b'p' => return self.write_str("_"),
            b'B' => return self.backref(start, Self::constant),
            _ => {}
        }
        let negative = self.eat(b'n');
        let digits = self.pos;
        while let Some(b'0'..=b'9' | b'a'..=b'f') = self.peek() {
            self.pos += 1;
        }
        let hex = self.sym.get(digits..self.pos).unwrap_or_default();
        let hex = core::str::from_utf8(hex).map_err(|_| fmt::Error)?;
        if hex.is_empty() || !self.eat(b'_') {
            return Err(fmt::Error);
        }
        match (tag, negative, hex) {
            (b'b', false, "0") => self.write_str("false"),
            (b'b', false, "1") => self.write_str("true"),
            (b'c', false, _) => match u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
                Some(c) if c.is_ascii() => write!(self, "{c:?}"),
                Some(c) => write!(self, "'\\u{{{:x}}}'", u32::from(c)),
                None => Err(fmt::Error),
            },
            (b'a' | b's' | b'l' | b'x' | b'n' | b'i', ..)
            | (b'h' | b't' | b'm' | b'y' | b'o' | b'j', false, _) => {
                self.write_str(if negative { "-" } else { "" })?;
                // In decimal if it fits in 64 bits, in hex otherwise.
                match u64::from_str_radix(hex, 16) {
                    Ok(value) => write!(self, "{value}"),
                    Err(_) => write!(self, "0x{}", hex.trim_start_matches('0')),
                }
            }
            _ => Err(fmt::Error),
        }
    }
}
