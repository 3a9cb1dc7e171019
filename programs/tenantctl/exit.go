package main

import (
	"errors"
	"strings"
)

// Exit codes of tenantctl, documented in the README.
const (
	// ExitOK: the command did what was asked.
	ExitOK = 0
	// ExitInvalid: the input (tenant files, settings, a journal) is invalid, or an
	// operation on the fleet failed.
	ExitInvalid = 1
	// ExitUsage: the command line itself is wrong (unknown flag, missing argument).
	ExitUsage = 2
)

// exitError carries an exit code out of a command. silent marks errors that the
// command already printed in full (e.g. a validation report), so run does not
// print them twice.
type exitError struct {
	code   int
	err    error
	silent bool
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// withCode wraps err with an exit code.
func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: code, err: err}
}

// reported wraps err with an exit code; the command has printed it already.
func reported(code int, err error) error {
	return &exitError{code: code, err: err, silent: true}
}

// usageError is a command-line mistake: exit code 2.
func usageError(err error) error { return withCode(ExitUsage, err) }

func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	// cobra's own argument and flag errors are usage errors.
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument", "accepts ", "requires at least", "requires at most", "required flag"} {
		if strings.Contains(msg, p) {
			return ExitUsage
		}
	}
	return ExitInvalid
}

func isSilent(err error) bool {
	var ee *exitError
	return errors.As(err, &ee) && ee.silent
}
