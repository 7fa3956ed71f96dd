//go:build !linux

package main

import "net"

// peerIsMe relies on the socket's private directory where the system
// offers no SO_PEERCRED.
func peerIsMe(*net.UnixConn) error { return nil }
