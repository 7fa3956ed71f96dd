package mastodon

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/tribune/tribune/feeds"
)

// maxReportComment is the report comment's limit (methods/reports: "Default
// maximum of 1000 characters").
const maxReportComment = 1000

// Do carries out one action with the account's token.
//
// A reply is POST /api/v1/statuses with in_reply_to_id and the parent's
// visibility, and starts with the parent author's @handle unless the text
// names them already (as Mastodon's own client does: without it, a reply to
// a direct message would reach no one). A reply and a new post carry an
// Idempotency-Key header, the action's id: Mastodon keeps the key an hour
// and answers a repeated request with the status it created, so a retry
// never posts twice (methods/statuses#create).
func (c *Connector) Do(ctx context.Context, a feeds.Action) error {
	if err := c.ensure(ctx); err != nil {
		return err
	}
	switch a.Kind {
	case feeds.ActReply:
		return c.reply(ctx, a)
	case feeds.ActPost:
		return c.post(ctx, a, map[string]any{"status": a.Text})
	case feeds.ActFavourite:
		return c.onStatus(ctx, a, "favourite")
	case feeds.ActBoost:
		return c.onStatus(ctx, a, "reblog")
	case feeds.ActDelete:
		return c.deleteOwn(ctx, a)
	case feeds.ActMute, feeds.ActBlock:
		return c.onAccount(ctx, a)
	case feeds.ActReport:
		return c.report(ctx, a)
	}
	return feeds.Permanent(fmt.Errorf("mastodon: %s is not supported", a.Kind))
}

func (c *Connector) reply(ctx context.Context, a feeds.Action) error {
	if a.Target == "" {
		return feeds.Permanent(errors.New("mastodon: a reply needs the post it answers"))
	}
	parent, err := c.resolve(ctx, a.Target)
	if err != nil {
		return err
	}
	text := a.Text
	c.mu.Lock()
	me := c.me
	c.mu.Unlock()
	if parent.acct != "" && parent.accountID != me.ID && !mentions(text, parent.acct) {
		text = "@" + parent.acct + " " + text
	}
	body := map[string]any{"status": text, "in_reply_to_id": parent.id}
	if parent.visibility != "" {
		body["visibility"] = parent.visibility
	}
	return c.post(ctx, a, body)
}

// mentions reports whether text names @acct already.
func mentions(text, acct string) bool {
	lower, want := strings.ToLower(text), "@"+strings.ToLower(acct)
	for i := strings.Index(lower, want); i >= 0; {
		end := i + len(want)
		if end == len(lower) || !isHandleByte(lower[end]) {
			return true
		}
		j := strings.Index(lower[end:], want)
		if j < 0 {
			break
		}
		i = end + j
	}
	return false
}

func isHandleByte(b byte) bool {
	return 'a' <= b && b <= 'z' || '0' <= b && b <= '9' || b == '_' || b == '@' || b == '.' || b == '-'
}

// post creates a status.
func (c *Connector) post(ctx context.Context, a feeds.Action, body map[string]any) error {
	text, _ := body["status"].(string)
	if strings.TrimSpace(text) == "" {
		return feeds.Permanent(errors.New("mastodon: the post is empty"))
	}
	if n, limit := c.length(text), int(c.maxChars.Load()); n > limit {
		return feeds.Permanent(fmt.Errorf("mastodon: the post is %d characters, the instance allows %d", n, limit))
	}
	var header map[string]string
	if a.ID != "" {
		header = map[string]string{"Idempotency-Key": a.ID}
	}
	what := "post"
	if a.Kind == feeds.ActReply {
		what = "reply"
	}
	_, err := c.do(ctx, call{what: what, method: http.MethodPost, u: c.api("/api/v1/statuses", nil), body: body, header: header})
	return err
}

// length counts text as Mastodon does: a link counts for
// characters_reserved_per_url (23), a mention of a remote account for its
// @username alone.
func (c *Connector) length(text string) int {
	n := utf8.RuneCountInString(text)
	perURL := int(c.urlChars.Load())
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return r == ' ' || r == '\n' || r == '\t' }) {
		switch {
		case perURL > 0 && (strings.HasPrefix(w, "https://") || strings.HasPrefix(w, "http://")):
			n += perURL - utf8.RuneCountInString(w)
		case strings.HasPrefix(w, "@") && strings.Count(w, "@") == 2:
			at := strings.LastIndexByte(w, '@')
			n -= utf8.RuneCountInString(w[at:])
		}
	}
	return n
}

// onStatus favourites or boosts the post of a.Target (the original of a
// boost): POST /api/v1/statuses/:id/favourite, /reblog. Both are
// idempotent on the server: doing it twice leaves one.
func (c *Connector) onStatus(ctx context.Context, a feeds.Action, verb string) error {
	if a.Target == "" {
		return feeds.Permanent(fmt.Errorf("mastodon: %s needs a post", a.Kind))
	}
	st, err := c.resolve(ctx, a.Target)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, call{what: string(a.Kind), method: http.MethodPost,
		u: c.api("/api/v1/statuses/"+url.PathEscape(st.id)+"/"+verb, nil)})
	return err
}

