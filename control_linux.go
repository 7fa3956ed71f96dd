package main

import (
	"fmt"
	"net"
	"os"
	"syscall"
)

// peerIsMe checks, with SO_PEERCRED, that the process at the other end
// of c runs as this user: the directory's mode already keeps others out,
// this keeps them out should it be loosened.
func peerIsMe(c *net.UnixConn) error {
	raw, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var cred *syscall.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil {
		return err
	}
	if credErr != nil {
		return fmt.Errorf("reading the peer's credentials: %w", credErr)
	}
	if int(cred.Uid) != os.Getuid() {
		return fmt.Errorf("uid %d may not use this tribune's control socket", cred.Uid)
	}
	return nil
}
