package pydump

import _ "embed"

// DumperSource is the source of leakscan_dump.py, the standard-library-only
// heap dumper for CPython (tested on 3.11–3.14). Users copy it into their service and call
// leakscan_dump.dump(path) or leakscan_dump.install_signal_handler(); it
// writes the "leakscan-pydump" version 1 format described in FORMAT.md.
//
//go:embed leakscan_dump.py
var DumperSource []byte
