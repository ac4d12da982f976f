module github.com/leakscan/leakscan

go 1.26.8

require (
	github.com/google/pprof v0.0.0-20251114195745-4902fdda35c8
	github.com/spf13/cobra v1.10.2
)

require (
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	github.com/maruel/panicparse/v2 v2.5.0 // indirect
	github.com/mattn/go-colorable v0.1.14 // indirect
	github.com/mattn/go-isatty v0.0.20 // indirect
	github.com/mgutz/ansi v0.0.0-20200706080929-d51e80ef957d // indirect
	github.com/spf13/pflag v1.0.9 // indirect
	golang.org/x/sys v0.32.0 // indirect
)
