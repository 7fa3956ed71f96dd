package sse

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tribune/tribune/feeds/feedstest"
)

// elsewhere is a server on another origin that records the auth headers
// it is sent.
func elsewhere(t *testing.T) (*httptest.Server, <-chan string) {
	t.Helper()
	got := make(chan string, 8)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- "X-Api-Key=" + r.Header.Get("X-Api-Key") + " Authorization=" + r.Header.Get("Authorization")
		streamHeaders(w)
		send(w, ": you should not be here\n")
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func TestAuthDoesNotFollowRedirects(t *testing.T) {
	t.Setenv("SSE_SECRET", "s3cret-api-key")
	other, got := elsewhere(t)
	for _, header := range []string{"X-Api-Key", "Authorization"} {
		// Another port is another origin, as another host or scheme is.
		srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/events?token=from-the-redirect", http.StatusFound)
		})
		s := feedstest.NewStream()
		err := runOnce(t, newConn(t, Config{URL: srv.URL, Fields: fields, AuthEnv: "SSE_SECRET", AuthHeader: header}), s)
		select {
		case h := <-got:
			t.Errorf("%s: the other origin was asked, with %s", header, h)
		default:
		}
		if err == nil || !strings.Contains(err.Error(), "redirects to "+other.URL+"/…, another origin") ||
			strings.Contains(err.Error(), "from-the-redirect") || s.Connections() != 0 {
			t.Errorf("%s: Run returned %v", header, err)
		}
	}
}

func TestRedirectWithinTheOriginIsFollowed(t *testing.T) {
	t.Setenv("SSE_SECRET", "k")
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old" {
			http.Redirect(w, r, "/events", http.StatusMovedPermanently)
			return
		}
		if r.Header.Get("X-Api-Key") != "k" {
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		streamHeaders(w)
		send(w, "data: {\"text\":\"moved\"}\n\n")
	})
	s := feedstest.NewStream()
	runOnce(t, newConn(t, Config{URL: srv.URL + "/old", Fields: fields, AuthEnv: "SSE_SECRET", AuthHeader: "X-Api-Key"}), s)
	if evs := s.Events(); len(evs) != 1 || evs[0].Text != "moved" {
		t.Errorf("events %+v", evs)
	}
}

func TestErrorsHoldNoSecret(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close() // nothing listens there now
	secrets := []string{"alice", "hunter2", "tok3n", "pathkey"}
	check := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: no error", what)
		}
		for _, s := range secrets {
			if strings.Contains(err.Error(), s) {
				t.Errorf("%s: %q holds %q", what, err, s)
			}
		}
	}
	c := newConn(t, Config{URL: "http://alice:hunter2@" + closed + "/pathkey/events?token=tok3n", Fields: fields})
	err = runOnce(t, c, feedstest.NewStream())
	check("connection refused", err)
	if !strings.Contains(err.Error(), "http://"+closed+"/…") {
		t.Errorf("the error does not name the host: %v", err)
	}

	_, err = New("x", Config{URL: "ftp://alice:hunter2@example.org/pathkey?token=tok3n", Fields: fields})
	check("wrong scheme", err)
	_, err = New("x", Config{URL: "http://alice:hunter2@example.org:8o/pathkey?token=tok3n", Fields: fields})
	check("bad port", err)
}
