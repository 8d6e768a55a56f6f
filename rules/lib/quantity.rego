# METADATA
# title: Kubernetes resource quantities
# description: |
#   Parses requests and limits exactly as apimachinery's resource.ParseQuantity does, and
#   compares them by value, without floating point: a value is kept as its significant digits
#   and a decimal exponent, {"digits": "15", "exp": 1} meaning 0.15 x 10^1 = 1.5. So "0.1"
#   equals "100m", "0.5Gi" equals "512Mi" and "1e3" equals "1k".
#
#   Like Kubernetes: a value parsed on its fast path (at most 18 significant digits, no digit
#   below 1n, small binary values) is exact; any other value is rounded up to a whole nano and
#   capped at 2^63-1. Numbers in the manifest (cpu: 0.5) are read as their JSON text.
package gavel.lib.quantity

import rego.v1

# <sign><digits>[.<digits>]<suffix>, suffix: binary SI, decimal SI or a decimal exponent.
pattern := `^([+-]?)([0-9]*)(\.[0-9]*|)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+|)$`

decimal_exponents := {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}

binary_factors := {
	"Ki": 1024,
	"Mi": 1048576,
	"Gi": 1073741824,
	"Ti": 1099511627776,
	"Pi": 1125899906842624,
	"Ei": 1152921504606846976,
}

# The longest integer part a binary value may have on the fast path:
# 15 - int(exponent * 3 / 10) - 1 (apimachinery ParseQuantity).
binary_fast_digits := {"Ki": 11, "Mi": 8, "Gi": 5, "Ti": 2, "Pi": -1, "Ei": -1}

zero := {"zero": true, "negative": false, "digits": "", "exp": 0}

max_int64 := {"zero": false, "negative": false, "digits": "9223372036854775807", "exp": 19}

# The text Kubernetes parses: a string as is, a number as its JSON text, null as zero.
text(x) := x if is_string(x)

text(x) := format_int(x, 10) if {
	is_number(x)
	x == floor(x)
}

text(x) := sprintf("%v", [x]) if {
	is_number(x)
	x != floor(x)
}

text(x) := "0" if is_null(x)

# parse(x): {"zero", "negative", "digits", "exp"}; undefined when x is not a valid quantity.
parse(x) := v if {
	s := text(x)
	s != ""
	m := regex.find_all_string_submatch_n(pattern, s, 1)
	count(m) == 1
	v := with_sign(m[0][1] == "-", magnitude(m[0][2], trim_prefix(m[0][3], "."), m[0][4]))
}

with_sign(negative, v) := object.union(v, {"negative": negative}) if not v.zero

with_sign(_, v) := v if v.zero

# A valid quantity that the API accepts as a resource amount (not negative).
valid(x) if {
	v := parse(x)
	not v.negative
}

# A decimal suffix or exponent.
magnitude(int, frac, suffix) := v if {
	e := exponent(suffix)
	digits := trim_left(concat("", [int, frac]), "0")
	slow := decimal_slow(int, frac, e)
	not no_digits_error(int, frac, slow)
	v := rounded(from_digits(digits, (count(digits) + e) - count(frac)), slow)
}

# A binary suffix.
magnitude(int, frac, suffix) := v if {
	factor := binary_factors[suffix]
	digits := trim_left(concat("", [int, frac]), "0")
	slow := binary_slow(int, frac, suffix)
	v := rounded(binary_value(digits, factor, count(frac)), slow)
}

binary_value("", _, _) := zero

binary_value(digits, factor, frac_len) := from_digits(product, count(product) - frac_len) if {
	digits != ""
	product := format_int(to_number(digits) * factor, 10)
}

# The integer part as ParseQuantity counts it: leading zeros removed, "0" when none is left.
int_len(int) := max([count(trim_left(int, "0")), 1])

decimal_slow(int, frac, e) := true if {
	int_len(int) + count(frac) > 18
} else := true if {
	e - count(frac) < -9
} else := false

binary_slow(int, frac, suffix) := true if {
	count(frac) > 0
} else := true if {
	int_len(int) > binary_fast_digits[suffix]
} else := false

# A value without any digit ("", "+", ".", "e5") is zero, except that on the slow path it has
# no digits to read (ErrNumeric).
no_digits_error("", "", true) := true

exponent(suffix) := decimal_exponents[suffix]

exponent(suffix) := wrap_int32(e) if {
	m := regex.find_all_string_submatch_n(`^[eE]([+-]?)([0-9]+)$`, suffix, 1)
	count(m) == 1
	e := signed(m[0][1], to_number(m[0][2]))
	e <= 9223372036854775807
	e >= -9223372036854775808
}

signed("-", n) := 0 - n

signed(sign, n) := n if sign != "-"

# Go's int32(x) of an int64.
wrap_int32(e) := ((((e + 2147483648) % 4294967296) + 4294967296) % 4294967296) - 2147483648

# digits (no leading zeros) and the exponent of 0.digits: trailing zeros removed.
from_digits("", _) := zero

from_digits(digits, exp) := {"zero": false, "negative": false, "digits": trim_right(digits, "0"), "exp": exp} if {
	digits != ""
}

# On the slow path a value is rounded up to a whole nano and capped at 2^63-1.
rounded(v, false) := v

rounded(v, true) := v if v.zero

rounded(v, true) := capped(round_up_nano(v)) if not v.zero

round_up_nano(v) := v if {
	v.exp - count(v.digits) >= -9
}

round_up_nano(v) := {"zero": false, "negative": false, "digits": "1", "exp": -8} if {
	v.exp - count(v.digits) < -9
	v.exp + 9 <= 0
}

round_up_nano(v) := increment(substring(v.digits, 0, v.exp + 9), v.exp) if {
	v.exp - count(v.digits) < -9
	v.exp + 9 > 0
}

# 0.head x 10^exp plus one unit of its last digit.
increment(head, exp) := {"zero": false, "negative": false, "digits": "1", "exp": exp + 1} if {
	trim_right(head, "9") == ""
}

increment(head, exp) := {"zero": false, "negative": false, "digits": digits, "exp": exp} if {
	kept := trim_right(head, "9")
	kept != ""
	n := count(kept)
	last := to_number(substring(kept, n - 1, 1))
	digits := concat("", [substring(kept, 0, n - 1), format_int(last + 1, 10)])
}

capped(v) := max_int64 if compare(v, max_int64) > 0

capped(v) := v if compare(v, max_int64) <= 0

# compare(a, b): -1, 0 or 1 as a < b, a == b, a > b (magnitudes; both not negative).
compare(a, b) := 0 if {
	a.zero
	b.zero
}

compare(a, b) := -1 if {
	a.zero
	not b.zero
}

compare(a, b) := 1 if {
	not a.zero
	b.zero
}

compare(a, b) := c if {
	not a.zero
	not b.zero
	a.exp != b.exp
	c := sign_of(a.exp - b.exp)
}

compare(a, b) := c if {
	not a.zero
	not b.zero
	a.exp == b.exp
	c := string_order(a.digits, b.digits)
}

sign_of(n) := 1 if n > 0

sign_of(n) := -1 if n < 0

sign_of(0) := 0

string_order(a, b) := 0 if a == b

string_order(a, b) := -1 if a < b

string_order(a, b) := 1 if a > b

# Comparisons of two raw values (undefined when either is not valid).
greater(a, b) if compare(parse(a), parse(b)) > 0

equal(a, b) if compare(parse(a), parse(b)) == 0

positive(x) if {
	v := parse(x)
	not v.zero
	not v.negative
}
