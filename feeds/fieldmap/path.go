package fieldmap

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// maxPath bounds a path's length; real ones are a few dozen bytes.
const maxPath = 512

// checkPath catches the path mistakes gjson would silently turn into
// "nothing found" on every event: empty components, unbalanced brackets,
// a dangling escape, an unknown @modifier. It does not prove the path
// matches anything. Errors read after the quoted path ("path "a..b" has an
// empty component").
func checkPath(p string) error {
	switch {
	case len(p) > maxPath:
		return fmt.Errorf("is longer than %d bytes", maxPath)
	case !utf8.ValidString(p):
		return errors.New("is not valid UTF-8")
	case strings.TrimSpace(p) != p:
		return errors.New("starts or ends with a space")
	}
	var (
		open    []byte // the brackets still open, innermost last
		quoted  bool   // inside a "string" of a query
		escaped bool
		prev    byte = '.' // the previous unescaped byte; '.' makes 0 a component start
	)
	closer := map[byte]byte{'(': ')', '[': ']', '{': '}'}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c < 0x20 || c == 0x7f {
			return errors.New("holds a control character")
		}
		if escaped {
			escaped, prev = false, 'a'
			continue
		}
		if c == '\\' {
			escaped = true
			continue
		}
		if quoted {
			quoted = c != '"'
			prev = 'a'
			continue
		}
		switch c {
		case '"':
			// Quotes delimit strings only inside a query or multipath;
			// elsewhere they are part of a key.
			quoted = len(open) > 0
		case '(', '[', '{':
			open = append(open, closer[c])
		case ')', ']', '}':
			if len(open) == 0 || open[len(open)-1] != c {
				return fmt.Errorf("has an unbalanced %q", c)
			}
			open = open[:len(open)-1]
		case '.', '|':
			if prev == '.' || prev == '|' {
				return errors.New("has an empty component")
			}
		case '@':
			if strings.IndexByte(".|{[,", prev) >= 0 {
				name := p[i+1:]
				if end := strings.IndexAny(name, ".|:,)]}"); end >= 0 {
					name = name[:end]
				}
				if !gjson.ModifierExists(name, nil) {
					return fmt.Errorf("uses an unknown modifier @%s", name)
				}
			}
		}
		prev = c
	}
	switch {
	case escaped:
		return errors.New("ends with a lone backslash")
	case quoted:
		return errors.New("has an unterminated string")
	case len(open) > 0:
		return fmt.Errorf("is missing a closing %q", open[len(open)-1])
	case prev == '.' || prev == '|':
		return errors.New("ends with a separator")
	}
	return nil
}
