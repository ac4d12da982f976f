package gate

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// sizeUnits are the units ParseSize knows, lower case: SI (powers of
// 1000) and IEC (powers of 1024).
var sizeUnits = map[string]float64{
	"": 1, "b": 1,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
}

// ParseSize parses a size in bytes such as 5MiB, 512KB, 10MB, 1.5GiB or
// 4096, with an optional leading "+" (a growth); units are case
// insensitive, KB/MB/GB powers of 1000 and KiB/MiB/GiB powers of 1024.
func ParseSize(s string) (float64, error) {
	num, unit := splitNumber(strings.TrimPrefix(strings.TrimSpace(s), "+"))
	mult, ok := sizeUnits[strings.ToLower(strings.TrimSpace(unit))]
	v, err := strconv.ParseFloat(num, 64)
	if !ok || err != nil || num == "" || v < 0 || math.IsInf(v*mult, 0) {
		return 0, fmt.Errorf("%q: expected a size such as 5MiB, 512KB or 10MB", s)
	}
	return math.Round(v * mult), nil
}

// ParseCount parses a count such as +10 or 10: a whole number, not
// negative, with an optional leading "+" (a growth).
func ParseCount(s string) (float64, error) {
	n, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimSpace(s), "+"), 10, 53)
	if err != nil {
		return 0, fmt.Errorf("%q: expected a count such as +10", s)
	}
	return float64(n), nil
}

// splitNumber splits "1.5MiB" into "1.5" and "MiB".
func splitNumber(s string) (num, unit string) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	return s[:i], s[i:]
}
