package gavel.lib.quantity_test

import data.gavel.lib.quantity
import rego.v1

# Values from sidecar-facts section 7 and apimachinery's ParseQuantity.

test_decimal_and_milli_are_equal if {
	quantity.equal("0.1", "100m")
	quantity.equal("1", "1000m")
	quantity.equal(1, "1000m")
	quantity.equal(0.5, "500m")
}

test_binary_suffixes if {
	quantity.equal("1Ki", "1024")
	quantity.equal("0.5Gi", "512Mi")
	quantity.equal("1.5Gi", "1536Mi")
	quantity.greater("1Mi", "1M")
	quantity.parse("1Ki") == {"zero": false, "negative": false, "digits": "1024", "exp": 4}
}

test_exponents if {
	quantity.equal("1e3", "1k")
	quantity.equal("1E3", "1k")
	quantity.equal("1e+3", "1k")
	quantity.equal("1e-3", "1m")
	quantity.equal("1E", "1e18")
}

test_case_sensitive_suffixes if {
	not quantity.parse("1K")
	not quantity.parse("1mi")
	not quantity.parse("1KiB")
	not quantity.parse("1Gb")
	not quantity.parse("1gb")
	quantity.greater("1M", "1m")
}

test_invalid_forms if {
	not quantity.parse("")
	not quantity.parse("1 Gi")
	not quantity.parse(" 1")
	not quantity.parse("1e")
	not quantity.parse("1.2.3")
	not quantity.parse("Mi1")
	not quantity.parse("1e1.5")
	not quantity.parse("0x10")
	not quantity.parse(true)
	not quantity.parse([1])
	not quantity.parse({"cpu": 1})
}

test_unusual_valid_forms if {
	quantity.equal("1.", "1")
	quantity.equal(".5", "500m")
	quantity.equal("+1", "1")
	quantity.equal("0001.500", "1500m")
	quantity.parse(".").zero
	quantity.parse("+").zero
	quantity.parse("Ki").zero
	quantity.parse("0e-20").zero
}

# A value without digits is zero, unless it needs the slow path (ErrNumeric).
test_no_digits_on_the_slow_path if {
	quantity.parse("e-9").zero
	not quantity.parse("e-10")
	not quantity.parse(".e-20")
}

test_negative_values_parse_but_are_not_valid if {
	quantity.parse("-1").negative
	not quantity.valid("-1")
	not quantity.valid("-100m")
	quantity.valid("-0")
	quantity.valid("0")
}

# Values finer than a nano are rounded up to the next nano.
test_rounding_up_to_nano if {
	quantity.equal("0.0000000001", "1n")
	quantity.equal("1e-20", "1n")
	quantity.equal("1.0000000001", "1000000001n")
	quantity.equal("1.9999999999", "2")
	quantity.equal("9.9999999999", "10")
	quantity.greater("100000001n", "0.1")
}

# Only the slow path (more than 18 digits) caps at 2^63-1; the fast path keeps exact values.
test_cap_at_max_int64 if {
	quantity.equal("10000000000000000000", "9223372036854775807")
	quantity.equal("12345678901234567890123.5", "9223372036854775807")
	quantity.equal("8Ei", "9223372036854775807")
	quantity.greater("1e19", "10000000000000000000")
	quantity.greater("10E", "9223372036854775807")
}

# Go's int32 conversion of the exponent.
test_exponent_wraps_like_go if {
	quantity.equal("1e4294967299", "1e3")
	not quantity.parse("1e99999999999999999999")
}

test_compare_orders_values if {
	quantity.compare(quantity.parse("1"), quantity.parse("2")) == -1
	quantity.compare(quantity.parse("15"), quantity.parse("2")) == 1
	quantity.compare(quantity.parse("0"), quantity.parse("1n")) == -1
	quantity.compare(quantity.parse("0"), quantity.parse("0m")) == 0
	quantity.compare(quantity.parse("1.5"), quantity.parse("1500m")) == 0
	quantity.compare(quantity.parse("1.5"), quantity.parse("1.05")) == 1
}

test_positive if {
	quantity.positive("1m")
	not quantity.positive("0")
	not quantity.positive("-1")
	not quantity.positive("1gb")
}

test_text_of_numbers if {
	quantity.text(2) == "2"
	quantity.text(0.5) == "0.5"
	quantity.text("250m") == "250m"
	quantity.text(null) == "0"
}
