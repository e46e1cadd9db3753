package workflow

// Staff is a signed-in member of staff with the roles they hold.
type Staff struct {
	ID       int64
	Username string
	Name     string
	Roles    []RoleAssignment
}

// RoleAssignment is one role held in one unit ("*" = bureau-wide).
type RoleAssignment struct {
	Role string
	Unit string
}

// Actor returns the staff member as a workflow actor.
func (s Staff) Actor() Actor { return Actor{UserID: s.ID, Username: s.Username, Name: s.Name} }

// HasRole reports whether s holds role in any unit.
func (s Staff) HasRole(role string) bool {
	for _, r := range s.Roles {
		if r.Role == role {
			return true
		}
	}
	return false
}

// HoldsIn reports whether s holds role in unit, or bureau-wide.
func (s Staff) HoldsIn(role, unit string) bool {
	for _, r := range s.Roles {
		if r.Role == role && (r.Unit == unit || r.Unit == "*") {
			return true
		}
	}
	return false
}
