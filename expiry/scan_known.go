package expiry

import "context"

// ScanWith is Scan preceded by known: records found before scanning (such
// as HostSources' broken configuration files), emitted first and in order.
func ScanWith(ctx context.Context, known []Record, targets []Target, opts Options, emit func(Record)) error {
	for _, r := range known {
		emit(r)
	}
	return Scan(ctx, targets, opts, emit)
}

// CollectWith is Collect with known records counted and sorted in with the
// scanned ones.
func CollectWith(ctx context.Context, known []Record, targets []Target, opts Options) ([]Record, Summary, error) {
	recs, sum, err := Collect(ctx, targets, opts)
	if len(known) == 0 {
		return recs, sum, err
	}
	for _, r := range known {
		sum.Add(r)
	}
	recs = append(append(make([]Record, 0, len(known)+len(recs)), known...), recs...)
	Sort(recs)
	return recs, sum, err
}
