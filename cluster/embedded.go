package cluster

import (
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Serve starts an in-process NATS server with JetStream, storing under
// opts.StoreDir, and returns once it takes connections: `--cluster
// embedded` for one machine or a demo, and the servers of the tests.
// Shutdown stops it.
func Serve(opts *server.Options) (*server.Server, error) {
	opts.JetStream = true
	opts.NoSigs = true
	if opts.StoreDir == "" {
		return nil, errors.New("cluster: an embedded server needs a directory to store into")
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("cluster: embedded server: %w", err)
	}
	go s.Start()
	if !s.ReadyForConnections(30 * time.Second) {
		s.Shutdown()
		return nil, errors.New("cluster: the embedded server did not start")
	}
	return s, nil
}
