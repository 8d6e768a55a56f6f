//! Go's `fmt.Sprintf`, as OPA's `sprintf` drives it: the verbs, flags, widths, precisions,
//! argument indexes and error forms (`%!d(string=x)`, `%!v(MISSING)`, `%!(EXTRA ...)`) for the
//! four kinds of argument OPA passes (Go `int`, `*big.Int`, `float64` and `string`).

use super::text::{go_quote, go_quote_ascii, is_print, push_escaped, rego_text};
use crate::number::Number;
use crate::value::Value;
use num_bigint::{BigInt, Sign};

/// One argument, converted the way OPA's `sprintf` converts a value.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Arg {
    Int(i64),
    Big(BigInt),
    Float(f64),
    Str(String),
}

impl Arg {
    /// Numbers become `int`, `*big.Int` or `float64` (or their text when no float holds them);
    /// strings stay strings; every other value becomes its Rego text.
    pub(super) fn from_value(v: &Value) -> Arg {
        match v {
            Value::Number(Number::Int(i)) => Arg::Int(*i),
            Value::Number(n) => {
                let f = n.as_f64();
                if n.is_integer() && f.is_finite() {
                    if let Some(b) = n.as_bigint() {
                        return Arg::Big(b);
                    }
                }
                if f.is_finite() {
                    Arg::Float(f)
                } else {
                    Arg::Str(overflow_text(n))
                }
            }
            Value::String(s) => Arg::Str(s.to_string()),
            other => Arg::Str(rego_text(other)),
        }
    }

    fn type_name(&self) -> &'static str {
        match self {
            Arg::Int(_) => "int",
            Arg::Big(_) => "*big.Int",
            Arg::Float(_) => "float64",
            Arg::Str(_) => "string",
        }
    }
}

/// The text of a number too large for a float, in the literal's exponent form (`2e308`).
fn overflow_text(n: &Number) -> String {
    let big = n.to_big();
    let (digits, scale) = big.as_bigint_and_exponent();
    let text = digits.to_string();
    let (sign, mag) = match text.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", text.as_str()),
    };
    let mut mantissa = mag.trim_end_matches('0').to_string();
    let exp = (mag.len() - mantissa.len()) as i64 - scale;
    if mantissa.len() > 1 {
        mantissa.insert(1, '.');
    }
    let exp = exp + mantissa.len().saturating_sub(2) as i64;
    format!("{sign}{mantissa}e{exp}")
}

#[derive(Clone, Copy, Default)]
struct Flags {
    wid: usize,
    wid_present: bool,
    prec: usize,
    prec_present: bool,
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    plus_v: bool,
    sharp_v: bool,
}

/// Go's `fmt.Sprintf(format, args...)`.
pub(super) fn sprintf(format: &str, args: &[Arg]) -> String {
    let mut p = Printer {
        out: String::new(),
        f: Flags::default(),
    };
    p.do_printf(format, args);
    p.out
}

struct Printer {
    out: String,
    f: Flags,
}

const TOO_LARGE: usize = 1_000_000;

/// Go's `parsenum`: the number at `s[start..]`, whether there was one, and the next index.
fn parse_num(s: &[u8], start: usize) -> (usize, bool, usize) {
    let mut num = 0usize;
    let mut is_num = false;
    let mut i = start;
    while i < s.len() && s[i].is_ascii_digit() {
        if num > TOO_LARGE {
            return (0, false, s.len());
        }
        num = num * 10 + usize::from(s[i] - b'0');
        is_num = true;
        i += 1;
    }
    (num, is_num, i)
}

/// Go's `parseArgNumber`: `[n]` at the start of `s` → (0-based index, bytes consumed, ok);
/// the index is `None` for `[0]`, which Go reads as -1.
fn parse_arg_number(s: &[u8]) -> (Option<usize>, usize, bool) {
    if s.len() < 3 {
        return (None, 1, false);
    }
    for i in 1..s.len() {
        if s[i] == b']' {
            let (width, ok, newi) = parse_num(&s[..i], 1);
            if !ok || newi != i {
                return (None, i + 1, false);
            }
            return (width.checked_sub(1), i + 1, true);
        }
    }
    (None, 1, false)
}

/// Go's `intFromArg`: a `*` width or precision taken from an `int` argument.
fn int_from_arg(a: &[Arg], arg_num: usize) -> (i64, bool, usize) {
    match a.get(arg_num) {
        None => (0, false, arg_num),
        Some(Arg::Int(i)) if i.unsigned_abs() <= TOO_LARGE as u64 => (*i, true, arg_num + 1),
        Some(_) => (0, false, arg_num + 1),
    }
}

