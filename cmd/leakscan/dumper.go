package main

import (
	"fmt"

	"github.com/leakscan/leakscan/graph/pydump"
	"github.com/spf13/cobra"
)

// newDumperCmd prints the heap dumpers leakscan ships, to drop into a
// service.
func newDumperCmd(s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "dumper python",
		Short: "Print the heap dumper of a runtime (python) to drop into a service",
		Long: `The argument names the runtime; python is the one there is.

Print leakscan_dump.py, a single stdlib-only file, tested on CPython 3.11 natively and 3.12–3.14
through Pyodide.
Import it in the service and call dump(path) — or
install_signal_handler(signal.SIGUSR1, directory) — to write heap
snapshots with the object graph (gzip when the path ends in .gz).
Its format is documented in graph/pydump/FORMAT.md.`,
		Example: `  leakscan dumper python > leakscan_dump.py
  python3 -c 'import leakscan_dump, signal; leakscan_dump.install_signal_handler(signal.SIGUSR1, "/tmp")'`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"python"},
		RunE: func(_ *cobra.Command, args []string) error {
			if args[0] != "python" {
				return usageError{fmt.Errorf("dumper %q: expected python", args[0])}
			}
			if _, err := s.Out.Write(pydump.DumperSource); err != nil {
				return outputError{err}
			}
			return nil
		},
	}
}
