package web

import "github.com/gin-gonic/gin"

// mountReports registers the annual report pages of the console.
func (s *Site) mountReports(staff func(method, path, perm string, h gin.HandlerFunc)) {
}
