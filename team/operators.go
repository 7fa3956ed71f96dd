// Package team serves the dashboard over SSH to the operators of a team:
// one set of services (feeds, store, outbox, stats), one Bubble Tea
// program per connection, and only the keys the operators file lists.
//
// # The operators file
//
// One operator a line: a name, a role, then the public key as in
// authorized_keys (type, base64, optional comment). Blank lines and lines
// starting with # are ignored:
//
//	# name    role       key
//	alice     admin      ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA… alice@laptop
//	bob       moderator  ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA… bob@phone
//
// A name may hold several keys (one line each, same role). The roles, each
// allowed what the one before is and more:
//
//   - viewer reads;
//   - responder replies, posts, favourites and boosts;
//   - moderator also deletes, times out, bans, unbans, mutes, blocks and
//     reports;
//   - admin also holds and releases the outbox, and opens and closes an
//     incident (crisis mode); responders and above add notes and stars to
//     its timeline.
//
// The services enforce the role (Authorize, given to the dispatcher), not
// only the screen.
package team

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	gossh "golang.org/x/crypto/ssh"

	"github.com/tribune/tribune/feeds"
)

// Role is what an operator may do.
type Role string

const (
	Viewer    Role = "viewer"
	Responder Role = "responder"
	Moderator Role = "moderator"
	Admin     Role = "admin"
)

// rank orders the roles: each may do what those below may.
func (r Role) rank() int {
	switch r {
	case Viewer:
		return 1
	case Responder:
		return 2
	case Moderator:
		return 3
	case Admin:
		return 4
	}
	return 0
}

// WhatHold is what Authorize is asked for a hold or a release of the
// outbox.
const WhatHold = "hold"

// needs is the least role for each thing an operator can ask the services.
var needs = map[string]Role{
	string(feeds.ActReply):     Responder,
	string(feeds.ActPost):      Responder,
	string(feeds.ActFavourite): Responder,
	string(feeds.ActBoost):     Responder,
	string(feeds.ActDelete):    Moderator,
	string(feeds.ActTimeout):   Moderator,
	string(feeds.ActBan):       Moderator,
	string(feeds.ActUnban):     Moderator,
	string(feeds.ActMute):      Moderator,
	string(feeds.ActBlock):     Moderator,
	string(feeds.ActReport):    Moderator,
	WhatHold:                   Admin,
	"crisis":                   Admin,
	"reload":                   Admin,
	"note":                     Responder,
}

// Allows reports whether r may do what (an action kind, or WhatHold).
// Anything not listed needs admin.
func (r Role) Allows(what string) bool {
	need, ok := needs[what]
	if !ok {
		need = Admin
	}
	return r.rank() >= need.rank()
}

// ErrForbidden is why the services refuse what a role does not allow.
var ErrForbidden = errors.New("not allowed for this role")

// Operator is one person the team lets in.
type Operator struct {
	Name string
	Role Role
}

// Operators maps public keys to operators. The zero value lets nobody in.
type Operators struct {
	byKey  map[string]Operator // by the key's wire form
	byName map[string]Operator
}

// name is what an operator name may be: it keys drafts and read marks and
// shows on every screen.
var name = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)

// ParseOperators reads an operators file. Every mistake is an error that
// names its line: a file half understood lets the wrong people in.
func ParseOperators(r io.Reader) (*Operators, error) {
	ops := &Operators{byKey: make(map[string]Operator), byName: make(map[string]Operator)}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 {
			return nil, fmt.Errorf("line %d: want NAME ROLE KEY-TYPE KEY [COMMENT]", n)
		}
		op := Operator{Name: f[0], Role: Role(f[1])}
		if !name.MatchString(op.Name) {
			return nil, fmt.Errorf("line %d: name %q must be 1 to 32 letters, digits, '.', '_' or '-'", n, op.Name)
		}
		if op.Role.rank() == 0 {
			return nil, fmt.Errorf("line %d: role %q is not viewer, responder, moderator or admin", n, f[1])
		}
		key, _, _, _, err := gossh.ParseAuthorizedKey([]byte(strings.Join(f[2:], " ")))
		if err != nil {
			return nil, fmt.Errorf("line %d: the key: %w", n, err)
		}
		if prev, ok := ops.byName[op.Name]; ok && prev.Role != op.Role {
			return nil, fmt.Errorf("line %d: %s is %s on an earlier line", n, op.Name, prev.Role)
		}
		k := string(key.Marshal())
		if prev, ok := ops.byKey[k]; ok && prev.Name != op.Name {
			return nil, fmt.Errorf("line %d: this key is %s's already", n, prev.Name)
		}
		ops.byKey[k] = op
		ops.byName[op.Name] = op
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return ops, nil
}

// LoadOperators reads the operators file at path. A file others may write
// is refused: whoever can write it can let themselves in.
func LoadOperators(path string) (*Operators, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("operators file: %w", err)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return nil, fmt.Errorf("operators file %s is writable by others (%v): chmod 644 or 600", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("operators file: %w", err)
	}
	ops, err := ParseOperators(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("operators file %s: %w", path, err)
	}
	return ops, nil
}

// Lookup returns the operator whose key this is.
func (o *Operators) Lookup(key gossh.PublicKey) (Operator, bool) {
	if o == nil || key == nil {
		return Operator{}, false
	}
	op, ok := o.byKey[string(key.Marshal())]
	return op, ok
}

// Named returns the operator of that name.
func (o *Operators) Named(n string) (Operator, bool) {
	if o == nil {
		return Operator{}, false
	}
	op, ok := o.byName[n]
	return op, ok
}

// Len is how many keys are listed.
func (o *Operators) Len() int {
	if o == nil {
		return 0
	}
	return len(o.byKey)
}
