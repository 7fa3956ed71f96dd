package search

import (
	"errors"
	"strconv"
	"time"
)

var errTime = errors.New(`want 10m, 2h, 3d, 15:04, 2026-11-30, 2026-11-30T15:04 or an RFC 3339 time`)

// parseTime reads the value of before: or after:, relative to now, in loc.
func parseTime(s string, loc *time.Location, now time.Time) (time.Time, error) {
	if d, ok, err := parseAgo(s); ok {
		if err != nil {
			return time.Time{}, err
		}
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	for _, layout := range []string{"15:04", "15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			y, m, d := now.Date()
			return time.Date(y, m, d, t.Hour(), t.Minute(), t.Second(), 0, loc), nil
		}
	}
	return time.Time{}, errTime
}

// parseAgo reads a duration back from now: a number and a unit (s, m, h,
// d, w), or what time.ParseDuration reads ("1h30m"). ok is false when s
// does not look like a duration at all.
func parseAgo(s string) (d time.Duration, ok bool, err error) {
	if len(s) < 2 || s[0] < '0' || s[0] > '9' {
		return 0, false, nil
	}
	unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour,
		'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}
	if u, found := unit[s[len(s)-1]]; found {
		if n, err := strconv.ParseUint(s[:len(s)-1], 10, 32); err == nil {
			if time.Duration(n) > (100*365*24*time.Hour)/u {
				return 0, true, errors.New("more than a hundred years back")
			}
			return time.Duration(n) * u, true, nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return 0, true, errors.New("a duration back from now must be positive")
		}
		return d, true, nil
	}
	return 0, false, nil
}
