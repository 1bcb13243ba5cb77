// Package report owns what a person reads about finished composes: the
// difference between two composes (packages added, removed, upgraded and
// downgraded per variant and arch, with the RPM changelog entries in
// between, size deltas and image changes), rendered as text in the manner of
// compose-utils' compose-changelog, as JSON for scripts, and as one
// self-contained HTML page with SVG charts. The compose report written into
// logs/global/ of every compose is the same page plus a phase timeline and
// the failed deliverables.
//
// It reads only what a finished compose publishes: compose/metadata
// (composeinfo.json, rpms.json, images.json) and the variant repositories'
// primary and other metadata.
package report
