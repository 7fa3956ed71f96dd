package bluesky

import (
	"context"
	"net/url"
	"strings"
	"time"
)

const lookupTimeout = 10 * time.Second

// resolveHandle finds the DID of a handle with
// com.atproto.identity.resolveHandle on the AppView, and keeps it. A
// handle that does not resolve, or a look-up that fails, gives no DID: a
// mention is then left as plain text rather than holding the post.
func (c *Connector) resolveHandle(ctx context.Context, handle string) (string, bool) {
	handle = strings.ToLower(handle)
	if did, ok := c.handles.Get(handle); ok {
		return did, true
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	var out struct {
		DID string `json:"did"`
	}
	if c.xrpc(ctx, c.cfg.appview, "com.atproto.identity.resolveHandle", url.Values{"handle": {handle}}, nil, "", &out) != nil || !validDID(out.DID) {
		return "", false
	}
	c.handles.Put(handle, out.DID)
	return out.DID, true
}

// resolveAccounts finds the DIDs of the account and the watched handles,
// those not known yet. It returns the handles that did not resolve.
func (c *Connector) resolveAccounts(ctx context.Context) []string {
	var missing []string
	c.mu.Lock()
	needAccount := c.account == "" && c.cfg.handle != ""
	c.mu.Unlock()
	if needAccount {
		if did, ok := c.resolveHandle(ctx, c.cfg.handle); ok {
			c.setAccount(did)
		} else {
			missing = append(missing, c.cfg.handle)
		}
	}
	for _, w := range c.cfg.watch {
		if validDID(w) {
			continue
		}
		did, ok := c.handles.Get(w)
		if !ok {
			if did, ok = c.resolveHandle(ctx, w); !ok {
				missing = append(missing, w)
				continue
			}
		}
		c.mu.Lock()
		c.watched[did] = true
		c.mu.Unlock()
		c.profiles.Put(did, profile{handle: w})
	}
	return missing
}

func (c *Connector) setAccount(did string) {
	c.mu.Lock()
	c.account = did
	c.mu.Unlock()
	if !validDID(c.cfg.handle) {
		c.profiles.Put(did, profile{handle: c.cfg.handle})
	}
}

// author returns how to show did: its handle and display name when known,
// else the DID itself, and asks for it to be resolved in the background.
func (c *Connector) author(did string) (handle, name string) {
	if p, ok := c.profiles.Get(did); ok && (p.handle != "" || c.now().Sub(p.failed) < unresolvedFor) {
		if p.handle == "" {
			return did, ""
		}
		return p.handle, p.name
	}
	c.mu.Lock()
	q := c.resolveq
	c.mu.Unlock()
	if q != nil {
		select {
		case q <- did:
		default: // the queue is full: asked again at the author's next post
		}
	}
	return did, ""
}

// resolveProfiles answers the DIDs queued by author, one at a time, with
// app.bsky.actor.getProfile on the AppView, until ctx ends.
func (c *Connector) resolveProfiles(ctx context.Context, q <-chan string) {
	for {
		select {
		case <-ctx.Done():
			return
		case did := <-q:
			if p, ok := c.profiles.Get(did); ok && (p.handle != "" || c.now().Sub(p.failed) < unresolvedFor) {
				continue
			}
			c.profiles.Put(did, c.lookupProfile(ctx, did))
		}
	}
}

func (c *Connector) lookupProfile(ctx context.Context, did string) profile {
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	var out struct {
		DID         string `json:"did"`
		Handle      string `json:"handle"`
		DisplayName string `json:"displayName"`
	}
	err := c.xrpc(ctx, c.cfg.appview, "app.bsky.actor.getProfile", url.Values{"actor": {did}}, nil, "", &out)
	// "handle.invalid" is what the AppView says of a handle that does not
	// point back to the DID: the DID is then the honest name.
	if err != nil || out.DID != did || !validHandle(out.Handle) || out.Handle == "handle.invalid" {
		return profile{failed: c.now()}
	}
	return profile{handle: strings.ToLower(out.Handle), name: out.DisplayName}
}
