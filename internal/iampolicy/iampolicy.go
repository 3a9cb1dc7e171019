// Package iampolicy holds IAM policy documents as Go values, so that the models
// and the account baseline build them with types rather than string templates,
// and tests read them back.
package iampolicy

import (
	"encoding/json"
	"fmt"
)

// Version is the IAM policy language version.
const Version = "2012-10-17"

// Document is an IAM (or SCP) policy document.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement of a document. Action, NotAction and Resource are
// always lists; Principal and Condition keep IAM's own shapes. A statement has
// either Action or NotAction.
type Statement struct {
	Sid       string                    `json:"Sid,omitempty"`
	Effect    string                    `json:"Effect"`
	Principal map[string]any            `json:"Principal,omitempty"`
	Action    []string                  `json:"Action,omitempty"`
	NotAction []string                  `json:"NotAction,omitempty"`
	Resource  []string                  `json:"Resource,omitempty"`
	Condition map[string]map[string]any `json:"Condition,omitempty"`
}

// JSON is the document's JSON text.
func (d Document) JSON() (string, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("iam policy: %w", err)
	}
	return string(b), nil
}

// Parse reads a document. Action and Resource given as a single string are
// accepted, as IAM accepts them.
func Parse(text string) (Document, error) {
	var raw struct {
		Version   string `json:"Version"`
		Statement []struct {
			Sid       string                    `json:"Sid"`
			Effect    string                    `json:"Effect"`
			Principal map[string]any            `json:"Principal"`
			Action    json.RawMessage           `json:"Action"`
			NotAction json.RawMessage           `json:"NotAction"`
			Resource  json.RawMessage           `json:"Resource"`
			Condition map[string]map[string]any `json:"Condition"`
		} `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		return Document{}, fmt.Errorf("iam policy: %w", err)
	}
	d := Document{Version: raw.Version}
	for _, s := range raw.Statement {
		st := Statement{Sid: s.Sid, Effect: s.Effect, Principal: s.Principal, Condition: s.Condition}
		var err error
		if st.Action, err = stringOrList(s.Action); err != nil {
			return Document{}, fmt.Errorf("iam policy: statement %q Action: %w", s.Sid, err)
		}
		if st.NotAction, err = stringOrList(s.NotAction); err != nil {
			return Document{}, fmt.Errorf("iam policy: statement %q NotAction: %w", s.Sid, err)
		}
		if st.Resource, err = stringOrList(s.Resource); err != nil {
			return Document{}, fmt.Errorf("iam policy: statement %q Resource: %w", s.Sid, err)
		}
		d.Statement = append(d.Statement, st)
	}
	return d, nil
}

func stringOrList(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, err
	}
	return many, nil
}

// AssumedBy is a trust policy letting a service assume a role.
func AssumedBy(service string) Document {
	return Document{Version: Version, Statement: []Statement{{
		Effect:    "Allow",
		Principal: map[string]any{"Service": service},
		Action:    []string{"sts:AssumeRole"},
	}}}
}
