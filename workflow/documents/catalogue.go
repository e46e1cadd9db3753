package documents

import (
	"context"
	"fmt"
	"strings"

	"wugongkai/workflow"
)

// The facts tagging with a catalogue item sets for the flows: the attribute the item proposes
// (guard attribute_as_proposed) and its 公开时限 as the publication deadline's period
// (period_fact in configs/workflows/document.yaml).
const (
	FactProposedAttribute = workflow.FactProposedAttribute
	FactPublicationPeriod = "publication_period"
)

// applyItem tags d with the catalogue item code (nil: unchanged; "": none) at the item's current
// version and reports whether that changed anything. An unknown or retired code is EInvalid on
// field catalogue_item (details.reason unknown_catalogue_item or retired_catalogue_item). The
// item's 公开方式 becomes the fact proposed_attribute, and the document's attribute when it has
// none yet; its 公开时限 becomes the fact publication_period. Tagging again with the code the
// document has keeps the version it was tagged with.
func (s *Documents) applyItem(ctx context.Context, d *Document, code *string) (bool, error) {
	if code == nil {
		return false, nil
	}
	c := strings.TrimSpace(*code)
	if c == d.Item.Code {
		return false, nil
	}
	if c == "" {
		d.Item = CatalogueItem{}
		delete(d.Facts, FactProposedAttribute)
		delete(d.Facts, FactPublicationPeriod)
		return true, nil
	}
	if err := workflow.CheckText("catalogue_item", c, 40, false); err != nil {
		return false, err
	}
	if s.Catalogue == nil {
		return false, &workflow.Error{Code: workflow.EInvalid, Field: "catalogue_item", Message: "未配置标准目录，不能标注目录事项"}
	}
	tag, err := s.Catalogue(ctx, c)
	switch {
	case workflow.ErrorCode(err) == workflow.ENotFound:
		return false, &workflow.Error{Code: workflow.EInvalid, Field: "catalogue_item",
			Message: fmt.Sprintf("标准目录中没有事项“%s”，请从目录中选择", c), Details: map[string]any{"reason": "unknown_catalogue_item"}}
	case err != nil:
		return false, err
	case tag.Retired:
		return false, &workflow.Error{Code: workflow.EInvalid, Field: "catalogue_item",
			Message: fmt.Sprintf("标准目录事项“%s %s”已停用，请选择现行事项", c, tag.Item.Level2), Details: map[string]any{"reason": "retired_catalogue_item"}}
	}
	d.Item = tag.Item
	if p := tag.Item.ProposedAttribute(); p != "" {
		d.Facts[FactProposedAttribute] = p
		if d.Facts["attribute"] == "" {
			d.Facts["attribute"] = p
		}
	} else {
		delete(d.Facts, FactProposedAttribute)
	}
	d.Facts[FactPublicationPeriod] = tag.Period.String()
	return true, nil
}
