package bench

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// Trivial is a gin engine with one handler that answers a small JSON object without touching
// anything: the ceiling of HTTP requests the machine serves with the same router, server and
// load generator as the service.
type Trivial struct {
	URL string
	srv *http.Server
}

// StartTrivial listens on a free loopback port.
func StartTrivial() (*Trivial, error) {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.GET("/ping", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for the trivial handler: %w", err)
	}
	t := &Trivial{URL: "http://" + ln.Addr().String() + "/ping",
		srv: &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}}
	go func() { _ = t.srv.Serve(ln) }() // returns http.ErrServerClosed after Close
	return t, nil
}

// Close stops the server.
func (t *Trivial) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return t.srv.Shutdown(ctx)
}
