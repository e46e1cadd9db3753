package bench

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// Machine describes the computer a run measured.
type Machine struct {
	CPUs       int    `json:"cpus"`
	CPUModel   string `json:"cpu_model"`
	MemoryMB   int64  `json:"memory_mb"`
	Kernel     string `json:"kernel"`
	GoVersion  string `json:"go_version"`
	PostgreSQL string `json:"postgresql"`
	Redis      string `json:"redis"`
}

// ThisMachine reads the CPU count, CPU model, memory and kernel of the running machine.
func ThisMachine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version()}
	m.CPUModel = procField("/proc/cpuinfo", "model name")
	if kb, err := strconv.ParseInt(strings.Fields(procField("/proc/meminfo", "MemTotal") + " 0")[0], 10, 64); err == nil {
		m.MemoryMB = kb / 1024
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	return m
}

// procField returns the value of the first "name: value" line of a /proc file.
func procField(path, name string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// PeakRSS returns the peak resident set size of this process (VmHWM) in bytes.
func PeakRSS() (int64, error) {
	return statusBytes("/proc/self/status", "VmHWM")
}

// PeakRSSOf returns the peak resident set size of process pid in bytes.
func PeakRSSOf(pid int) (int64, error) {
	return statusBytes(fmt.Sprintf("/proc/%d/status", pid), "VmHWM")
}

func statusBytes(path, field string) (int64, error) {
	v := procField(path, field)
	if v == "" {
		return 0, fmt.Errorf("%s has no %s", path, field)
	}
	fs := strings.Fields(v)
	kb, err := strconv.ParseInt(fs[0], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", path, field, err)
	}
	return kb * 1024, nil
}
