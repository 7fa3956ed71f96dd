package fieldmap

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/tidwall/gjson"
)

// Unix times are told apart by magnitude, since platforms use every unit:
// a number below 1e11 is seconds (1e11 s is the year 5138), below 1e14
// milliseconds, below 1e17 microseconds (Jetstream's time_us), and
// nanoseconds above. Each unit's range starts in 1973 or earlier, so any
// time since then reads right.
const (
	maxSeconds = 1e11
	maxMillis  = 1e14
	maxMicros  = 1e17
)

// timeOf reads a time: an RFC 3339 string, or a unix time as a number or a
// string of digits. Missing and null read as the zero time (the hub then
// uses the arrival time).
func timeOf(v gjson.Result, path string) (time.Time, error) {
	var (
		t   time.Time
		err error
	)
	switch v.Type {
	case gjson.Null:
		return time.Time{}, nil
	case gjson.Number:
		t, err = unixTime(v.Raw)
	case gjson.String:
		if t, err = time.Parse(time.RFC3339, v.Str); err == nil {
			return t.UTC(), nil
		}
		t, err = unixTime(v.Str)
	default:
		return time.Time{}, wrongType("time", path, v)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("time: %q at %q is neither RFC 3339 nor a unix time", clip(v.String()), path)
	}
	return t, nil
}

// unixTime reads a non-negative number of seconds, milliseconds,
// microseconds or nanoseconds since 1970, by magnitude.
func unixTime(s string) (time.Time, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		switch {
		case n < 0:
			return time.Time{}, fmt.Errorf("negative time")
		case n < maxSeconds:
			return time.Unix(n, 0).UTC(), nil
		case n < maxMillis:
			return time.UnixMilli(n).UTC(), nil
		case n < maxMicros:
			return time.UnixMicro(n).UTC(), nil
		}
		return time.Unix(0, n).UTC(), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < 0 {
		return time.Time{}, fmt.Errorf("not a time")
	}
	// Split before scaling, so that 1.732206348741e12 ms is exact.
	whole, frac := math.Modf(f)
	var t time.Time
	switch {
	case f < maxSeconds:
		t = time.Unix(int64(whole), int64(frac*1e9))
	case f < maxMillis:
		t = time.UnixMilli(int64(whole)).Add(time.Duration(frac * 1e6))
	case f < maxMicros:
		t = time.UnixMicro(int64(whole)).Add(time.Duration(frac * 1e3))
	case f < math.MaxInt64: // also rules out +Inf
		t = time.Unix(0, int64(whole))
	default:
		return time.Time{}, fmt.Errorf("time out of range")
	}
	return t.UTC(), nil
}