impl Printer {
    fn do_printf(&mut self, format: &str, a: &[Arg]) {
        let s = format.as_bytes();
        let end = s.len();
        let mut arg_num = 0usize;
        let mut reordered = false;
        let mut i = 0usize;
        while i < end {
            let mut good_arg_num = true;
            let lasti = i;
            while i < end && s[i] != b'%' {
                i += 1;
            }
            if i > lasti {
                self.out.push_str(&format[lasti..i]);
            }
            if i >= end {
                break;
            }
            i += 1;
            self.f = Flags::default();
            let mut simple_done = false;
            while i < end {
                let c = s[i];
                match c {
                    b'#' => self.f.sharp = true,
                    b'0' => self.f.zero = true,
                    b'+' => self.f.plus = true,
                    b'-' => self.f.minus = true,
                    b' ' => self.f.space = true,
                    _ => {
                        if c.is_ascii_lowercase() && arg_num < a.len() {
                            if c == b'v' {
                                self.f.sharp_v = self.f.sharp;
                                self.f.sharp = false;
                                self.f.plus_v = self.f.plus;
                                self.f.plus = false;
                            }
                            self.print_arg(&a[arg_num], char::from(c));
                            arg_num += 1;
                            i += 1;
                            simple_done = true;
                        }
                        break;
                    }
                }
                i += 1;
            }
            if simple_done {
                continue;
            }

            // Explicit argument index?
            let mut after_index;
            (arg_num, i, after_index) =
                self.arg_number(arg_num, s, i, a.len(), &mut reordered, &mut good_arg_num);

            // Width.
            if i < end && s[i] == b'*' {
                i += 1;
                let (w, ok, next) = int_from_arg(a, arg_num);
                arg_num = next;
                self.set_star_width(w, ok);
                after_index = false;
            } else {
                let (w, present, next) = parse_num(s, i);
                self.f.wid = w;
                self.f.wid_present = present;
                i = next;
                if after_index && present {
                    good_arg_num = false;
                }
            }

            // Precision.
            if i + 1 < end && s[i] == b'.' {
                i += 1;
                if after_index {
                    good_arg_num = false;
                }
                (arg_num, i, after_index) =
                    self.arg_number(arg_num, s, i, a.len(), &mut reordered, &mut good_arg_num);
                if i < end && s[i] == b'*' {
                    i += 1;
                    let (p, ok, next) = int_from_arg(a, arg_num);
                    arg_num = next;
                    if p < 0 || !ok {
                        self.f.prec = 0;
                        self.f.prec_present = false;
                    } else {
                        self.f.prec = p.unsigned_abs() as usize;
                        self.f.prec_present = true;
                    }
                    if !self.f.prec_present {
                        self.out.push_str("%!(BADPREC)");
                    }
                    after_index = false;
                } else {
                    let (p, present, next) = parse_num(s, i);
                    i = next;
                    self.f.prec = if present { p } else { 0 };
                    self.f.prec_present = true;
                }
            }

            if !after_index {
                (arg_num, i, _) =
                    self.arg_number(arg_num, s, i, a.len(), &mut reordered, &mut good_arg_num);
            }

            if i >= end {
                self.out.push_str("%!(NOVERB)");
                break;
            }

            let verb = format[i..].chars().next().unwrap_or('%');
            i += verb.len_utf8();

            if verb == '%' {
                self.out.push('%');
            } else if !good_arg_num {
                self.out.push_str(&format!("%!{verb}(BADINDEX)"));
            } else if arg_num >= a.len() {
                self.out.push_str(&format!("%!{verb}(MISSING)"));
            } else {
                if verb == 'v' {
                    self.f.sharp_v = self.f.sharp;
                    self.f.sharp = false;
                    self.f.plus_v = self.f.plus;
                    self.f.plus = false;
                }
                self.print_arg(&a[arg_num], verb);
                arg_num += 1;
            }
        }

        if !reordered && arg_num < a.len() {
            self.f = Flags::default();
            self.out.push_str("%!(EXTRA ");
            for (k, arg) in a[arg_num..].iter().enumerate() {
                if k > 0 {
                    self.out.push_str(", ");
                }
                self.out.push_str(arg.type_name());
                self.out.push('=');
                self.print_arg(arg, 'v');
            }
            self.out.push(')');
        }
    }

    fn set_star_width(&mut self, w: i64, ok: bool) {
        self.f.wid_present = ok;
        if !ok {
            self.out.push_str("%!(BADWIDTH)");
        }
        if w < 0 {
            self.f.wid = w.unsigned_abs() as usize;
            self.f.minus = true;
            self.f.zero = false;
        } else {
            self.f.wid = w as usize;
        }
    }

