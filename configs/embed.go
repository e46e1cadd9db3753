// Package configs embeds the shipped configuration: the workflow definitions and the official
// holiday calendars. Operators may override them with files on disk; these are the defaults.
package configs

import (
	"embed"
	"io/fs"
)

// files holds the shipped configuration files.
//
//go:embed workflows/*.yaml holidays/*.yaml
var files embed.FS

// Workflows returns the shipped workflow definitions (document.yaml, decision.yaml, ...) at the
// root of the returned file system.
func Workflows() fs.FS { return sub("workflows") }

// Holidays returns the shipped holiday calendars (one YAML file per year) at the root of the
// returned file system.
func Holidays() fs.FS { return sub("holidays") }

// sub returns the directory dir of the embedded files.
func sub(dir string) fs.FS {
	f, err := fs.Sub(files, dir)
	if err != nil {
		panic("configs: " + err.Error()) // dir is a constant embedded above: cannot fail
	}
	return f
}
