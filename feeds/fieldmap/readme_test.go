package fieldmap_test

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/tribune/tribune/feeds/fieldmap"
	"github.com/tribune/tribune/feeds/sse"
	"github.com/tribune/tribune/feeds/webhook"
	"github.com/tribune/tribune/feeds/wsfeed"
)

// TestReadmeExamples decodes every TOML example of README.md as the
// program would, and builds its connector: the documentation cannot drift
// from the code.
func TestReadmeExamples(t *testing.T) {
	for _, env := range []string{"CHAT_TOKEN", "STATUS_TOKEN", "HOOK_SECRET"} {
		t.Setenv(env, "x")
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```toml\n(.*?)```").FindAllSubmatch(readme, -1)
	if len(blocks) < 5 {
		t.Fatalf("found %d TOML examples", len(blocks))
	}
	reserved := []string{"id", "type", "send_limit", "keep_for", "keep_count"}
	for i, b := range blocks {
		var doc struct {
			Feed []toml.Primitive `toml:"feed"`
		}
		md, err := toml.Decode(string(b[1]), &doc)
		if err != nil || len(doc.Feed) != 1 {
			t.Fatalf("example %d: %v (%d feeds)", i+1, err, len(doc.Feed))
		}
		var head struct {
			ID   string `toml:"id"`
			Type string `toml:"type"`
		}
		if err := md.PrimitiveDecode(doc.Feed[0], &head); err != nil {
			t.Fatal(err)
		}
		switch head.Type {
		case "websocket":
			var c wsfeed.Config
			err = decodeAndBuild(md, doc.Feed[0], &c, func() error { _, err := wsfeed.New(head.ID, c); return err })
		case "sse":
			var c sse.Config
			err = decodeAndBuild(md, doc.Feed[0], &c, func() error { _, err := sse.New(head.ID, c); return err })
		case "webhook":
			var c webhook.Config
			err = decodeAndBuild(md, doc.Feed[0], &c, func() error { _, err := webhook.New(head.ID, c); return err })
		default:
			t.Fatalf("example %d: type %q", i+1, head.Type)
		}
		if err != nil {
			t.Errorf("example %d (%s): %v", i+1, head.ID, err)
		}
		for _, k := range md.Undecoded() {
			if !slices.Contains(reserved, k[len(k)-1]) {
				t.Errorf("example %d (%s): unknown key %s", i+1, head.ID, k)
			}
		}
	}
}

func decodeAndBuild(md toml.MetaData, p toml.Primitive, cfg any, build func() error) error {
	if err := md.PrimitiveDecode(p, cfg); err != nil {
		return err
	}
	return build()
}

func ExampleMapping_Compile() {
	m := fieldmap.Mapping{ID: "id", Author: "user.login", Text: "body", Time: "ts"}
	mp, err := m.Compile()
	if err != nil {
		panic(err)
	}
	r, _ := mp.Map([]byte(`[{"id":7,"user":{"login":"ana"},"body":"hi","ts":1732206348741},{"id":8}]`))
	ev := r.Events[0]
	fmt.Println(ev.ID, ev.Author, ev.Text, ev.Time.Format(time.RFC3339Nano))
	fmt.Println(r.Unmatched, r.Why)
	// Output:
	// 7 ana hi 2024-11-21T16:25:48.741Z
	// 1 item 2: text: nothing at "body"
}
