package requests

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"wugongkai/workflow"
)

// inputDate reads an optional date input (default today) that may lie neither in the future nor
// before notBefore.
func inputDate(in workflow.Input, field, label string, today, notBefore workflow.Date) error {
	v := in[field]
	if v == "" {
		in[field] = today.String()
		return nil
	}
	d, err := workflow.ParseDate(v)
	if err != nil {
		return invalid(field, "%s请写成 YYYY-MM-DD 格式的日期", label)
	}
	if d.After(today) {
		return invalid(field, "%s（%s）不能晚于今天", label, d)
	}
	if !notBefore.IsZero() && d.Before(notBefore) {
		return invalid(field, "%s（%s）不能早于 %s", label, d, notBefore)
	}
	in[field] = d.String()
	return nil
}

// futureDate reads a date input that must lie after today, within 120 days, and returns the
// RFC 3339 instant of the last second of its day: a deadline on it falls due then and is shown on
// that day. A missing input gives "" and is reported by the engine.
func futureDate(in workflow.Input, field, label string, today workflow.Date) (string, error) {
	v := in[field]
	if v == "" {
		return "", nil
	}
	d, err := workflow.ParseDate(v)
	if err != nil {
		return "", invalid(field, "%s请写成 YYYY-MM-DD 格式的日期", label)
	}
	if !d.After(today) {
		return "", invalid(field, "%s（%s）应晚于今天", label, d)
	}
	if d.After(today.AddDays(120)) {
		return "", invalid(field, "%s（%s）过远，请给出合理期限", label, d)
	}
	in[field] = d.String()
	return d.End().Add(-time.Second).UTC().Format(time.RFC3339), nil
}

// SupplementNoticeBy returns the last day the office may ask for a supplement to a request
// received on received (《条例》第30条), with the count behind it.
func (s *Requests) SupplementNoticeBy(received workflow.Date) workflow.Count {
	return supplementNoticeBy(s.Engine.Calendar(), received)
}

func supplementNoticeBy(cal *workflow.Calendar, received workflow.Date) workflow.Count {
	return cal.AddWorkingDays(received, RequestSupplementNoticeDays)
}

// prepare checks the inputs of a transition and derives its computed ones (the instants of the
// dates given, today for a date left empty). The conditions on the request itself are the flow's
// guards (guards.go).
func (s *Requests) prepare(r Request, name string, in workflow.Input, today workflow.Date) error {
	f := r.Facts
	switch name {
	case "request_supplement":
		at, err := futureDate(in, "supplement_by", "补正期限", today)
		if err != nil {
			return err
		}
		if at != "" {
			in["supplement_due_at"] = at
		}
	case "receive_supplement":
		requested, _ := workflow.ParseDate(f["supplement_requested_on"])
		return inputDate(in, "supplemented_on", "收到补正的日期", today, requested)
	case "consult":
		if in["consult_kind"] != PauseThirdParty && in["consult_kind"] != PauseCoMaker {
			return invalid("consult_kind", "征求意见的对象只能是 third_party（第三方，《条例》第三十二条）或 co_maker（共同制作的其他机关，第三十四条）")
		}
	case "consultation_answered":
		started, _ := workflow.ParseDate(f["consult_started_on"])
		return inputDate(in, "answered_on", "收到答复的日期", today, started)
	case "notify_fee":
		if v := in["fee_amount"]; v != "" {
			amount, err := strconv.ParseFloat(v, 64)
			if err != nil || amount <= 0 || amount > 1e6 {
				return invalid("fee_amount", "收费金额应为大于 0 的数字（元）")
			}
		}
		at, err := futureDate(in, "pay_by", "缴费期限", today)
		if err != nil {
			return err
		}
		if at != "" {
			in["pay_due_at"] = at
		}
	case "fee_paid":
		notified, _ := workflow.ParseDate(f["fee_notified_on"])
		return inputDate(in, "fee_paid_on", "缴费日期", today, notified)
	case "request_extension":
		if v := in["extension_days"]; v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > RequestMaxExtensionDays {
				return invalid("extension_days", "延长的天数应为 1 到 %d 之间的整数（工作日）", RequestMaxExtensionDays)
			}
			in["extension_days"] = strconv.Itoa(n)
		}
	case "answer":
		key := in["outcome"]
		if key == "" {
			return nil
		}
		o, ok := RequestOutcomeOf(key)
		switch {
		case !ok:
			var keys []string
			for _, o := range RequestOutcomes() {
				if !o.System {
					keys = append(keys, o.Key)
				}
			}
			return invalid("outcome", "办理结果 %q 无效，应为年度报告表三的一个末级项目：%s", key, strings.Join(keys, "、"))
		case o.System:
			return invalid("outcome", "“%s”由系统在补正或缴费期限届满时自动登记，不能手工选择", o.Label)
		case key == "三(四)3" && f["supplemented_on"] == "":
			return invalid("outcome", "“补正后申请内容仍不明确”只适用于申请人已补正的申请")
		}
	}
	return nil
}

// finishRequest keeps the facts the flow cannot express in its set: a finished pause joins the
// pauses, an approved extension takes effect.
func finishRequest(prev workflow.Instance, res *workflow.Result, in workflow.Input) error {
	f := res.Instance.Facts
	pauses, err := ParsePauses(f["pauses"])
	if err != nil {
		return fmt.Errorf("read pauses of request %d: %w", prev.ID, err)
	}
	switch res.Event.Transition {
	case "consultation_answered":
		from, _ := workflow.ParseDate(prev.Facts["consult_started_on"])
		to, _ := workflow.ParseDate(in["answered_on"])
		pauses = append(pauses, Pause{Kind: prev.Facts["consult_kind"], From: from, To: to})
		f["pauses"] = FormatPauses(pauses)
		delete(f, "consult_started_on")
	case "fee_paid":
		from, _ := workflow.ParseDate(prev.Facts["fee_notified_on"])
		to, _ := workflow.ParseDate(in["fee_paid_on"])
		pauses = append(pauses, Pause{Kind: PauseFee, From: from, To: to})
		f["pauses"] = FormatPauses(pauses)
		delete(f, "fee_notified_on")
	case "request_extension":
		// Who asked, so that they are not offered the decision (notOwnExtension).
		f["extension_requested_by"] = res.Event.Actor.Username
	case "approve_extension":
		f["extension_days"] = prev.Facts["extension_requested_days"]
		delete(f, "extension_requested_days")
	case "reject_extension":
		delete(f, "extension_requested_days")
	}
	return nil
}
