package bluesky

import (
	"context"
	"errors"
	"fmt"

	"github.com/tribune/tribune/feeds"
)

// session is an app password session on the PDS. The tokens are secrets:
// they are sent to the PDS and nowhere else, and never printed.
type session struct {
	access, refresh string
	did, handle     string
}

type sessionAnswer struct {
	AccessJwt  string `json:"accessJwt"`
	RefreshJwt string `json:"refreshJwt"`
	Handle     string `json:"handle"`
	DID        string `json:"did"`
}

func (a sessionAnswer) session() (*session, error) {
	if a.AccessJwt == "" || a.RefreshJwt == "" || !validDID(a.DID) {
		return nil, errors.New("bluesky: the PDS answered a session without tokens or DID")
	}
	return &session{access: a.AccessJwt, refresh: a.RefreshJwt, did: a.DID, handle: a.Handle}, nil
}

// current returns the session, creating one if there is none. Sessions are
// kept: createSession is limited to about 30 calls in 5 minutes.
func (c *Connector) current(ctx context.Context) (*session, error) {
	c.sessMu.Lock()
	defer c.sessMu.Unlock()
	if c.sess != nil {
		return c.sess, nil
	}
	return c.createSessionLocked(ctx)
}

func (c *Connector) createSessionLocked(ctx context.Context) (*session, error) {
	var a sessionAnswer
	in := map[string]string{"identifier": c.cfg.handle, "password": c.cfg.password}
	if err := c.xrpc(ctx, c.cfg.pds, "com.atproto.server.createSession", nil, in, "", &a); err != nil {
		return nil, fmt.Errorf("signing in as %s: %w", c.cfg.handle, err)
	}
	s, err := a.session()
	if err != nil {
		return nil, err
	}
	c.sess = s
	c.setAccount(s.did)
	return s, nil
}

// renew replaces the session whose access token old was refused: by
// refreshSession, or by a new session if the refresh token is no good
// either. Another caller may have renewed it already.
func (c *Connector) renew(ctx context.Context, old *session) (*session, error) {
	c.sessMu.Lock()
	defer c.sessMu.Unlock()
	if c.sess != nil && c.sess != old {
		return c.sess, nil
	}
	c.sess = nil
	var a sessionAnswer
	err := c.xrpc(ctx, c.cfg.pds, "com.atproto.server.refreshSession", nil, struct{}{}, old.refresh, &a)
	if err == nil {
		s, err := a.session()
		if err != nil {
			return nil, err
		}
		c.sess = s
		return s, nil
	}
	var ae *apiError
	if !errors.As(err, &ae) || ae.rateLimited() || ae.status >= 500 {
		return nil, err
	}
	return c.createSessionLocked(ctx)
}

// authed runs call with the session, and once more with a renewed session
// if the access token was refused as expired.
func (c *Connector) authed(ctx context.Context, call func(*session) error) error {
	if c.cfg.password == "" {
		return feeds.Permanent(errors.New("bluesky: this feed is read-only: set app_password_env or app_password_file"))
	}
	s, err := c.current(ctx)
	if err != nil {
		return classify(err)
	}
	err = call(s)
	var ae *apiError
	if errors.As(err, &ae) && ae.expired() {
		if s, err = c.renew(ctx, s); err != nil {
			return classify(err)
		}
		err = call(s)
	}
	return err
}
