package web

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"wugongkai/workflow"
	"wugongkai/workflow/catalogue"
)

// maxCatalogueBytes is the largest catalogue file the import page reads.
const maxCatalogueBytes = 4 << 20

type adminCatalogueView struct {
	Items    []catalogue.Item
	Columns  []string
	Error    string
	Problems []string
	Flash    string
}

func (s *Site) adminCatalogueView(c *gin.Context) (adminCatalogueView, error) {
	items, err := s.CatalogueAdmin.Items(c.Request.Context(), staffOf(c).Actor())
	v := adminCatalogueView{Items: items, Columns: catalogue.XLSXColumns, Flash: c.Query("done")}
	return v, err
}

// adminCatalogue lists the items in force, with the import form.
func (s *Site) adminCatalogue(c *gin.Context) {
	show(s, c, "console_admin_catalogue", s.adminCatalogueView, nil)
}

// loadResultText says what an import, edit or retirement changed.
func loadResultText(r catalogue.LoadResult) string {
	var parts []string
	for _, l := range []struct {
		what  string
		codes []string
	}{{"新增", r.Added}, {"新版本", r.Changed}, {"停用", r.Retired}, {"恢复", r.Restored}} {
		if len(l.codes) > 0 {
			parts = append(parts, l.what+" "+strings.Join(l.codes, " "))
		}
	}
	if r.Unchanged > 0 {
		parts = append(parts, fmt.Sprintf("未变 %d 项", r.Unchanged))
	}
	if len(parts) == 0 {
		return "没有变化。"
	}
	return "已保存：" + strings.Join(parts, "；") + "。"
}

// adminImportCatalogue imports the uploaded YAML or XLSX files.
func (s *Site) adminImportCatalogue(c *gin.Context) {
	var files []catalogue.File
	if form, err := c.MultipartForm(); err == nil {
		for _, fh := range form.File["file"] {
			f, err := fh.Open()
			if err != nil {
				s.errorPage(c, fmt.Errorf("open catalogue file: %w", err))
				return
			}
			data, err := io.ReadAll(io.LimitReader(f, maxCatalogueBytes+1))
			f.Close()
			if err != nil {
				s.errorPage(c, fmt.Errorf("read catalogue file: %w", err))
				return
			}
			if len(data) > maxCatalogueBytes {
				s.errorPage(c, &workflow.Error{Code: workflow.ETooLarge, Message: fmt.Sprintf("文件 %s 超过 %d MB", fh.Filename, maxCatalogueBytes>>20)})
				return
			}
			files = append(files, catalogue.File{Name: fh.Filename, Data: data})
		}
	}
	res, err := s.CatalogueAdmin.Import(c.Request.Context(), staffOf(c).Actor(), files)
	if err == nil {
		c.Redirect(http.StatusSeeOther, "/console/admin/catalogue?done="+url.QueryEscape(loadResultText(res)))
		return
	}
	refused(s, c, err, "console_admin_catalogue", s.adminCatalogueView, func(v *adminCatalogueView) {
		v.Error = workflow.ErrorMessage(err)
		if e := workflow.AsError(err); e != nil {
			v.Problems, _ = e.Details["problems"].([]string)
		}
	})
}

type adminItemView struct {
	Item     catalogue.Item
	Fields   []formField
	Error    string
	Problems []string
	Flash    string
}

