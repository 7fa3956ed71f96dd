// Package jsonlimit bounds a JSON document before anything parses it
// recursively. gjson validates by recursion, and so would any decoder that
// builds a tree: 8 MiB of "[" overflowed the stack and ended tribune, and
// 1 MiB of it took 230 MB. Check walks the bytes once, in constant stack
// and without allocating, and refuses a document nested deeper, or holding
// more values, than the limits.
//
// Every connector that parses JSON from a peer calls it first: the generic
// ones through feeds/fieldmap, the dedicated ones (Mastodon, Bluesky)
// directly, on each frame and on each JSON payload carried inside a string.
package jsonlimit

import (
	"errors"
	"fmt"
)

// Limits of one document.
type Limits struct {
	// Depth is the deepest nesting of arrays and objects allowed; the
	// document "[[1]]" has depth 2.
	Depth int
	// Values is the most values allowed, counted as every array and
	// object opened plus every comma between elements or members: about
	// the number of values the document holds.
	Values int
}

// Default holds what real platforms send with room to spare: their
// documents nest fewer than 20 levels, and a batch of 10,000 events of a
// few dozen fields each stays under a million values.
var Default = Limits{Depth: 64, Values: 1 << 20}

// ErrTooDeep and ErrTooMany are what Check's errors wrap.
var (
	ErrTooDeep = errors.New("nested too deeply")
	ErrTooMany = errors.New("too many values")
)

// Check returns nil when doc stays within l, or an error wrapping
// ErrTooDeep or ErrTooMany. It does not validate the JSON: a malformed
// document within the limits passes, and the parser that comes next
// reports it (its recursion is then bounded by l.Depth, since it stops at
// the first error). A limit of 0 or less is not checked.
func Check(doc []byte, l Limits) error {
	depth, values := 0, 1
	for i := 0; i < len(doc); i++ {
		switch doc[i] {
		case '"':
			// Skip the string: an escaped quote does not end it.
			for i++; i < len(doc) && doc[i] != '"'; i++ {
				if doc[i] == '\\' {
					i++
				}
			}
		case '[', '{':
			depth++
			values++
			if l.Depth > 0 && depth > l.Depth {
				return fmt.Errorf("%w: more than %d levels", ErrTooDeep, l.Depth)
			}
		case ']', '}':
			depth--
		case ',':
			values++
		default:
			continue
		}
		if l.Values > 0 && values > l.Values {
			return fmt.Errorf("%w: more than %d", ErrTooMany, l.Values)
		}
	}
	return nil
}
