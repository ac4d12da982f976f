// Package input reads what the user names: files, directories (the files
// in them a caller's sniffer accepts, sorted by name) and stdin, undoing
// gzip by content, not by name, within MaxInputSize. Errors are
// InputErrors: one line naming the file, the position when known, and
// what was expected. It also holds the names of the input formats, so
// that every reader and message uses the same words; which formats are
// read, and how, is the format registry's business (package analyze). It
// imports nothing of ours.
package input
