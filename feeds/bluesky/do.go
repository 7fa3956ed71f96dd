package bluesky

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rivo/uniseg"

	"github.com/tribune/tribune/feeds"
)

// Do carries out a reply, a new post, a like, a repost, the deletion of
// one of the account's posts, or a mute, block or report of an account,
// on the account's PDS.
func (c *Connector) Do(ctx context.Context, a feeds.Action) error {
	if err := ctx.Err(); err != nil {
		return feeds.NotSent(err)
	}
	var err error
	switch a.Kind {
	case feeds.ActReply, feeds.ActPost:
		err = c.post(ctx, a)
	case feeds.ActFavourite:
		err = c.createSubject(ctx, a, collLike)
	case feeds.ActBoost:
		err = c.createSubject(ctx, a, collRepost)
	case feeds.ActDelete:
		err = c.deleteOwn(ctx, a)
	case feeds.ActMute:
		err = c.mute(ctx, a)
	case feeds.ActBlock:
		err = c.block(ctx, a)
	case feeds.ActReport:
		err = c.report(ctx, a)
	default:
		return feeds.Permanent(fmt.Errorf("bluesky: %s is not something Bluesky does", a.Kind))
	}
	return classify(err)
}

// checkText applies app.bsky.feed.post's limits: 300 graphemes (what a
// reader sees as one character: 👍🏽 or é made of e and an accent is one)
// and 3,000 bytes of UTF-8.
func checkText(text string) error {
	if strings.TrimSpace(text) == "" {
		return feeds.Permanent(errors.New("bluesky: the post is empty"))
	}
	if !utf8.ValidString(text) {
		// JSON would carry it as U+FFFD, moving every facet's offsets.
		return feeds.Permanent(errors.New("bluesky: the post is not valid UTF-8"))
	}
	if n := uniseg.GraphemeClusterCount(text); n > maxGraphemes {
		return feeds.Permanent(fmt.Errorf("bluesky: the post is %d characters (graphemes), Bluesky allows %d", n, maxGraphemes))
	}
	if len(text) > maxPostBytes {
		return feeds.Permanent(fmt.Errorf("bluesky: the post is %d bytes, Bluesky allows %d", len(text), maxPostBytes))
	}
	return nil
}

type replyRefs struct {
	Root   strongRef `json:"root"`
	Parent strongRef `json:"parent"`
}

type postOut struct {
	Type      string     `json:"$type"`
	Text      string     `json:"text"`
	CreatedAt string     `json:"createdAt"`
	Facets    []facet    `json:"facets,omitempty"`
	Reply     *replyRefs `json:"reply,omitempty"`
}

type subjectOut struct {
	Type      string    `json:"$type"`
	Subject   strongRef `json:"subject"`
	CreatedAt string    `json:"createdAt"`
}

func (c *Connector) post(ctx context.Context, a feeds.Action) error {
	if err := checkText(a.Text); err != nil {
		return err
	}
	rec := postOut{Type: collPost, Text: a.Text, CreatedAt: createdAt(a)}
	if a.Kind == feeds.ActReply {
		p, err := c.refOf(ctx, a.Target)
		if err != nil {
			return err
		}
		rec.Reply = &replyRefs{
			Root:   strongRef{URI: p.rootURI, CID: p.rootCID},
			Parent: strongRef{URI: p.uri, CID: p.cid},
		}
	}
	rec.Facets = buildFacets(ctx, a.Text, c.resolveHandle)
	return c.create(ctx, collPost, tidFor(a.ID, a.Created), rec)
}

func (c *Connector) createSubject(ctx context.Context, a feeds.Action, coll string) error {
	p, err := c.refOf(ctx, a.Target)
	if err != nil {
		return err
	}
	rec := subjectOut{Type: coll, Subject: strongRef{URI: p.uri, CID: p.cid}, CreatedAt: createdAt(a)}
	return c.create(ctx, coll, tidFor(a.ID, a.Created), rec)
}

