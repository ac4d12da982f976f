// Command leakscan analyses saved profiles, dumps and heap snapshots
// offline and says what leaks: what grows across a series, why it stays
// alive, and where it came from.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], defaultStreams()))
}
