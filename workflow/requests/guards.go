package requests

import (
	"slices"
	"time"

	"wugongkai/workflow"
)

// Guards returns the guards of the request flow (configs/workflows/request.yaml), for the engine's
// guard set:
//
//	supplement_in_time  the 补正 notice goes out within 7 working days of receipt (《条例》第三十条)
//	not_extended        the reply period has not been extended before: once only (第三十三条)
//	before_reply_due    the reply period has not run out
//	not_own_extension   whoever asked for an extension does not decide on it (第三十三条第二款)
func Guards() workflow.GuardSet {
	return workflow.GuardSet{
		"supplement_in_time": guardSupplementInTime,
		"not_extended":       guardNotExtended,
		"before_reply_due":   guardBeforeReplyDue,
		"not_own_extension":  guardNotOwnExtension,
	}
}

func guardSupplementInTime(g workflow.GuardContext) error {
	received, err := workflow.ParseDate(g.Instance.Facts["received_on"])
	if err != nil || g.Calendar == nil {
		return nil // no receipt date to count from: the clock does not run either
	}
	limit := supplementNoticeBy(g.Calendar, received)
	if workflow.DateOf(g.Now).After(limit.Due) {
		return workflow.Errorf(workflow.EGuardFailed, "补正通知应在收到申请之日起 %d 个工作日内一次性发出（《条例》第三十条）：%s现已逾期，不能再要求补正",
			RequestSupplementNoticeDays, limit.Explanation())
	}
	return nil
}

func guardNotExtended(g workflow.GuardContext) error {
	if days := g.Instance.Facts["extension_days"]; days != "" {
		return workflow.Errorf(workflow.EGuardFailed, "答复期限已延长过 %s 个工作日；《条例》第三十三条只允许延长一次", days)
	}
	return nil
}

func guardBeforeReplyDue(g workflow.GuardContext) error {
	rc, ok := RequestClockOf(g.Instance)
	if !ok || g.Calendar == nil {
		return nil
	}
	if due := ReplyDeadlineOf(g.Calendar, rc).Due; !due.IsZero() && workflow.DateOf(g.Now).After(due) {
		return workflow.Errorf(workflow.EGuardFailed, "答复期限已于 %s 届满，不能再申请延期", due)
	}
	return nil
}

func guardNotOwnExtension(g workflow.GuardContext) error {
	if by := g.Instance.Facts["extension_requested_by"]; by != "" && by == g.Actor.Username {
		return &workflow.Error{Code: workflow.EForbidden, Message: notOwnExtensionMessage}
	}
	return nil
}

// notOwnExtensionMessage refuses the decision on an extension to whoever asked for it.
const notOwnExtensionMessage = "延期答复须经政务公开工作机构负责人批准，申请延期的本人不能批准或驳回自己的延期申请"

// laterGuards runs, on a request started on an older version of the flow, the request guards the
// latest version names for transition name that the request's version does not: these rules were
// the use case's before they were named guards, and hold for every request.
func (s *Requests) laterGuards(inst workflow.Instance, name string, g workflow.GuardContext) error {
	def, err := s.Engine.Definition(inst)
	if err != nil {
		return err
	}
	latest, err := s.Engine.Registry().Latest(def.Name)
	if err != nil || latest == def {
		return nil
	}
	own := def.Candidates(inst.State, name)
	later := latest.Candidates(inst.State, name)
	if len(later) == 0 {
		return nil
	}
	guards := Guards()
	for _, name := range later[0].Guards {
		if len(own) > 0 && slices.Contains(own[0].Guards, name) {
			continue
		}
		if guard, ok := guards[name]; ok {
			if err := guard(g); err != nil {
				return err
			}
		}
	}
	return nil
}

// guardContext is what the request guards see of r for actor at now (in nil: a probe).
func (s *Requests) guardContext(r Request, actor workflow.Actor, in workflow.Input, now time.Time) workflow.GuardContext {
	return workflow.GuardContext{Instance: r.Instance, Input: in, Actor: actor, Now: now, Probe: in == nil, Calendar: s.Engine.Calendar()}
}
