// Package migrations holds the numbered SQL migrations of the wugongkai database, embedded in the
// binary. Migrations are append-only: a merged file is never edited; a schema change ships as a new
// pair NNNNNN_name.up.sql / NNNNNN_name.down.sql.
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS
