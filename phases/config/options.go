package config

// Options returns Pungi's top-level options in name order.
func Options() []Option { return optionList }

var optionList []Option

func aliasesOf(name string) []string { return nil }

// Validate checks c against Pungi's option schema and rules.
func Validate(c *Config) (errs []Diagnostic, warns []Diagnostic) { return nil, nil }
