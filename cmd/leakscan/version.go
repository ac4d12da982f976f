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
// version set at link time, else the module's (go install …@v1.2.3), else
// the VCS revision the build stamped, else a note that says why there is
// none: a build from source without version control information (go run,
// go test, a tree outside git, -buildvcs=false).
func versionString() string {
	v := version
	if bi, ok := debug.ReadBuildInfo(); v == "" && ok {
		v = bi.Main.Version
		if v == "" || v == "(devel)" {
			v = unstamped
			for _, st := range bi.Settings {
				if st.Key == "vcs.revision" && len(st.Value) >= 12 {
					v = "(devel " + st.Value[:12] + ")"
				}
			}
		}
	}
	if v == "" {
		v = unstamped
	}
	return fmt.Sprintf("%s %s %s/%s", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// unstamped is the version of a build that carries none.
const unstamped = "(devel: built from source without version control information)"
