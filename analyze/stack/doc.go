// Package stack interns call stacks: frames keyed by function, file and
// line (never addresses, which change with every build) and stacks as
// slices of frame ids in one hash table shared by a whole series, so that
// a stack id means the same stack in every snapshot. It also holds the
// frame filters every stack-keyed analysis applies (the runtime's
// allocation machinery, the profiler's own code, --focus and --ignore)
// and the canonical text of goroutine labels. It imports analyze/series.
package stack
