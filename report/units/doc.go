// Package units formats what every writer of the report shows: values
// in human units (bytes, counts, durations, percentages), sparklines, and
// text from inputs made safe to print (control characters and invalid
// UTF-8 escaped). It imports nothing of leakscan's.
package units
