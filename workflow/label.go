package workflow

// StepLabel names the transition called name as taken from state from to state to: the label of
// that candidate (transitions of one name may be labelled apart, as a document's approve is 审核通过
// at the unit head and 审查通过 at the legal section), else that of the first of the name.
func (d *Definition) StepLabel(name, from, to string) string {
	for _, t := range d.Candidates(from, name) {
		if t.To == to {
			return t.Label
		}
	}
	return d.TransitionLabel(name)
}
