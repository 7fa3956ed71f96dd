package fieldmap

import (
	"fmt"
	"time"
)

// Duration is a config duration written as a Go duration string ("30s",
// "1m30s"); the generic connectors use it for their timeouts.
type Duration time.Duration

// UnmarshalText reads a duration such as "45s".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration such as \"30s\" or \"2m\"", clip(string(b)))
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the duration as UnmarshalText reads it.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }
