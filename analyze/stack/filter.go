package stack

import "regexp"

// allocMachinery matches the runtime's allocation functions, which sit at
// the innermost end of heap profile stacks and say nothing about who
// allocated. The site of a sample is the first frame outside them.
var allocMachinery = regexp.MustCompile(`^(runtime\.(mallocgc.*|newobject|newarray|makeslice.*|growslice|makemap.*|mapassign.*|makechan|convT.*|rawstring.*|rawbyteslice|rawruneslice|concatstring.*|slicebytetostring|stringtoslicebyte|stringtoslicerune|slicerunetostring|intstring|profilealloc|mProf_Malloc|deductAssistCredit|\(\*mcache\)\..*|\(\*mheap\)\..*|\(\*mcentral\)\..*)|internal/runtime/maps\..*|reflect\.(unsafe_New|unsafe_NewArray|mapassign.*|growslice|makemap))$`)

// profilerFrame matches the profiler's own code: a sample with such a frame
// is the profile writing itself (its buffers, its gzip writer), different
// in every snapshot — unless the frame is labelAPI's.
var profilerFrame = regexp.MustCompile(`^(runtime/pprof|net/http/pprof|github\.com/google/pprof/profile)\.`)

// labelAPI matches runtime/pprof's labels API, which services wrap their
// own handlers and goroutines in (pprof.Do): a stack through it is the
// application's, not the profiler's.
var labelAPI = regexp.MustCompile(`^runtime/pprof\.(Do|SetGoroutineLabels|WithLabels|Labels|Label|ForLabels)(\.func\d+)*$`)

// Flags caches, per interned frame, what the filters say about it.
type Flags uint8

// The flags a Filter sets on a frame.
const (
	Machinery Flags = 1 << iota // the runtime's allocation machinery (Filter.Memory only)
	Profiler                    // the profiler's own code (unless Filter.KeepProfiler)
	Focused                     // matches Filter.Focus
	Ignored                     // matches Filter.Ignore
)

// Filter says which frames matter to an analysis of stacks.
type Filter struct {
	// Memory marks the runtime's allocation machinery, which a site skips.
	Memory bool
	// KeepProfiler leaves the profiler's own frames unmarked.
	KeepProfiler bool
	// Focus and Ignore match a frame's function or file.
	Focus, Ignore *regexp.Regexp
}

// FlagsOf evaluates the filter once per frame of the table.
func FlagsOf(tab *Table, opt Filter) []Flags {
	flags := make([]Flags, len(tab.frames))
	for i, f := range tab.frames {
		var fl Flags
		if opt.Memory && allocMachinery.MatchString(f.Func) {
			fl |= Machinery
		}
		if !opt.KeepProfiler && profilerFrame.MatchString(f.Func) && !labelAPI.MatchString(f.Func) {
			fl |= Profiler
		}
		if opt.Focus != nil && (opt.Focus.MatchString(f.Func) || opt.Focus.MatchString(f.File)) {
			fl |= Focused
		}
		if opt.Ignore != nil && (opt.Ignore.MatchString(f.Func) || opt.Ignore.MatchString(f.File)) {
			fl |= Ignored
		}
		flags[i] = fl
	}
	return flags
}

// Union is the union of the flags of a stack's frames.
func Union(ids []int32, flags []Flags) Flags {
	var all Flags
	for _, id := range ids {
		all |= flags[id]
	}
	return all
}

// SiteIndex is the position, in a stack innermost first, of its site: the
// first frame outside the allocation machinery (the outermost frame when
// every frame is machinery).
func SiteIndex(ids []int32, flags []Flags) int {
	site := 0
	for site < len(ids)-1 && flags[ids[site]]&Machinery != 0 {
		site++
	}
	return site
}
