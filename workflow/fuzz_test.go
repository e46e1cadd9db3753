package workflow_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"wugongkai/workflow"
)

// FuzzLoadDefinition checks that any input either loads or gives DefinitionErrors, never a panic.
func FuzzLoadDefinition(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	files = append(files, filepath.Join("..", "configs", "workflows", "document.yaml"), filepath.Join("..", "configs", "workflows", "decision.yaml"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	guards := testGuards()
	f.Fuzz(func(t *testing.T, data []byte) {
		def, err := workflow.LoadDefinition("fuzz.yaml", data, guards)
		var des workflow.DefinitionErrors
		switch {
		case err == nil && def == nil:
			t.Fatal("no definition and no error")
		case err != nil && !errors.As(err, &des):
			t.Fatalf("error %T is not DefinitionErrors: %v", err, err)
		case err == nil:
			_ = def.Mermaid() + def.Dot()
		}
	})
}

// FuzzParseCalendarYear checks that any input either parses or gives ConfigErrors, never a panic.
func FuzzParseCalendarYear(f *testing.F) {
	for _, file := range []string{"2025.yaml", "2026.yaml"} {
		data, err := os.ReadFile(filepath.Join("..", "configs", "holidays", file))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		y, err := workflow.ParseCalendarYear("2026.yaml", data)
		var ces workflow.ConfigErrors
		if err != nil && !errors.As(err, &ces) {
			t.Fatalf("error %T is not ConfigErrors: %v", err, err)
		}
		if err == nil {
			cal, err := workflow.NewCalendar(y)
			if err != nil {
				t.Fatal(err)
			}
			cal.AddWorkingDays(workflow.Date{Year: 2026, Month: 1, Day: 1}, 30)
		}
	})
}
