package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at link time (-ldflags "-X main.version=v1.2.3"); else the
// module version from the build info is used.
var version = ""

func newVersionCmd(s streams) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print leakscan's version",
		Example: "  leakscan version",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintf(s.Out, "leakscan %s\n", versionString())
			return err
		},
	}
}

// versionString is the version, the Go release and the platform: the
// version set at link time, else the module's, else the VCS revision the
// build stamped, else "(devel)".
func versionString() string {
	v := version
	if bi, ok := debug.ReadBuildInfo(); v == "" && ok {
		v = bi.Main.Version
		if v == "" || v == "(devel)" {
			v = "(devel)"
			for _, st := range bi.Settings {
				if st.Key == "vcs.revision" && len(st.Value) >= 12 {
					v = "(devel " + st.Value[:12] + ")"
				}
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	return fmt.Sprintf("%s %s %s/%s", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
