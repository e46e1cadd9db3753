// Package configs embeds the shipped configuration: the workflow definitions, the official
// holiday calendars and the default 基层政务公开标准目录. Operators may override them with files on disk; these are the defaults.
package configs

import (
	"embed"
	"io/fs"
)

// files holds the shipped configuration files.
//
//go:embed workflows/*.yaml holidays/*.yaml catalogue/*.yaml
var files embed.FS

// Workflows returns the shipped workflow definitions (document.yaml, decision.yaml, ...) at the
// root of the returned file system.
func Workflows() fs.FS { return sub("workflows") }

// Holidays returns the shipped holiday calendars (one YAML file per year) at the root of the
// returned file system.
func Holidays() fs.FS { return sub("holidays") }

// Catalogue returns the shipped standard catalogue (one YAML file per area, read in name order) at
// the root of the returned file system.
func Catalogue() fs.FS { return sub("catalogue") }

// sub returns the directory dir of the embedded files.
func sub(dir string) fs.FS {
	f, err := fs.Sub(files, dir)
	if err != nil {
		panic("configs: " + err.Error()) // dir is a constant embedded above: cannot fail
	}
	return f
}