// deleteOwn deletes one of the account's posts: DELETE /api/v1/statuses/:id.
// A post known to be someone else's is refused here; a 404 for one known
// to be ours means an earlier try deleted it.
func (c *Connector) deleteOwn(ctx context.Context, a feeds.Action) error {
	id := statusID(a.Target)
	if id == "" {
		return feeds.Permanent(errors.New("mastodon: delete needs a post"))
	}
	c.mu.Lock()
	info, known := c.statuses.get(id)
	me := c.me
	c.mu.Unlock()
	own := known && info.accountID != "" && info.accountID == me.ID && info.id == id
	if known && me.ID != "" && !own {
		return feeds.Permanent(errors.New("mastodon: only the account's own posts can be deleted; report this one instead"))
	}
	_, err := c.do(ctx, call{what: "delete", method: http.MethodDelete, u: c.api("/api/v1/statuses/"+url.PathEscape(id), nil)})
	if own && httpStatus(err) == http.StatusNotFound {
		return nil
	}
	return err
}

// onAccount mutes or blocks a.TargetAuthor (or the author of a.Target):
// POST /api/v1/accounts/:id/mute (with a duration when the action has
// one), /block.
func (c *Connector) onAccount(ctx context.Context, a feeds.Action) error {
	id, err := c.accountOf(ctx, a)
	if err != nil {
		return err
	}
	verb := "block"
	var body any
	if a.Kind == feeds.ActMute {
		verb = "mute"
		if a.Duration > 0 {
			body = map[string]any{"duration": int64(a.Duration.Seconds())}
		}
	}
	_, err = c.do(ctx, call{what: string(a.Kind), method: http.MethodPost,
		u: c.api("/api/v1/accounts/"+url.PathEscape(id)+"/"+verb, nil), body: body})
	return err
}

// report files a report to the instance's moderators: POST
// /api/v1/reports with the account, the post when there is one, and the
// reason as the comment.
func (c *Connector) report(ctx context.Context, a feeds.Action) error {
	body := map[string]any{}
	if a.Target != "" {
		st, err := c.resolve(ctx, a.Target)
		if err != nil {
			return err
		}
		body["status_ids"] = []string{st.id}
		if a.TargetAuthor == "" {
			body["account_id"] = st.accountID
		}
	}
	if body["account_id"] == nil {
		id, err := c.accountOf(ctx, a)
		if err != nil {
			return err
		}
		body["account_id"] = id
	}
	if reason := strings.TrimSpace(a.Reason); reason != "" {
		if utf8.RuneCountInString(reason) > maxReportComment {
			reason = string([]rune(reason)[:maxReportComment-1]) + "…"
		}
		body["comment"] = reason
	}
	_, err := c.do(ctx, call{what: "report", method: http.MethodPost, u: c.api("/api/v1/reports", nil), body: body})
	return err
}

// resolve returns what Do needs of the status an event id names: from the
// events seen, else GET /api/v1/statuses/:id. A boost resolves to the
// post it boosts.
func (c *Connector) resolve(ctx context.Context, eventID string) (statusInfo, error) {
	id := statusID(eventID)
	c.mu.Lock()
	info, ok := c.statuses.get(id)
	c.mu.Unlock()
	if ok {
		return info, nil
	}
	var st status
	if _, err := c.do(ctx, call{what: "reading the post", method: http.MethodGet, u: c.api("/api/v1/statuses/"+url.PathEscape(id), nil), out: &st}); err != nil {
		return statusInfo{}, feeds.NotSent(err)
	}
	if st.ID == "" {
		return statusInfo{}, feeds.NotSent(errors.New("mastodon: reading the post: the answer has no id"))
	}
	body := &st
	if st.Reblog != nil && st.Reblog.ID != "" {
		body = st.Reblog
	}
	c.mu.Lock()
	c.remember(&st, body)
	c.mu.Unlock()
	return statusInfo{id: body.ID, visibility: body.Visibility, acct: body.Account.Acct, accountID: body.Account.ID}, nil
}

// accountOf is the account id of a.TargetAuthor, else of the author of
// a.Target: from the events seen, else GET /api/v1/accounts/lookup.
func (c *Connector) accountOf(ctx context.Context, a feeds.Action) (string, error) {
	acct := strings.TrimPrefix(strings.TrimSpace(a.TargetAuthor), "@")
	if acct == "" {
		if a.Target == "" {
			return "", feeds.Permanent(fmt.Errorf("mastodon: %s needs an account", a.Kind))
		}
		st, err := c.resolve(ctx, a.Target)
		if err != nil {
			return "", err
		}
		return st.accountID, nil
	}
	c.mu.Lock()
	id, ok := c.accounts.get(strings.ToLower(acct))
	c.mu.Unlock()
	if ok {
		return id, nil
	}
	var acc account
	if _, err := c.do(ctx, call{what: "finding @" + acct, method: http.MethodGet,
		u: c.api("/api/v1/accounts/lookup", url.Values{"acct": {acct}}), out: &acc}); err != nil {
		return "", feeds.NotSent(err)
	}
	if acc.ID == "" {
		return "", feeds.Permanent(fmt.Errorf("mastodon: no account @%s", acct))
	}
	c.mu.Lock()
	c.accounts.put(strings.ToLower(acct), acc.ID)
	c.mu.Unlock()
	return acc.ID, nil
}