    fn arg_number(
        &mut self,
        arg_num: usize,
        s: &[u8],
        i: usize,
        num_args: usize,
        reordered: &mut bool,
        good: &mut bool,
    ) -> (usize, usize, bool) {
        if s.len() <= i || s[i] != b'[' {
            return (arg_num, i, false);
        }
        *reordered = true;
        let (index, wid, ok) = parse_arg_number(&s[i..]);
        if let Some(index) = index.filter(|&k| ok && k < num_args) {
            return (index, i + wid, true);
        }
        *good = false;
        (arg_num, i + wid, ok)
    }

    fn print_arg(&mut self, arg: &Arg, verb: char) {
        match verb {
            'T' => {
                let name = arg.type_name();
                self.fmt_s(name);
                return;
            }
            'p' => {
                self.bad_verb(arg, verb);
                return;
            }
            _ => {}
        }
        match arg {
            Arg::Int(i) => self.fmt_int_verb(*i, verb, arg),
            Arg::Big(b) => self.fmt_big(b, verb),
            Arg::Float(x) => self.fmt_float_verb(*x, verb, arg),
            Arg::Str(s) => self.fmt_string_verb(s, verb, arg),
        }
    }

    fn bad_verb(&mut self, arg: &Arg, verb: char) {
        self.out.push_str("%!");
        self.out.push(verb);
        self.out.push('(');
        self.out.push_str(arg.type_name());
        self.out.push('=');
        self.print_arg(arg, 'v');
        self.out.push(')');
    }

    /// Go's `writePadding`.
    fn write_padding(&mut self, n: usize, zero: bool) {
        let byte = if zero && !self.f.minus { '0' } else { ' ' };
        self.out.extend(std::iter::repeat_n(byte, n));
    }

    /// Go's `pad`/`padString`, with the zero flag given explicitly.
    fn pad_with(&mut self, s: &str, zero: bool) {
        if !self.f.wid_present || self.f.wid == 0 {
            self.out.push_str(s);
            return;
        }
        let width = self.f.wid.saturating_sub(s.chars().count());
        if self.f.minus {
            self.out.push_str(s);
            self.write_padding(width, zero);
        } else {
            self.write_padding(width, zero);
            self.out.push_str(s);
        }
    }

    fn pad(&mut self, s: &str) {
        let zero = self.f.zero;
        self.pad_with(s, zero);
    }

