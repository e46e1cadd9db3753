package web

import "github.com/gin-gonic/gin"

// mountRequests registers the public request form and the staff request desk.
func (s *Site) mountRequests(pub func(method, path string, h gin.HandlerFunc), staff func(method, path, perm string, h gin.HandlerFunc)) {
}