// createdAt is when the operator queued the action, so that a retry sends
// the very same record.
func createdAt(a feeds.Action) string {
	t := a.Created
	if ns, ok := actionIDNanos(a.ID); ok && t.IsZero() {
		t = time.Unix(0, ns)
	}
	if t.IsZero() {
		t = time.Now()
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// create writes record under rkey with com.atproto.repo.createRecord. If
// the record is there already, a former try stored it and only its answer
// was lost: that is success, not a second post. A PDS says so with 409, or
// an error naming it (bluesky-social/atproto#4728); older ones answer 500
// (atproto#3718, indigo#873), so after a 5xx the record is looked up.
func (c *Connector) create(ctx context.Context, coll, rkey string, record any) error {
	return c.authed(ctx, func(s *session) error {
		in := map[string]any{"repo": s.did, "collection": coll, "rkey": rkey, "record": record}
		err := c.xrpc(ctx, c.cfg.pds, "com.atproto.repo.createRecord", nil, in, s.access, nil)
		var ae *apiError
		if !errors.As(err, &ae) {
			return err
		}
		switch {
		case ae.status == http.StatusConflict || strings.Contains(ae.name, "AlreadyExists") ||
			strings.Contains(strings.ToLower(ae.message), "already exists"):
			return nil
		case ae.status >= 500 && c.recordExists(ctx, s.did, coll, rkey):
			return nil
		}
		return err
	})
}

// recordExists asks the PDS for the record (com.atproto.repo.getRecord,
// public).
func (c *Connector) recordExists(ctx context.Context, did, coll, rkey string) bool {
	var out struct {
		URI string `json:"uri"`
	}
	q := url.Values{"repo": {did}, "collection": {coll}, "rkey": {rkey}}
	return c.xrpc(ctx, c.cfg.pds, "com.atproto.repo.getRecord", q, nil, "", &out) == nil && out.URI != ""
}

// deleteOwn deletes a post (or repost) of the account. Bluesky has no
// moderators' delete: anyone else's post can only be hidden or reported.
// deleteRecord succeeds when the record is already gone, so a retry is
// harmless.
func (c *Connector) deleteOwn(ctx context.Context, a feeds.Action) error {
	did, coll, rkey, ok := parseAtURI(a.Target)
	if !ok {
		return feeds.Permanent(fmt.Errorf("bluesky: %.80q is not a post's at:// address", a.Target))
	}
	if coll != collPost && coll != collRepost {
		return feeds.Permanent(fmt.Errorf("bluesky: %s records are not deleted from here", coll))
	}
	return c.authed(ctx, func(s *session) error {
		if did != s.did {
			return feeds.Permanent(errors.New("bluesky: only the account's own posts can be deleted; report or block others"))
		}
		in := map[string]string{"repo": s.did, "collection": coll, "rkey": rkey}
		return c.xrpc(ctx, c.cfg.pds, "com.atproto.repo.deleteRecord", nil, in, s.access, nil)
	})
}

// refOf finds the uri, cid and thread root of the post target: from the
// posts shown, else from the AppView (app.bsky.feed.getPosts), for a post
// shown before a restart. A repost stands for the post reposted.
func (c *Connector) refOf(ctx context.Context, target string) (postRef, error) {
	if p, ok := c.posts.Get(target); ok {
		return p, nil
	}
	_, coll, _, ok := parseAtURI(target)
	if !ok || coll != collPost {
		return postRef{}, feeds.Permanent(fmt.Errorf("bluesky: %.80q is not a post's at:// address", target))
	}
	var out struct {
		Posts []struct {
			URI    string     `json:"uri"`
			CID    string     `json:"cid"`
			Record postRecord `json:"record"`
		} `json:"posts"`
	}
	q := url.Values{"uris": {target}}
	if err := c.xrpc(ctx, c.cfg.appview, "app.bsky.feed.getPosts", q, nil, "", &out); err != nil {
		return postRef{}, err
	}
	if len(out.Posts) == 0 || out.Posts[0].URI != target || out.Posts[0].CID == "" {
		return postRef{}, feeds.Permanent(errors.New("bluesky: the post is gone (deleted, or its author left)"))
	}
	got := out.Posts[0]
	p := postRef{uri: got.URI, cid: got.CID, rootURI: got.URI, rootCID: got.CID}
	if r := got.Record.Reply; r != nil && r.Root.URI != "" && r.Root.CID != "" {
		p.rootURI, p.rootCID = r.Root.URI, r.Root.CID
	}
	return p, nil
}

// didOf is the DID of the account an action is about: the author of
// a.Target when there is one, else a.TargetAuthor, a DID or a handle
// resolved on the AppView.
func (c *Connector) didOf(ctx context.Context, a feeds.Action) (string, error) {
	if did, _, _, ok := parseAtURI(a.Target); ok {
		return did, nil
	}
	who := strings.TrimPrefix(a.TargetAuthor, "@")
	switch {
	case validDID(who):
		return who, nil
	case who == "":
		return "", feeds.Permanent(errors.New("bluesky: the action names no account"))
	}
	if did, ok := c.resolveHandle(ctx, who); ok {
		return did, nil
	}
	// A failed look-up and an unknown handle read the same: try again.
	return "", feeds.NotSent(fmt.Errorf("bluesky: @%.80s did not resolve to an account", who))
}

// mute mutes an account for the brand's account (app.bsky.graph.muteActor,
// which the PDS passes to the AppView). Bluesky mutes are private and have
// no end, so a mute for a while is refused rather than made forever.
// Muting twice is harmless.
func (c *Connector) mute(ctx context.Context, a feeds.Action) error {
	if a.Duration > 0 {
		return feeds.Permanent(errors.New("bluesky: mutes have no duration on Bluesky; mute without one, and unmute by hand"))
	}
	did, err := c.didOf(ctx, a)
	if err != nil {
		return err
	}
	return c.authed(ctx, func(s *session) error {
		return c.xrpc(ctx, c.cfg.pds, "app.bsky.graph.muteActor", nil, map[string]string{"actor": did}, s.access, nil)
	})
}

type blockOut struct {
	Type      string `json:"$type"`
	Subject   string `json:"subject"`
	CreatedAt string `json:"createdAt"`
}

// block writes an app.bsky.graph.block record naming the account, under
// the action's own key, so that a retry is not a second block.
func (c *Connector) block(ctx context.Context, a feeds.Action) error {
	did, err := c.didOf(ctx, a)
	if err != nil {
		return err
	}
	return c.create(ctx, collBlock, tidFor(a.ID, a.Created), blockOut{Type: collBlock, Subject: did, CreatedAt: createdAt(a)})
}

// maxReportReason is com.atproto.moderation.createReport's bound on the
// reason, in graphemes.
const maxReportReason = 2000

// report sends a report to the moderation service the PDS passes reports
// to (com.atproto.moderation.createReport): of the post when the action
// names one, else of the account, with the operator's reason. Unlike a
// record, a report has no key of the client's: a retry after a lost answer
// may file it twice.
func (c *Connector) report(ctx context.Context, a feeds.Action) error {
	var subject any
	if _, coll, _, ok := parseAtURI(a.Target); ok && coll == collPost {
		p, err := c.refOf(ctx, a.Target)
		if err != nil {
			return err
		}
		subject = map[string]string{"$type": "com.atproto.repo.strongRef", "uri": p.uri, "cid": p.cid}
	} else {
		did, err := c.didOf(ctx, a)
		if err != nil {
			return err
		}
		subject = map[string]string{"$type": "com.atproto.admin.defs#repoRef", "did": did}
	}
	in := map[string]any{"reasonType": "com.atproto.moderation.defs#reasonOther", "subject": subject}
	if reason := strings.TrimSpace(a.Reason); reason != "" {
		if uniseg.GraphemeClusterCount(reason) > maxReportReason {
			reason = truncateGraphemes(reason, maxReportReason-1) + "…"
		}
		in["reason"] = reason
	}
	return c.authed(ctx, func(s *session) error {
		return c.xrpc(ctx, c.cfg.pds, "com.atproto.moderation.createReport", nil, in, s.access, nil)
	})
}

// truncateGraphemes keeps the first n graphemes of s.
func truncateGraphemes(s string, n int) string {
	g := uniseg.NewGraphemes(s)
	end := 0
	for i := 0; i < n && g.Next(); i++ {
		_, end = g.Positions()
	}
	return s[:end]
}