    fn truncate<'s>(&self, s: &'s str) -> &'s str {
        if self.f.prec_present {
            if let Some((i, _)) = s.char_indices().nth(self.f.prec) {
                return &s[..i];
            }
        }
        s
    }

    fn fmt_s(&mut self, s: &str) {
        let t = self.truncate(s).to_string();
        self.pad(&t);
    }

    fn fmt_q(&mut self, s: &str) {
        let t = self.truncate(s).to_string();
        if self.f.sharp && can_backquote(&t) {
            self.pad(&format!("`{t}`"));
        } else if self.f.plus {
            self.pad(&go_quote_ascii(&t));
        } else {
            self.pad(&go_quote(&t));
        }
    }

    /// Go's `fmtSbx`: the bytes of a string in hexadecimal.
    fn fmt_sx(&mut self, s: &str, upper: bool) {
        let digits: &[u8; 17] = if upper {
            b"0123456789ABCDEFX"
        } else {
            b"0123456789abcdefx"
        };
        let bytes = s.as_bytes();
        let mut length = bytes.len();
        if self.f.prec_present && self.f.prec < length {
            length = self.f.prec;
        }
        let mut width = 2 * length;
        if width > 0 {
            if self.f.space {
                if self.f.sharp {
                    width *= 2;
                }
                width += length - 1;
            } else if self.f.sharp {
                width += 2;
            }
        } else {
            if self.f.wid_present {
                let zero = self.f.zero;
                self.write_padding(self.f.wid, zero);
            }
            return;
        }
        let zero = self.f.zero;
        if self.f.wid_present && self.f.wid > width && !self.f.minus {
            self.write_padding(self.f.wid - width, zero);
        }
        let x = char::from(digits[16]);
        if self.f.sharp {
            self.out.push('0');
            self.out.push(x);
        }
        for (i, b) in bytes.iter().take(length).enumerate() {
            if self.f.space && i > 0 {
                self.out.push(' ');
                if self.f.sharp {
                    self.out.push('0');
                    self.out.push(x);
                }
            }
            self.out.push(char::from(digits[usize::from(b >> 4)]));
            self.out.push(char::from(digits[usize::from(b & 0xF)]));
        }
        if self.f.wid_present && self.f.wid > width && self.f.minus {
            self.write_padding(self.f.wid - width, zero);
        }
    }

    fn fmt_string_verb(&mut self, s: &str, verb: char, arg: &Arg) {
        match verb {
            'v' if self.f.sharp_v => self.fmt_q(s),
            'v' | 's' => self.fmt_s(s),
            'x' => self.fmt_sx(s, false),
            'X' => self.fmt_sx(s, true),
            'q' => self.fmt_q(s),
            _ => self.bad_verb(arg, verb),
        }
    }

    fn fmt_int_verb(&mut self, i: i64, verb: char, arg: &Arg) {
        let neg = i < 0;
        let mag = i.unsigned_abs();
        match verb {
            'v' | 'd' => self.fmt_integer(neg, &mag.to_string(), mag == 0, 10, verb),
            'b' => self.fmt_integer(neg, &format!("{mag:b}"), mag == 0, 2, verb),
            'o' | 'O' => self.fmt_integer(neg, &format!("{mag:o}"), mag == 0, 8, verb),
            'x' => self.fmt_integer(neg, &format!("{mag:x}"), mag == 0, 16, verb),
            'X' => self.fmt_integer(neg, &format!("{mag:X}"), mag == 0, 16, 'X'),
            'c' => {
                let c = char_of(i);
                self.pad(&c.to_string());
            }
            'q' => {
                let c = char_of(i);
                let mut q = String::from("'");
                push_escaped(&mut q, c, '\'', self.f.plus);
                q.push('\'');
                self.pad(&q);
            }
            'U' => self.fmt_unicode(i),
            _ => self.bad_verb(arg, verb),
        }
    }

    /// Go's `fmt.fmtInteger`, given the magnitude's digits in the right base and case.
    fn fmt_integer(&mut self, neg: bool, digits: &str, is_zero: bool, base: u32, verb: char) {
        let mut prec = 0usize;
        if self.f.prec_present {
            prec = self.f.prec;
            if prec == 0 && is_zero {
                self.write_padding(self.f.wid, false);
                return;
            }
        } else if self.f.zero && !self.f.minus && self.f.wid_present {
            prec = self.f.wid;
            if neg || self.f.plus || self.f.space {
                prec = prec.saturating_sub(1);
            }
        }
        let mut body = String::new();
        if self.f.sharp {
            match base {
                2 => body.push_str("0b"),
                16 => body.push_str(if verb == 'X' { "0X" } else { "0x" }),
                _ => {}
            }
        }
        let mut num = "0".repeat(prec.saturating_sub(digits.len()));
        num.push_str(digits);
        if self.f.sharp && base == 8 && !num.starts_with('0') {
            num.insert(0, '0');
        }
        body.push_str(&num);
        if verb == 'O' {
            body.insert_str(0, "0o");
        }
        if neg {
            body.insert(0, '-');
        } else if self.f.plus {
            body.insert(0, '+');
        } else if self.f.space {
            body.insert(0, ' ');
        }
        self.pad_with(&body, false);
    }

    fn fmt_unicode(&mut self, i: i64) {
        let u = i as u64;
        let mut s = format!("U+{u:04X}");
        if self.f.prec_present && self.f.prec > 4 {
            s = format!("U+{u:0width$X}", width = self.f.prec);
        }
        if self.f.sharp {
            if let Some(c) = u32::try_from(u).ok().and_then(char::from_u32) {
                if is_print(c) {
                    s.push_str(&format!(" '{c}'"));
                }
            }
        }
        self.pad_with(&s, false);
    }

    /// `*big.Int`'s own `Format` method.
    fn fmt_big(&mut self, x: &BigInt, verb: char) {
        let base = match verb {
            'b' => 2,
            'o' | 'O' => 8,
            'd' | 's' | 'v' => 10,
            'x' | 'X' => 16,
            _ => {
                self.out.push_str(&format!("%!{verb}(big.Int={x})"));
                return;
            }
        };
        let plus = self.f.plus || self.f.plus_v;
        let sharp = self.f.sharp || self.f.sharp_v;
        let sign = if x.sign() == Sign::Minus {
            "-"
        } else if plus {
            "+"
        } else if self.f.space {
            " "
        } else {
            ""
        };
        let mut prefix = "";
        if sharp {
            prefix = match verb {
                'b' => "0b",
                'o' => "0",
                'x' => "0x",
                'X' => "0X",
                _ => "",
            };
        }
        if verb == 'O' {
            prefix = "0o";
        }
        let mut digits = x.magnitude().to_str_radix(base);
        if verb == 'X' {
            digits = digits.to_uppercase();
        }
        let mut zeros = 0usize;
        if self.f.prec_present {
            if digits.len() < self.f.prec {
                zeros = self.f.prec - digits.len();
            } else if digits == "0" && self.f.prec == 0 {
                return;
            }
        }
        let length = sign.len() + prefix.len() + zeros + digits.len();
        let (mut left, mut right) = (0, 0);
        if self.f.wid_present && length < self.f.wid {
            let d = self.f.wid - length;
            if self.f.minus {
                right = d;
            } else if self.f.zero && !self.f.prec_present {
                zeros = d;
            } else {
                left = d;
            }
        }
        self.out.push_str(&" ".repeat(left));
        self.out.push_str(sign);
        self.out.push_str(prefix);
        self.out.push_str(&"0".repeat(zeros));
        self.out.push_str(&digits);
        self.out.push_str(&" ".repeat(right));
    }

    fn fmt_float_verb(&mut self, x: f64, verb: char, arg: &Arg) {
        match verb {
            'v' => self.fmt_float(x, 'g', None),
            'b' | 'g' | 'G' | 'x' | 'X' => self.fmt_float(x, verb, None),
            'f' | 'e' | 'E' => self.fmt_float(x, verb, Some(6)),
            'F' => self.fmt_float(x, 'f', Some(6)),
            _ => self.bad_verb(arg, verb),
        }
    }

    /// Go's `fmt.fmtFloat` (`prec` `None` is the shortest representation).
    fn fmt_float(&mut self, v: f64, verb: char, default_prec: Option<usize>) {
        let prec = if self.f.prec_present {
            Some(self.f.prec)
        } else {
            default_prec
        };
        let body = format_float(v.abs(), verb, prec);
        let mut num = String::with_capacity(body.len() + 1);
        num.push(if v.is_sign_negative() { '-' } else { '+' });
        num.push_str(&body);
        if self.f.space && num.starts_with('+') && !self.f.plus {
            num.replace_range(0..1, " ");
        }
        if self.f.sharp && verb != 'b' {
            num = sharp_float(num, verb, prec);
        }
        if self.f.plus || !num.starts_with('+') {
            if self.f.zero && !self.f.minus && self.f.wid_present && self.f.wid > num.len() {
                let (sign, rest) = num.split_at(1);
                self.out.push_str(sign);
                self.write_padding(self.f.wid - num.len(), true);
                self.out.push_str(rest);
                return;
            }
            self.pad(&num);
            return;
        }
        let rest = num[1..].to_string();
        self.pad(&rest);
    }
}

