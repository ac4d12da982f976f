module github.com/leakscan/leakscan

go 1.26.8

require (
	github.com/google/pprof v0.0.0-20251114195745-4902fdda35c8
	github.com/spf13/cobra v1.10.2
)

require (
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	github.com/spf13/pflag v1.0.9 // indirect
)
