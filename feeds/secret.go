package feeds

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// ReadSecret returns a secret a config names but never holds: the value of
// the environment variable env, or else the contents of file (trailing
// newlines trimmed). Naming both, or a source that is empty, is an error
// that says which.
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
		b, err := os.ReadFile(file)
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
