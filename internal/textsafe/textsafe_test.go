package textsafe

import "testing"

func TestEscape(t *testing.T) {
	cases := map[string]string{
		"acme-corp":              "acme-corp",
		"Zürich café":            "Zürich café",
		"line\nbreak":            `line\nbreak`,
		"tab\there":              `tab\there`,
		"\x1b[2J\x1b[Hok":        `\x1b[2J\x1b[Hok`,
		"::error::x\r::notice::": `::error::x\r::notice::`,
		"evil\u202etxt.yaml":     `evil\u202etxt.yaml`,
		"zero\u200bwidth":        `zero\u200bwidth`,
		"del\x7f":                `del\x7f`,
		"c1\u0085":               `c1\u0085`,
		"bad\xffbyte":            `bad\xffbyte`,
		"literal \uFFFD kept":    "literal \uFFFD kept",
	}
	for in, want := range cases {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEscapeCleanDoesNotAllocate(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _ = Escape("acme-corp: 14 resources") }); n != 0 {
		t.Errorf("Escape of clean text allocates %v times", n)
	}
}
