// Package textsafe makes untrusted text safe to print on a terminal or in a
// report. Tenant ids, file names, tag values and engine messages come from
// files anyone can commit; a control character in one of them could move the
// cursor, rewrite a line a reviewer trusts, or forge a GitHub workflow command.
// Every text report escapes such values through Escape before printing them.
package textsafe

import (
	"strconv"
	"strings"
	"unicode"
)

// Escape returns s with every control character (C0, DEL, C1), every Unicode
// format character that can reorder or hide text (bidirectional overrides and
// isolates, zero-width characters) and every invalid UTF-8 byte replaced by a
// Go escape sequence (\n, \x1b, \u202e, …). Printable text, including
// non-ASCII letters, is kept as it is, so ordinary values print unchanged.
func Escape(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i, r := range s {
		switch {
		case r == unicode.ReplacementChar && isInvalidAt(s, i):
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(s[i]), 16))
		case unsafe(r):
			q := strconv.QuoteRuneToASCII(r) // 'x' with its escape inside
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// clean reports whether s needs no escaping, without allocating.
func clean(s string) bool {
	for i, r := range s {
		if unsafe(r) || (r == unicode.ReplacementChar && isInvalidAt(s, i)) {
			return false
		}
	}
	return true
}

// unsafe reports whether r must not reach a terminal or report as it is.
func unsafe(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

// isInvalidAt reports whether the rune decoded at s[i] stands for an invalid byte
// rather than a literal U+FFFD in the text.
func isInvalidAt(s string, i int) bool {
	return !strings.HasPrefix(s[i:], "\uFFFD")
}
