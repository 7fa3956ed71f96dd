package lru

import "testing"

func TestLeastRecentGoesFirst(t *testing.T) {
	c := New[string, int](2)
	c.Put("a", 1)
	c.Put("b", 2)
	c.Get("a")
	c.Put("c", 3)
	if _, ok := c.Get("b"); ok || c.Len() != 2 || !c.Has("a") || !c.Has("c") {
		t.Errorf("the least recently used entry was not the one dropped")
	}
	c.Put("a", 10)
	if v, _ := c.Get("a"); v != 10 || c.Len() != 2 {
		t.Errorf("a put again: %d, len %d", v, c.Len())
	}
	if v, ok := c.Remove("a"); !ok || v != 10 || c.Has("a") || c.Len() != 1 {
		t.Errorf("remove: %d %v", v, ok)
	}
	if _, ok := c.Remove("a"); ok {
		t.Error("removed twice")
	}
}
