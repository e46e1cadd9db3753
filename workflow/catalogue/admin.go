package catalogue

import (
	"cmp"
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"wugongkai/workflow"
)

// AdminStore is what the admin's catalogue use cases need: the catalogue, and saving it with the
// admin's audit event in the same transaction.
type AdminStore interface {
	Storer
	// SaveCatalogueAs is SaveCatalogue that also appends an audit event (action, with what changed
	// and note) for actor, in the same transaction.
	SaveCatalogueAs(ctx context.Context, items []Item, at time.Time, actor workflow.Actor, action string, note map[string]string) (LoadResult, error)
}

// Unit is the unit catalogue:manage is checked in: the catalogue is the bureau's.
const Unit = "*"

// Admin is the admin's catalogue use cases: import from YAML or XLSX, edit an item (a new item
// version), retire an item. An import or an edit adds to the catalogue in force and never retires
// anything by omission; only Retire retires. Documents keep the item version they were tagged with,
// and a retired item stays readable at every version.
type Admin struct {
	Store AdminStore
	Auth  workflow.Authorizer
	Clock workflow.Clock
}

func (a *Admin) now() time.Time {
	if a.Clock == nil {
		return time.Now()
	}
	return a.Clock.Now()
}

func (a *Admin) authorize(ctx context.Context, actor workflow.Actor) error {
	return a.Auth.Authorize(ctx, actor, Unit, "catalogue:manage")
}

// File is one uploaded catalogue file: YAML (the configs/catalogue format) or XLSX (see ParseXLSX).
type File struct {
	Name string
	Data []byte
}

// Items returns the items in force, in catalogue order.
func (a *Admin) Items(ctx context.Context, actor workflow.Actor) ([]Item, error) {
	if err := a.authorize(ctx, actor); err != nil {
		return nil, err
	}
	return a.Store.CatalogueItems(ctx)
}

// Item returns one item at its latest version, retired or not.
func (a *Admin) Item(ctx context.Context, actor workflow.Actor, code string) (Item, error) {
	if err := a.authorize(ctx, actor); err != nil {
		return Item{}, err
	}
	return a.Store.CatalogueItem(ctx, code, 0)
}

