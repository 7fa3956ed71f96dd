package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/tui"
)

// :reload reads the [pulse] table again and tells every session; the
// services refuse it to whom authorize refuses it.
func TestReloadAppliesThePulse(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	write := func(text string) {
		if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("[pulse]\nwatch = [\"refund\"]\n")
	o := options{config: cfg, db: filepath.Join(dir, "t.db"), seed: 1, demoRate: 1}
	c, err := o.loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	svc, err := startServices(ctx, o, c, func(op, what string) error {
		if op != "ada" {
			return errors.New(op + " may not " + what)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.stop()
	if hits := svc.Watch.Match(nil, "a refund please"); len(hits) != 1 {
		t.Fatalf("before: %v", hits)
	}
	sub := svc.Hub.Subscribe(ctx)
	write("[pulse]\nwatch = [\"overheating\"]\nstatements = [\"We are on it.\"]\n")
	if err := svc.Reload("vic"); err == nil {
		t.Error("a reload the services refuse went through")
	}
	if err := svc.Reload("ada"); err != nil {
		t.Fatal(err)
	}
	for {
		<-sub.Ready()
		if s, ok := hub.Last(sub.Take(), tui.TopicSettings); ok {
			if len(s.Watch.Match(nil, "overheating case")) != 1 || len(s.Watch.Match(nil, "refund")) != 0 ||
				len(s.Statements) != 1 {
				t.Errorf("settings after reload: %+v", s)
			}
			break
		}
	}
	if s, ok := svc.Reloaded.Load(); !ok || len(s.Statements) != 1 {
		t.Errorf("the reload is not kept for sessions still to open: %+v", s)
	}
}
