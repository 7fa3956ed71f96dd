package mastodon

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
)

func action(kind feeds.ActionKind, target string) feeds.Action {
	return feeds.Action{ID: "0000018f-act-" + string(kind), Feed: "social", Kind: kind, Target: target, Operator: "alice"}
}

// A reply goes to the original post, with its visibility, the author's
// handle first, and the action's id as Idempotency-Key.
func TestDoReply(t *testing.T) {
	f := newFakeServer(t)
	c := testConnector(t, f.srv.URL, "user")
	// The parent was seen on the feed: a direct mention from bob.
	c.handle(nopStream{}, readFrame(t, "notification_mention.json"), &health{s: nopStream{}})

	a := action(feeds.ActReply, "110000000000000003")
	a.Text = "not delayed, see you at 14:00"
	if err := c.Do(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests("POST", "/api/v1/statuses")
	if len(reqs) != 1 {
		t.Fatalf("%d posts", len(reqs))
	}
	r := reqs[0]
	if r.header.Get("Idempotency-Key") != a.ID || r.header.Get("Authorization") != "Bearer "+testToken {
		t.Errorf("headers %v", r.header)
	}
	if r.body["in_reply_to_id"] != "110000000000000003" || r.body["visibility"] != "direct" ||
		r.body["status"] != "@bob@other.example not delayed, see you at 14:00" {
		t.Errorf("reply body %v", r.body)
	}

	// A parent not seen on the feed is read from the server; a boost is
	// answered on the post it boosts; a text that names the author already
	// is not given the handle twice.
	f.mu.Lock()
	f.byID["777"] = status{ID: "777", Visibility: "public", Account: account{ID: "2002", Acct: "bob@other.example"},
		Reblog: &status{ID: "555", Visibility: "unlisted", Account: account{ID: "1001", Acct: "alice"}}}
	f.mu.Unlock()
	a = action(feeds.ActReply, "777")
	a.ID = "second"
	a.Text = "thanks @Alice!"
	if err := c.Do(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	r = f.requests("POST", "/api/v1/statuses")[1]
	if r.body["in_reply_to_id"] != "555" || r.body["visibility"] != "unlisted" || r.body["status"] != "thanks @Alice!" {
		t.Errorf("reply to a boost: %v", r.body)
	}
}

type nopStream struct{}

func (nopStream) Emit(feeds.Event)                                  {}
func (nopStream) Commit(ctx context.Context, _ []feeds.Event) error { return nil }
func (nopStream) Connected()                                        {}
func (nopStream) Status(string, string)                             {}

// The server stores the reply and the answer is lost; the retry, with the
// same Idempotency-Key, does not post it twice.
func TestDoReplyRetryIsNotDoubled(t *testing.T) {
	f := newFakeServer(t)
	c := testConnector(t, f.srv.URL, "hashtag:lumio")
	parent := f.newStatus("when does it start?")
	f.mu.Lock()
	f.dropNext = true
	f.mu.Unlock()
	a := action(feeds.ActReply, parent.ID)
	a.Text = "@alice at 14:00"
	err := c.Do(context.Background(), a)
	if err != nil && (feeds.IsPermanent(err) || feeds.IsNotSent(err)) {
		t.Fatalf("a lost answer gave %v; want a plain, retryable error", err)
	}
	if !c.Capabilities().Idempotent {
		t.Fatal("the connector does not say a retry is safe")
	}
	if err := c.Do(context.Background(), a); err != nil {
		t.Fatalf("retry: %v", err)
	}
	f.mu.Lock()
	posts := len(f.posts)
	f.mu.Unlock()
	if posts != 1 {
		t.Errorf("%d posts stored after a retried reply, want 1", posts)
	}
	reqs := f.requests("POST", "/api/v1/statuses")
	if len(reqs) < 2 {
		t.Errorf("%d requests; want the first and the retry", len(reqs))
	}
	for _, r := range reqs {
		if r.header.Get("Idempotency-Key") != a.ID {
			t.Errorf("a request with Idempotency-Key %q", r.header.Get("Idempotency-Key"))
		}
	}
}

func TestDoActions(t *testing.T) {
	f := newFakeServer(t)
	c := testConnector(t, f.srv.URL, "hashtag:lumio")
	c.handle(nopStream{}, readFrame(t, "reblog.json"), &health{s: nopStream{}})
	mine := f.newStatus("ours")
	f.mu.Lock()
	mine.Account = brandAccount
	f.byID[mine.ID] = mine
	f.mu.Unlock()
	ctx := context.Background()

	for _, tc := range []struct {
		a            feeds.Action
		method, path string
		body         map[string]any
	}{
		{action(feeds.ActFavourite, "110000000000000002"), "POST", "/api/v1/statuses/109999999999999990/favourite", nil},
		{action(feeds.ActBoost, "110000000000000002"), "POST", "/api/v1/statuses/109999999999999990/reblog", nil},
		{action(feeds.ActDelete, mine.ID), "DELETE", "/api/v1/statuses/" + mine.ID, nil},
		{feeds.Action{ID: "m", Kind: feeds.ActMute, TargetAuthor: "alice", Duration: time.Hour}, "POST", "/api/v1/accounts/1001/mute", map[string]any{"duration": float64(3600)}},
		{feeds.Action{ID: "b", Kind: feeds.ActBlock, TargetAuthor: "@eve@evil.example"}, "POST", "/api/v1/accounts/666/block", nil},
		{feeds.Action{ID: "r", Kind: feeds.ActReport, Target: "110000000000000002", Reason: "leaks the keynote"}, "POST", "/api/v1/reports",
			map[string]any{"account_id": "1001", "status_ids": []any{"109999999999999990"}, "comment": "leaks the keynote"}},
	} {
		if err := c.Do(ctx, tc.a); err != nil {
			t.Errorf("%s: %v", tc.a.Kind, err)
			continue
		}
		reqs := f.requests(tc.method, tc.path)
		if len(reqs) != 1 {
			t.Errorf("%s: %d requests %s %s", tc.a.Kind, len(reqs), tc.method, tc.path)
			continue
		}
		r := reqs[0]
		if r.header.Get("Authorization") != "Bearer "+testToken {
			t.Errorf("%s: no token", tc.a.Kind)
		}
		if len(r.body) != len(tc.body) {
			t.Errorf("%s: body %v, want %v", tc.a.Kind, r.body, tc.body)
		}
		for k, v := range tc.body {
			if got := r.body[k]; !equalJSON(got, v) {
				t.Errorf("%s: body[%s] = %v, want %v", tc.a.Kind, k, got, v)
			}
		}
	}

	// Someone else's post is not deleted.
	err := c.Do(ctx, action(feeds.ActDelete, "110000000000000002"))
	if !feeds.IsPermanent(err) || len(f.requests("DELETE", "/api/v1/statuses/110000000000000002")) != 0 {
		t.Errorf("deleting another's post: %v", err)
	}
	// An unknown account is a permanent error with the server's words.
	err = c.Do(ctx, feeds.Action{ID: "x", Kind: feeds.ActBlock, TargetAuthor: "nobody@nowhere.example"})
	if !feeds.IsPermanent(err) || !strings.Contains(err.Error(), "Record not found") {
		t.Errorf("blocking an unknown account: %v", err)
	}
	// A post over the instance's limit (300, links count 23) is refused
	// before it is sent; one under it with a long link is not.
	a := action(feeds.ActPost, "")
	a.Text = strings.Repeat("x", 301)
	if err := c.Do(ctx, a); !feeds.IsPermanent(err) || !strings.Contains(err.Error(), "allows 300") {
		t.Errorf("an overlong post: %v", err)
	}
	a.Text = strings.Repeat("x", 250) + " https://lumio.example/" + strings.Repeat("l", 100)
	if err := c.Do(ctx, a); err != nil {
		t.Errorf("a post with a long link: %v", err)
	}
	if got := len(f.requests("POST", "/api/v1/statuses")); got != 1 {
		t.Errorf("%d posts sent, want 1", got)
	}
}

func equalJSON(a, b any) bool {
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return a == b
}

// Refusals carry the platform's reason; a rate limit says how long to
// wait, from X-RateLimit-Reset; a used-up limit holds requests back.
func TestDoErrors(t *testing.T) {
	f := newFakeServer(t)
	c := testConnector(t, f.srv.URL, "hashtag:lumio")
	ctx := context.Background()
	reset := time.Now().Add(2 * time.Minute).UTC()
	id := f.newStatus("x").ID
	favPath := "/api/v1/statuses/" + id + "/favourite"

	f.mu.Lock()
	f.status, f.errBody = http.StatusUnprocessableEntity, `{"error":"Validation failed: Text character limit of 300 exceeded"}`
	f.mu.Unlock()
	err := c.Do(ctx, action(feeds.ActFavourite, id))
	if !feeds.IsPermanent(err) || !strings.Contains(err.Error(), "character limit of 300") {
		t.Errorf("422: %v", err)
	}

	f.mu.Lock()
	f.status, f.errBody = http.StatusTooManyRequests, `{"error":"Too many requests"}`
	f.header.Set("X-RateLimit-Limit", "300")
	f.header.Set("X-RateLimit-Remaining", "0")
	f.header.Set("X-RateLimit-Reset", reset.Format(time.RFC3339Nano))
	f.mu.Unlock()
	err = c.Do(ctx, action(feeds.ActFavourite, id))
	wait, limited := feeds.RetryAfterOf(err)
	if !limited || wait < time.Minute || wait > 2*time.Minute || !strings.Contains(err.Error(), "Too many requests") || feeds.IsPermanent(err) {
		t.Errorf("429: %v (wait %v, limited %v)", err, wait, limited)
	}
	// Until the reset, nothing is sent.
	before := len(f.requests("POST", favPath))
	err = c.Do(ctx, action(feeds.ActFavourite, id))
	if _, limited := feeds.RetryAfterOf(err); !limited || !feeds.IsNotSent(err) {
		t.Errorf("a request with the limit used up: %v", err)
	}
	if after := len(f.requests("POST", favPath)); after != before {
		t.Errorf("a request was sent with the limit used up")
	}
	if strings.Contains(err.Error(), testToken) {
		t.Errorf("the token is in an error: %v", err)
	}
}
