package ftab

import (
	"fmt"
	"testing"
)

func TestSetGet(t *testing.T) {
	var tb Table
	if _, ok := tb.Get([]byte("x")); ok {
		t.Fatal("empty table found a key")
	}
	for i := range 1000 {
		tb.SetString(fmt.Sprintf("k%d", i), int32(i))
	}
	tb.SetString("k7", -7)
	if tb.Len() != 1000 {
		t.Fatalf("Len = %d, want 1000", tb.Len())
	}
	for i := range 1000 {
		want := int32(i)
		if i == 7 {
			want = -7
		}
		if v, ok := tb.Get(fmt.Appendf(nil, "k%d", i)); !ok || v != want {
			t.Fatalf("Get(k%d) = %d, %v", i, v, ok)
		}
	}
	for _, k := range []string{"", "k", "k1000", "k12345678901"} {
		if _, ok := tb.Get([]byte(k)); ok {
			t.Errorf("Get(%q) found", k)
		}
	}
	n := 0
	tb.Each(func([]byte, int32) { n++ })
	if n != 1000 {
		t.Errorf("Each saw %d keys", n)
	}
}

func TestHashLongKeys(t *testing.T) {
	a := Hash([]byte("abcdefghijklmnopq"))
	b := Hash([]byte("abcdefghijklmnopr"))
	c := Hash([]byte("abcdefgh"))
	if a == b || a == c {
		t.Fatal("hash ignores bytes")
	}
}

func BenchmarkGet(b *testing.B) {
	var tb Table
	for i := range 2000 {
		tb.SetString(fmt.Sprintf("word%d", i), int32(i))
	}
	keys := [][]byte{[]byte("word17"), []byte("missing"), []byte("ecouteurs"), []byte("word1999")}
	b.ReportAllocs()
	for b.Loop() {
		for _, k := range keys {
			tb.Get(k)
		}
	}
}