// itemFields are the boxes of the item form, filled from it (or what was typed, form).
func itemFields(it catalogue.Item, form url.Values) []formField {
	lines := func(xs []string) string { return strings.Join(xs, "\n") }
	values := map[string]string{"area": it.Area, "level1": it.Level1, "level2": it.Level2, "content": lines(it.Content),
		"basis": lines(it.Basis), "time_limit": it.TimeLimit.Text, "subject": it.Subject, "channels": lines(it.Channels),
		"audience": it.Audience, "mode": it.Mode, "category": it.Category}
	opts := func(vs ...string) []option {
		out := make([]option, len(vs))
		for i, v := range vs {
			out[i] = option{Value: v, Label: v}
		}
		return out
	}
	fs := []formField{
		{Name: "area", Label: "领域", Kind: "text"},
		{Name: "level1", Label: "一级事项", Kind: "text"},
		{Name: "level2", Label: "二级事项", Kind: "text"},
		{Name: "content", Label: "公开内容（要素）", Kind: "textarea", Rows: 5, Help: "每行一项"},
		{Name: "basis", Label: "公开依据", Kind: "textarea", Rows: 4, Help: "每行一项"},
		{Name: "time_limit", Label: "公开时限", Kind: "text", Help: "如“信息形成或者变更之日起20个工作日内”“3个工作日内”“实时”“长期”“每年1月31日前”"},
		{Name: "subject", Label: "公开主体", Kind: "text"},
		{Name: "channels", Label: "公开渠道和载体", Kind: "textarea", Rows: 3, Help: "每行一项：" + strings.Join(catalogue.Channels, "、") + "，或“其他：…”"},
		{Name: "audience", Label: "公开对象", Kind: "select", Options: opts(catalogue.Everyone, catalogue.SomeGroups)},
		{Name: "mode", Label: "公开方式", Kind: "select", Options: opts(catalogue.Proactive, catalogue.OnRequest)},
		{Name: "category", Label: "五公开类别", Kind: "select", Options: opts(catalogue.Categories...)},
	}
	for i := range fs {
		fs[i].ID, fs[i].Required, fs[i].Value = "item-"+fs[i].Name, true, values[fs[i].Name]
		if fs[i].MaxLength == 0 {
			fs[i].MaxLength = workflow.MaxShortRunes
		}
		if fs[i].Rows == 0 {
			fs[i].Rows = 3
		}
		if form != nil {
			fs[i].Value = form.Get(fs[i].Name)
		}
	}
	return fs
}

func (s *Site) adminItemView(c *gin.Context, form url.Values) (adminItemView, error) {
	it, err := s.CatalogueAdmin.Item(c.Request.Context(), staffOf(c).Actor(), c.Param("code"))
	if err != nil {
		return adminItemView{}, err
	}
	return adminItemView{Item: it, Fields: itemFields(it, form), Flash: c.Query("done")}, nil
}

// adminItem is one item's edit form and its retire button.
func (s *Site) adminItem(c *gin.Context) {
	show(s, c, "console_admin_item", func(c *gin.Context) (adminItemView, error) { return s.adminItemView(c, nil) }, nil)
}

// adminSaveItem saves the item as a new version (action edit) or retires it (action retire).
func (s *Site) adminSaveItem(c *gin.Context) {
	ctx, actor, code := c.Request.Context(), staffOf(c).Actor(), c.Param("code")
	var (
		res  catalogue.LoadResult
		err  error
		form url.Values
	)
	switch c.PostForm("action") {
	case "edit":
		form = c.Request.PostForm
		list := func(k string) []string { return strings.Split(strings.ReplaceAll(c.PostForm(k), "\r\n", "\n"), "\n") }
		res, err = s.CatalogueAdmin.Edit(ctx, actor, code, catalogue.ItemForm{Area: c.PostForm("area"), Level1: c.PostForm("level1"),
			Level2: c.PostForm("level2"), Content: list("content"), Basis: list("basis"), TimeLimit: c.PostForm("time_limit"),
			Subject: c.PostForm("subject"), Channels: list("channels"), Audience: c.PostForm("audience"), Mode: c.PostForm("mode"),
			Category: c.PostForm("category")})
	case "retire":
		res, err = s.CatalogueAdmin.Retire(ctx, actor, code)
	default:
		err = &workflow.Error{Code: workflow.EInvalid, Field: "action", Message: "请选择要执行的操作"}
	}
	if err == nil {
		c.Redirect(http.StatusSeeOther, "/console/admin/catalogue/"+url.PathEscape(code)+"?done="+url.QueryEscape(loadResultText(res)))
		return
	}
	refused(s, c, err, "console_admin_item", func(c *gin.Context) (adminItemView, error) { return s.adminItemView(c, form) },
		func(v *adminItemView) {
			v.Error = workflow.ErrorMessage(err)
			if e := workflow.AsError(err); e != nil {
				v.Problems, _ = e.Details["problems"].([]string)
			}
		})
}
