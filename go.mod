module github.com/leakscan/leakscan

go 1.26.8

require (
	github.com/google/pprof v0.0.0-20251114195745-4902fdda35c8
	github.com/maruel/panicparse/v2 v2.5.0
	github.com/spf13/cobra v1.10.2
	gonum.org/v1/gonum v0.16.0
)

require (
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	github.com/spf13/pflag v1.0.9 // indirect
)
