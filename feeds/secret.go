package feeds

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// ReadSecret returns a secret a config names but never holds: the value of
// the environment variable env, or else the contents of file (trailing
// newlines trimmed). Naming both, or a source that is empty, is an error
// that says which. Like ssh with a private key, a file that others than
// its owner may read or write is refused: the secret may already be
// theirs.
func ReadSecret(env, file string) (string, error) {
	switch {
	case env != "" && file != "":
		return "", errors.New("name the secret's environment variable or its file, not both")
	case env != "":
		v, ok := os.LookupEnv(env)
		if !ok {
			return "", fmt.Errorf("environment variable %s is not set", env)
		}
		if v == "" {
			return "", fmt.Errorf("environment variable %s is empty", env)
		}
		return v, nil
	case file != "":
		f, err := os.Open(file)
		if err != nil {
			return "", fmt.Errorf("reading secret: %w", err)
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return "", fmt.Errorf("reading secret: %w", err)
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			return "", fmt.Errorf("secret file %s is open to others than its owner (mode %04o): run chmod 600 %s", file, perm, file)
		}
		b, err := io.ReadAll(io.LimitReader(f, 1<<20))
		if err != nil {
			return "", fmt.Errorf("reading secret: %w", err)
		}
		v := strings.TrimRight(string(b), "\r\n")
		if v == "" {
			return "", fmt.Errorf("secret file %s is empty", file)
		}
		return v, nil
	}
	return "", nil
}
