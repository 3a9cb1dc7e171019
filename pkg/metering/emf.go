package metering

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"
)

// EMFWriter writes usage as CloudWatch embedded metric format log lines, one
// JSON object per line. Write them to the stdout of a Lambda function or an ECS
// task with the awslogs driver and CloudWatch Logs extracts the metrics; no
// CloudWatch API call is made by the application.
//
// It is safe for concurrent use; each Emit is one Write of one whole line, so
// lines from concurrent goroutines never interleave.
type EMFWriter struct {
	mu  sync.Mutex
	w   io.Writer
	now func() time.Time
}

// NewEMFWriter returns a writer of EMF lines to w.
func NewEMFWriter(w io.Writer) *EMFWriter { return &EMFWriter{w: w, now: time.Now} }

type emfMetric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

type emfDirective struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []emfMetric `json:"Metrics"`
}

type emfMeta struct {
	Timestamp         int64          `json:"Timestamp"`
	CloudWatchMetrics []emfDirective `json:"CloudWatchMetrics"`
}

// EMFLine returns the EMF log line (without the newline) of one usage record.
// Metrics whose value is zero are left out so idle tenants cost no datapoints.
func EMFLine(u Usage, now func() time.Time) ([]byte, error) {
	if err := u.Validate(); err != nil {
		return nil, err
	}
	doc := map[string]any{DimensionTenantID: u.TenantID}
	var ms []emfMetric
	for i, v := range u.values() {
		if v == 0 {
			continue
		}
		ms = append(ms, emfMetric{Name: Metrics[i], Unit: "Count"})
		doc[Metrics[i]] = v
	}
	if len(ms) == 0 {
		return nil, nil
	}
	doc["_aws"] = emfMeta{
		Timestamp: u.at(now).UnixMilli(),
		CloudWatchMetrics: []emfDirective{{
			Namespace:  Namespace,
			Dimensions: [][]string{{DimensionTenantID}},
			Metrics:    ms,
		}},
	}
	return json.Marshal(doc)
}

// Emit writes the usage as one EMF line. A record with every value zero writes
// nothing.
func (e *EMFWriter) Emit(u Usage) error {
	line, err := EMFLine(u, e.now)
	if err != nil || line == nil {
		return err
	}
	line = append(line, '\n')
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.w.Write(line); err != nil {
		return fmt.Errorf("metering: writing EMF line for tenant %s: %w", u.TenantID, err)
	}
	return nil
}
