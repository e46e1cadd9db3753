package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"wugongkai/workflow"
)

func calendarCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "calendar", Short: "count working days on the official holiday calendar"}
	var from string
	var days int
	var calendarDays bool
	add := &cobra.Command{
		Use:   "add",
		Short: "print the date N working days after --from, and how it was counted",
		Long: "The day given with --from is not counted; the due date is the Nth working day after it.\n" +
			"The first line is the due date (YYYY-MM-DD); the following lines explain the count: official\n" +
			"days off skipped, 调休 weekend days counted, and 暂定 (provisional) when the count reaches a\n" +
			"year whose calendar is not loaded yet; such a count still skips the fixed-date statutory\n" +
			"holidays (元旦 1 Jan, 劳动节 1–2 May, 国庆节 1–3 Oct).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := workflow.ParseDate(from)
			if err != nil {
				return fmt.Errorf("--from: %w", err)
			}
			if days < 0 {
				return fmt.Errorf("--days must not be negative")
			}
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			cal, err := loadCalendar(cfg)
			if err != nil {
				return err
			}
			var c workflow.Count
			if calendarDays {
				c = cal.AddCalendarDays(d, days)
			} else {
				c = cal.AddWorkingDays(d, days)
			}
			fmt.Fprint(g.stdout, c.Text())
			return nil
		},
	}
	add.Flags().StringVar(&from, "from", "", "start day YYYY-MM-DD (not counted)")
	add.Flags().IntVar(&days, "days", 20, "number of working days")
	add.Flags().BoolVar(&calendarDays, "calendar-days", false, "count calendar days instead of working days")
	_ = add.MarkFlagRequired("from")
	cmd.AddCommand(add)
	return cmd
}
