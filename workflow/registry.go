package workflow

import (
	"bytes"
	"cmp"
	"slices"
	"sync"
)

// Registry holds every loaded version of every definition. Instances keep the version they
// started on, so older versions stay registered after a newer one is loaded: the store persists
// each definition's Source and re-adds the older ones at start. It is safe for concurrent use.
type Registry struct {
	mu   sync.RWMutex
	defs map[string]map[int]*Definition
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{defs: map[string]map[int]*Definition{}}
}

// Add registers def. Adding the same name and version again with the same Source does nothing;
// with a different Source it is an error, because instances on that version would change flow.
func (r *Registry) Add(def *Definition) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	versions := r.defs[def.Name]
	if versions == nil {
		versions = map[int]*Definition{}
		r.defs[def.Name] = versions
	}
	if old, ok := versions[def.Version]; ok {
		if bytes.Equal(old.Source, def.Source) {
			return nil
		}
		return Errorf(EConflict, "流程定义 %s 第 %d 版已存在且内容不同（%s 与 %s）：修改流程须提高 version", def.Name, def.Version, old.File, def.File)
	}
	versions[def.Version] = def
	return nil
}

// Get returns version of the definition name, or an *Error with code ENotFound.
func (r *Registry) Get(name string, version int) (*Definition, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if def, ok := r.defs[name][version]; ok {
		return def, nil
	}
	return nil, Errorf(ENotFound, "未找到流程定义 %s 第 %d 版", name, version)
}

// Latest returns the highest version of the definition name, or an *Error with code ENotFound.
func (r *Registry) Latest(name string) (*Definition, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var latest *Definition
	for _, def := range r.defs[name] {
		if latest == nil || def.Version > latest.Version {
			latest = def
		}
	}
	if latest == nil {
		return nil, Errorf(ENotFound, "未找到流程定义 %s", name)
	}
	return latest, nil
}

// All returns every registered definition, ordered by name and version.
func (r *Registry) All() []*Definition {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []*Definition
	for _, versions := range r.defs {
		for _, def := range versions {
			out = append(out, def)
		}
	}
	slices.SortFunc(out, func(a, b *Definition) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Version, b.Version))
	})
	return out
}

// Tagged returns the names of the states that carry tag in the latest version of any flow,
// sorted, each once. State names keep their meaning across versions, so the latest version's tags
// describe the instances of the older ones too.
func (r *Registry) Tagged(tag string) []string {
	var out []string
	for _, def := range r.All() {
		if latest, err := r.Latest(def.Name); err == nil && latest == def {
			out = append(out, def.Tagged(tag)...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
