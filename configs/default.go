package configs

import _ "embed"

//go:embed wugongkai.yaml
var defaultConfig []byte

// DefaultConfig returns the embedded default configuration (configs/wugongkai.yaml).
func DefaultConfig() []byte { return defaultConfig }
