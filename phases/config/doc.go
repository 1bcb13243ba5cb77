// Package config owns Pungi compose configuration: loading kobo-format
// (.conf) and JSON configs with -e overrides, Pungi's option schema with its
// defaults, validation like pungi-config-validate, and the lookups phases
// make (typed getters, per variant/arch option data).
//
// Values are string, int64, float64, bool, nil, []any (list), Tuple (tuple)
// and map[string]any (dict; non-string keys rendered as JSON renders them:
// 1 → "1", True → "true", None → "null"). Dict key order is kept aside
// (DictKeys), because Pungi's lookups follow it.
//
// The reader is package kobo; validation follows pungi/checks.py
// (make_schema, CONFIG_DEPS, the alias/append/deprecated hooks) and
// Pungi's skip-phase rules. The phases' own checks (Pungi's phase
// validate() methods) are the phases' Validate, which phases/pipeline.Validate
// runs after Check for `pungo config validate`. Where pungo knowingly
// differs:
//
//   - The tokenizer follows Python 3.12+'s tokenize module, as current
//     Pungi hosts run it: f-strings and inconsistent tab indentation are
//     errors, decimal literals with leading zeros are read, any non-ASCII
//     character is a name character (older Pythons differ on each).
//   - Integers are 64-bit; larger literals are reported, not read.
//   - Variant regexes are read and matched by package pyre, which follows
//     Python's re (look-around, back-references, conditionals included);
//     \N{NAME} escapes are refused, and a match that needs more than a
//     quarter million backtracking steps counts as no match.
//   - A requirement (cts_url needs translate_paths, ...) is met only by an
//     option the config sets; Pungi also counts schema defaults, which makes
//     cts_url's requirement unreachable there.
//   - Keys of dicts written by variantDict options (live_media, image_build,
//     gather_method, ...) are checked to be valid regular expressions;
//     Pungi's schema cannot express that and fails later at run time.
//   - Messages of schema errors follow jsonschema 4's wording; aliases and
//     appended options warn without dumping the whole object.
package config
