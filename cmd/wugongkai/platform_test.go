package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"wugongkai/internal/httpkit"
	"wugongkai/workflow/agencies"
)

// BenchmarkDispatch is the cost the agency resolution adds to a request: the same trivial handler
// called directly and through the platform's dispatcher by a registered host.
func BenchmarkDispatch(b *testing.B) {
	trivial := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	p := &platform{own: map[string]bool{"127.0.0.1": true}}
	first := &site{agency: agencies.Agency{ID: 1}, handler: trivial}
	fgw := agencies.Agency{ID: 2, Host: "fgw.localhost"}
	p.first = first
	p.index.Store(&agencyIndex{hosts: map[string]agencies.Agency{fgw.Host: fgw}, count: 2, loadedAt: time.Now()})
	p.sites.Store(int64(1), first)
	p.sites.Store(int64(2), &site{agency: fgw, handler: trivial})
	d := &httpkit.Dispatcher{Resolve: p.resolve, Platform: trivial}
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"direct", trivial}, {"dispatched", d}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				r := httptest.NewRequest(http.MethodGet, "http://fgw.localhost:8080/documents/1", nil)
				w := httptest.NewRecorder()
				for pb.Next() {
					c.h.ServeHTTP(w, r)
				}
			})
		})
	}
}