// invalid turns the problems of a catalogue into the use case's error: EInvalid, its message
// naming the first, details "problems" listing each as file:line: message.
func invalid(err error) error {
	ces, ok := err.(workflow.ConfigErrors)
	if !ok {
		return err
	}
	slices.SortStableFunc(ces, func(a, b workflow.ConfigError) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
	problems := make([]string, len(ces))
	for i, ce := range ces {
		problems[i] = ce.Error()
	}
	return &workflow.Error{Code: workflow.EInvalid, Field: "file",
		Message: fmt.Sprintf("标准目录有 %d 处问题，未作任何更改：%s", len(problems), problems[0]),
		Details: map[string]any{"problems": problems}}
}

// Import reads files (each YAML or XLSX by its name) and checks them whole: every problem of
// every file is reported with its file and line (an XLSX row is its line), and any problem
// refuses the whole import. The items read are added to the catalogue in force, replacing items
// of the same code (a changed one gets its next version, a retired one is in force again).
func (a *Admin) Import(ctx context.Context, actor workflow.Actor, files []File) (LoadResult, error) {
	if err := a.authorize(ctx, actor); err != nil {
		return LoadResult{}, err
	}
	if len(files) == 0 {
		return LoadResult{}, &workflow.Error{Code: workflow.EInvalid, Field: "file", Message: "请选择标准目录文件（YAML 或 XLSX）"}
	}
	var (
		items []Item
		errs  workflow.ConfigErrors
		names []string
	)
	for _, f := range files {
		name := path.Base(strings.ReplaceAll(f.Name, "\\", "/"))
		names = append(names, name)
		var its []Item
		var err error
		switch strings.ToLower(path.Ext(name)) {
		case ".yaml", ".yml":
			its, err = ParseFile(name, f.Data)
		case ".xlsx":
			its, err = ParseXLSX(name, f.Data)
		default:
			err = workflow.ConfigErrors{{File: name, Message: "只能导入 YAML（.yaml）或 Excel（.xlsx）文件"}}
		}
		errs = appendErrors(errs, err)
		items = append(items, its...)
	}
	if len(errs) == 0 {
		errs = appendErrors(errs, Validate(items))
	} else {
		errs = append(errs, duplicates(items)...)
	}
	if len(errs) > 0 {
		return LoadResult{}, invalid(errs)
	}
	return a.save(ctx, actor, "catalogue_import", map[string]string{"files": strings.Join(names, " ")}, func(current []Item) []Item {
		for _, it := range items {
			if i := slices.IndexFunc(current, func(c Item) bool { return c.Code == it.Code }); i >= 0 {
				current[i] = it
			} else {
				current = append(current, it)
			}
		}
		return current
	})
}

// save records the catalogue in force as change makes it, with the audit event.
func (a *Admin) save(ctx context.Context, actor workflow.Actor, action string, note map[string]string, change func([]Item) []Item) (LoadResult, error) {
	current, err := a.Store.CatalogueItems(ctx)
	if err != nil {
		return LoadResult{}, err
	}
	next := change(current)
	if err := Validate(next); err != nil {
		return LoadResult{}, invalid(err)
	}
	return a.Store.SaveCatalogueAs(ctx, next, a.now(), actor, action, note)
}

// ItemForm is an item as typed on the console or sent to the API: lists one entry a line.
type ItemForm struct {
	Area, Level1, Level2 string
	Content, Basis       []string
	TimeLimit            string
	Subject              string
	Channels             []string
	Audience, Mode       string
	Category             string
}

// Edit gives the item code in force the content of form: its next version (documents tagged with
// an earlier version keep it). The form is checked as a catalogue file's item is.
func (a *Admin) Edit(ctx context.Context, actor workflow.Actor, code string, form ItemForm) (LoadResult, error) {
	if err := a.authorize(ctx, actor); err != nil {
		return LoadResult{}, err
	}
	old, err := a.Store.CatalogueItem(ctx, code, 0)
	if err != nil {
		return LoadResult{}, err
	}
	if old.Retired() {
		return LoadResult{}, workflow.Errorf(workflow.EInvalid, "事项 %s 已停用，不能修改；请通过导入恢复", code)
	}
	it, err := ParseRow("console", 0, Row{Code: code, Area: form.Area, Level1: form.Level1, Level2: form.Level2, Content: form.Content,
		Basis: form.Basis, TimeLimit: form.TimeLimit, Subject: form.Subject, Channels: form.Channels, Audience: form.Audience,
		Mode: form.Mode, Category: form.Category})
	if err != nil {
		return LoadResult{}, invalid(err)
	}
	if Same(old, it) {
		return LoadResult{}, &workflow.Error{Code: workflow.EInvalid, Message: "内容没有变化"}
	}
	return a.save(ctx, actor, "catalogue_edit", map[string]string{"code": code, "version_before": fmt.Sprint(old.Version),
		"version_after": fmt.Sprint(old.Version + 1)}, func(current []Item) []Item {
		for i := range current {
			if current[i].Code == code {
				current[i] = it
			}
		}
		return current
	})
}

// Retire takes the item code out of the catalogue in force. It is never deleted: documents tagged
// with it keep it and show it, and every version stays readable.
func (a *Admin) Retire(ctx context.Context, actor workflow.Actor, code string) (LoadResult, error) {
	if err := a.authorize(ctx, actor); err != nil {
		return LoadResult{}, err
	}
	old, err := a.Store.CatalogueItem(ctx, code, 0)
	if err != nil {
		return LoadResult{}, err
	}
	if old.Retired() {
		return LoadResult{}, workflow.Errorf(workflow.EConflict, "事项 %s 已停用", code)
	}
	return a.save(ctx, actor, "catalogue_retire", map[string]string{"code": code, "version": fmt.Sprint(old.Version)},
		func(current []Item) []Item {
			return slices.DeleteFunc(current, func(c Item) bool { return c.Code == code })
		})
}