/// The `%#` form of a float: keep a decimal point and the trailing zeros.
fn sharp_float(num: String, verb: char, prec: Option<usize>) -> String {
    let mut digits: i64 = match verb {
        'v' | 'g' | 'G' | 'x' => prec.map_or(6, |p| p as i64),
        _ => 0,
    };
    let bytes = num.as_bytes();
    let mut head_end = bytes.len();
    let mut has_point = false;
    let mut saw_nonzero = false;
    for (i, &c) in bytes.iter().enumerate().skip(1) {
        match c {
            b'.' => has_point = true,
            b'p' | b'P' => {
                head_end = i;
                break;
            }
            b'e' | b'E' if verb != 'x' && verb != 'X' => {
                head_end = i;
                break;
            }
            _ => {
                if c != b'0' {
                    saw_nonzero = true;
                }
                if saw_nonzero {
                    digits -= 1;
                }
            }
        }
    }
    let (head, tail) = num.split_at(head_end);
    let mut out = head.to_string();
    if !has_point {
        if head.len() == 2 && head.ends_with('0') {
            digits -= 1;
        }
        out.push('.');
    }
    while digits > 0 {
        out.push('0');
        digits -= 1;
    }
    out.push_str(tail);
    out
}

/// Go's decimal digits of a non-negative float: `0.DIGITS × 10^dp`, trailing zeros removed.
fn decimal(v: f64, significant: Option<usize>) -> (Vec<u8>, i64) {
    if v == 0.0 {
        return (Vec::new(), 0);
    }
    let text = match significant {
        None => format!("{v:e}"),
        Some(p) => format!("{:.*e}", p.saturating_sub(1), v),
    };
    let (mant, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    while digits.last() == Some(&b'0') {
        digits.pop();
    }
    if digits.is_empty() {
        return (Vec::new(), 0);
    }
    (digits, exp + 1)
}

/// Go's `%e` layout of decimal digits with `prec` digits after the point.
fn fmt_e(digits: &[u8], dp: i64, prec: usize, upper: bool) -> String {
    let mut out = String::new();
    out.push(char::from(*digits.first().unwrap_or(&b'0')));
    if prec > 0 {
        out.push('.');
        for k in 1..=prec {
            out.push(char::from(*digits.get(k).unwrap_or(&b'0')));
        }
    }
    out.push(if upper { 'E' } else { 'e' });
    let exp = if digits.is_empty() { 0 } else { dp - 1 };
    out.push(if exp < 0 { '-' } else { '+' });
    let e = exp.unsigned_abs();
    if e < 10 {
        out.push('0');
    }
    out.push_str(&e.to_string());
    out
}

/// Go's `%f` layout of decimal digits with `prec` digits after the point.
fn fmt_f(digits: &[u8], dp: i64, prec: usize) -> String {
    let mut out = String::new();
    if dp > 0 {
        for k in 0..dp as usize {
            out.push(char::from(*digits.get(k).unwrap_or(&b'0')));
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for k in 1..=prec as i64 {
            let idx = dp + k - 1;
            let c = if idx < 0 {
                b'0'
            } else {
                *digits.get(idx as usize).unwrap_or(&b'0')
            };
            out.push(char::from(c));
        }
    }
    out
}

/// Go's `strconv.FormatFloat(v, verb, prec, 64)` for a non-negative `v`.
fn format_float(v: f64, verb: char, prec: Option<usize>) -> String {
    match verb {
        'e' | 'E' => {
            let p = prec.unwrap_or(6);
            let (digits, dp) = decimal(v, Some(p + 1));
            fmt_e(&digits, dp, p, verb == 'E')
        }
        'f' => format!("{:.*}", prec.unwrap_or(6), v),
        _ => {
            let upper = verb == 'G' || verb == 'X';
            let (digits, dp, eprec, p) = match prec {
                None => {
                    let (d, dp) = decimal(v, None);
                    let nd = d.len();
                    (d, dp, 6i64, nd)
                }
                Some(p) => {
                    let p = p.max(1);
                    let (d, dp) = decimal(v, Some(p));
                    let nd = d.len() as i64;
                    let mut eprec = p as i64;
                    if eprec > nd && nd >= dp {
                        eprec = nd;
                    }
                    (d, dp, eprec, p)
                }
            };
            let nd = digits.len();
            let exp = dp - 1;
            if exp < -4 || exp >= eprec {
                let p = p.min(nd).max(1);
                fmt_e(&digits, dp, p - 1, upper)
            } else {
                let p = if prec.is_none() || p as i64 > dp {
                    nd
                } else {
                    p
                };
                fmt_f(&digits, dp, (p as i64 - dp).max(0) as usize)
            }
        }
    }
}

/// Go's `strconv.CanBackquote`.
fn can_backquote(s: &str) -> bool {
    s.chars()
        .all(|c| c != '`' && c != '\u{FEFF}' && (c == '\t' || !c.is_control()))
}

/// The character `%c` prints for an integer (U+FFFD when it is not a valid code point).
fn char_of(i: i64) -> char {
    u32::try_from(i)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or('\u{FFFD}')
}

/// A number's `%v` text as OPA's `sprintf` prints it.
#[cfg(test)]
pub(super) fn number_text(n: &Number) -> String {
    sprintf("%v", &[Arg::from_value(&Value::Number(n.clone()))])
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::approx_constant)]
mod tests {
    use super::*;

    fn f(format: &str, args: &[Arg]) -> String {
        sprintf(format, args)
    }

    fn s(x: &str) -> Arg {
        Arg::Str(x.to_string())
    }

    fn big(x: &str) -> Arg {
        Arg::Big(x.parse().unwrap())
    }

    #[test]
    fn conversions() {
        let n = |t: &str| Arg::from_value(&Value::Number(Number::parse(t).unwrap()));
        assert_eq!(n("5"), Arg::Int(5));
        assert_eq!(n("123456789123456789123"), big("123456789123456789123"));
        assert_eq!(n("3.14"), Arg::Float(3.14));
        assert_eq!(n("2e308"), s("2e308"));
        assert_eq!(n("-1.5e400"), s("-1.5e400"));
        assert_eq!(Arg::from_value(&Value::Bool(true)), s("true"));
        assert_eq!(Arg::from_value(&Value::Null), s("null"));
        assert_eq!(
            number_text(&Number::parse("1e30").unwrap()),
            "1000000000000000000000000000000"
        );
    }

    #[test]
    fn verbs_on_integers() {
        assert_eq!(f("hi %02d", &[Arg::Int(5)]), "hi 05");
        assert_eq!(f("hi %02X.%02X", &[Arg::Int(127), Arg::Int(1)]), "hi 7F.01");
        assert_eq!(
            f(
                "%d|%5d|%-5d|%+d|% d|%05d|%.3d|%8.3d",
                &[
                    Arg::Int(-7),
                    Arg::Int(42),
                    Arg::Int(42),
                    Arg::Int(42),
                    Arg::Int(42),
                    Arg::Int(-42),
                    Arg::Int(7),
                    Arg::Int(7)
                ]
            ),
            "-7|   42|42   |+42| 42|-0042|007|     007"
        );
        assert_eq!(
            f(
                "%b %o %O %x %X %#x %#o %#b",
                &[
                    Arg::Int(5),
                    Arg::Int(8),
                    Arg::Int(8),
                    Arg::Int(255),
                    Arg::Int(255),
                    Arg::Int(255),
                    Arg::Int(8),
                    Arg::Int(5)
                ]
            ),
            "101 10 0o10 ff FF 0xff 010 0b101"
        );
        assert_eq!(
            f(
                "%c %q %U %#U",
                &[Arg::Int(65), Arg::Int(10), Arg::Int(0x1F600), Arg::Int(65)]
            ),
            "A '\\n' U+1F600 U+0041 'A'"
        );
        assert_eq!(f("%x", &[Arg::Int(-255)]), "-ff");
        assert_eq!(f("%.0d|%3.0d|", &[Arg::Int(0), Arg::Int(0)]), "|   |");
        assert_eq!(f("%s", &[Arg::Int(5)]), "%!s(int=5)");
        assert_eq!(f("%t", &[Arg::Int(5)]), "%!t(int=5)");
        assert_eq!(f("%f", &[Arg::Int(5)]), "%!f(int=5)");
        assert_eq!(f("%+v|%v", &[Arg::Int(5), Arg::Int(-5)]), "5|-5");
        assert_eq!(f("%c", &[Arg::Int(-1)]), "\u{FFFD}");
    }

    #[test]
    fn verbs_on_big_integers() {
        assert_eq!(
            f("%s", &[big("123456789123456789123")]),
            "123456789123456789123"
        );
        assert_eq!(
            f(
                "%v %d",
                &[
                    big("1208925819614629174706175"),
                    big("-18446744073709551617")
                ]
            ),
            "1208925819614629174706175 -18446744073709551617"
        );
        assert_eq!(f("%x %X %#x %o %#o %O %b", &[big("18446744073709551616"), big("18446744073709551615"), big("18446744073709551616"), big("18446744073709551616"), big("18446744073709551616"), big("18446744073709551616"), big("18446744073709551616")]),
            "10000000000000000 FFFFFFFFFFFFFFFF 0x10000000000000000 2000000000000000000000 02000000000000000000000 0o2000000000000000000000 10000000000000000000000000000000000000000000000000000000000000000");
        assert_eq!(f("%25d|%-25d|%025d|%+d", &[big("18446744073709551616"), big("18446744073709551616"), big("-18446744073709551616"), big("18446744073709551616")]),
            "     18446744073709551616|18446744073709551616     |-000018446744073709551616|+18446744073709551616");
        assert_eq!(
            f("%.25d", &[big("18446744073709551616")]),
            "0000018446744073709551616"
        );
        assert_eq!(
            f("%c", &[big("18446744073709551616")]),
            "%!c(big.Int=18446744073709551616)"
        );
        assert_eq!(
            f(
                "%T %T %T %T",
                &[
                    big("18446744073709551616"),
                    Arg::Int(1),
                    Arg::Float(1.5),
                    s("a")
                ]
            ),
            "*big.Int int float64 string"
        );
    }

    #[test]
    fn verbs_on_floats() {
        assert_eq!(f("hi %.2f", &[Arg::Float(3.1415)]), "hi 3.14");
        assert_eq!(
            f(
                "%v %v %v %v %v",
                &[
                    Arg::Float(3.14),
                    Arg::Float(1e6),
                    Arg::Float(123456.5),
                    Arg::Float(0.0001),
                    Arg::Float(0.00001)
                ]
            ),
            "3.14 1e+06 123456.5 0.0001 1e-05"
        );
        assert_eq!(
            f(
                "%f %e %E %g %G",
                &[
                    Arg::Float(1.5),
                    Arg::Float(1234.5678),
                    Arg::Float(0.000123),
                    Arg::Float(1e21),
                    Arg::Float(1e-7)
                ]
            ),
            "1.500000 1.234568e+03 1.230000E-04 1e+21 1E-07"
        );
        assert_eq!(
            f(
                "%.3g %.3g %.10g %.0f %.1f",
                &[
                    Arg::Float(1.0),
                    Arg::Float(1234.5678),
                    Arg::Float(2.5),
                    Arg::Float(2.5),
                    Arg::Float(0.25)
                ]
            ),
            "1 1.23e+03 2.5 2 0.2"
        );
        assert_eq!(
            f(
                "%8.2f|%-8.2f|%08.2f|%+.1f|% .1f|%+08.2f",
                &[
                    Arg::Float(3.14159),
                    Arg::Float(3.14159),
                    Arg::Float(-3.14159),
                    Arg::Float(2.0),
                    Arg::Float(2.0),
                    Arg::Float(3.14159)
                ]
            ),
            "    3.14|3.14    |-0003.14|+2.0| 2.0|+0003.14"
        );
        assert_eq!(
            f(
                "%#g %#.3g %#v %#e",
                &[
                    Arg::Float(1.0),
                    Arg::Float(2.0),
                    Arg::Float(1e6),
                    Arg::Float(1.0)
                ]
            ),
            "1.00000 2.00 1e+06 1.000000e+00"
        );
        assert_eq!(
            f("%d %s", &[Arg::Float(3.5), Arg::Float(2.25)]),
            "%!d(float64=3.5) %!s(float64=2.25)"
        );
        assert_eq!(
            f(
                "%g %e %v",
                &[Arg::Float(0.0), Arg::Float(0.0), Arg::Float(100000.0)]
            ),
            "0 0.000000e+00 100000"
        );
        assert_eq!(
            f("%.2e %G", &[Arg::Float(9.999), Arg::Float(1.5e300)]),
            "1.00e+01 1.5E+300"
        );
    }

    #[test]
    fn verbs_on_strings() {
        assert_eq!(f("hi %s", &[s("there")]), "hi there");
        assert_eq!(
            f(
                "%q|%#q|%+q|%x|% X|%# x",
                &[s("a\"b"), s("a`b"), s("é"), s("hi"), s("hi"), s("hi")]
            ),
            "\"a\\\"b\"|\"a`b\"|\"\\u00e9\"|6869|68 69|0x68 0x69"
        );
        assert_eq!(f("%#q", &[s("ab")]), "`ab`");
        assert_eq!(
            f(
                "%5s|%-5s|%.2s|%05s|%5.1s",
                &[s("ab"), s("ab"), s("åäö"), s("ab"), s("xyz")]
            ),
            "   ab|ab   |åä|000ab|    x"
        );
        assert_eq!(f("%#v|%v", &[s("a"), s("[\"x\", 1]")]), "\"a\"|[\"x\", 1]");
        assert_eq!(f("%d", &[s("true")]), "%!d(string=true)");
        assert_eq!(f("%x|%5x|%-5x|", &[s(""), s(""), s("a")]), "|     |61   |");
        assert_eq!(f("%.1x", &[s("abc")]), "61");
    }

    #[test]
    fn format_errors_and_indexes() {
        assert_eq!(f("hi", &[]), "hi");
        assert_eq!(f("%d %d", &[Arg::Int(1)]), "1 %!d(MISSING)");
        assert_eq!(
            f(
                "%d",
                &[
                    Arg::Int(1),
                    s("a"),
                    Arg::Float(1.5),
                    big("18446744073709551616")
                ]
            ),
            "1%!(EXTRA string=a, float64=1.5, *big.Int=18446744073709551616)"
        );
        assert_eq!(f("100%%", &[]), "100%");
        assert_eq!(f("%", &[]), "%!(NOVERB)");
        assert_eq!(f("%-", &[]), "%!(NOVERB)");
        assert_eq!(f("%[2]d %[1]d", &[Arg::Int(1), Arg::Int(2)]), "2 1");
        assert_eq!(f("%[3]d", &[Arg::Int(1)]), "%!d(BADINDEX)");
        assert_eq!(f("%[0]d", &[Arg::Int(1)]), "%!d(BADINDEX)");
        assert_eq!(f("%[x]d", &[Arg::Int(1)]), "%!d(BADINDEX)");
        assert_eq!(
            f(
                "%*d|%-*d|%.*f",
                &[
                    Arg::Int(4),
                    Arg::Int(1),
                    Arg::Int(3),
                    Arg::Int(2),
                    Arg::Int(1),
                    Arg::Float(2.25)
                ]
            ),
            "   1|2  |2.2"
        );
        assert_eq!(f("%*d", &[Arg::Int(-4), Arg::Int(1)]), "1   ");
        assert_eq!(f("%*d", &[s("x"), Arg::Int(1)]), "%!(BADWIDTH)1");
        assert_eq!(f("%.*d", &[s("x"), Arg::Int(1)]), "%!(BADPREC)1");
        assert_eq!(f("%[1]*d", &[Arg::Int(2), Arg::Int(1)]), " 1");
        assert_eq!(f("%[2]2d", &[Arg::Int(1), Arg::Int(2)]), "%!d(BADINDEX)");
        assert_eq!(
            f("%w %p", &[Arg::Int(1), s("a")]),
            "%!w(int=1) %!p(string=a)"
        );
        assert_eq!(f("%!", &[Arg::Int(1)]), "%!!(int=1)");
        assert_eq!(f("%é", &[Arg::Int(1)]), "%!é(int=1)");
        assert_eq!(f("%99999999d", &[Arg::Int(1)]), "%!(NOVERB)%!(EXTRA int=1)");
        assert_eq!(f("%.", &[Arg::Int(1)]), "%!.(int=1)");
        assert_eq!(f("%.d", &[Arg::Int(0)]), "");
    }

    #[test]
    fn overflow_text_forms() {
        let t = |x: &str| overflow_text(&Number::parse(x).unwrap());
        assert_eq!(t("2e308"), "2e308");
        assert_eq!(t("1.25e400"), "1.25e400");
        assert_eq!(t("-3e500"), "-3e500");
    }
}
