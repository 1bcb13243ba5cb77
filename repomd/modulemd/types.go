// Package modulemd owns the modularity metadata formats a compose reads and
// writes: modulemd v2 streams (and the packager v2/v3 documents that feed
// module builds), modulemd-defaults v1, modulemd-obsoletes v1 and
// modulemd-translations v1, as libmodulemd's ModuleIndex knows them. It
// reads and writes them through a YAML library (go.yaml.in/yaml/v3), never by
// splitting lines, so any valid YAML layout reads the same; it merges
// indexes by libmodulemd's ModuleIndexMerger rules (Merge, Merger); and it
// parses and matches artifacts ("name-epoch:version-release.arch").
//
// The types mirror the YAML schema in libmodulemd's yaml_specs (field names
// are the spec's keys); data that no compose step interprets (xmd) is kept as
// a YAML node so that re-emitting a document loses nothing.
package modulemd

import (
	"go.yaml.in/yaml/v3"
)

// Document kinds as they appear in a document's "document:" key.
const (
	KindStream       = "modulemd"
	KindDefaults     = "modulemd-defaults"
	KindObsoletes    = "modulemd-obsoletes"
	KindTranslations = "modulemd-translations"
	KindPackager     = "modulemd-packager"
)

// Stream is one modulemd v2 document: a built module stream (name, stream,
// version, context, arch) with its profiles and artifacts. A packager v2
// document has the same shape without the build fields.
type Stream struct {
	Name          string                  `yaml:"name,omitempty"`
	Stream        string                  `yaml:"stream,omitempty"`
	Version       uint64                  `yaml:"version,omitempty"`
	StaticContext bool                    `yaml:"static_context,omitempty"`
	Context       string                  `yaml:"context,omitempty"`
	Arch          string                  `yaml:"arch,omitempty"`
	Summary       string                  `yaml:"summary,omitempty"`
	Description   string                  `yaml:"description,omitempty"`
	ServiceLevels map[string]ServiceLevel `yaml:"servicelevels,omitempty"`
	License       *License                `yaml:"license,omitempty"`
	XMD           yaml.Node               `yaml:"xmd,omitempty"`
	Dependencies  []Dependencies          `yaml:"dependencies,omitempty"`
	References    *References             `yaml:"references,omitempty"`
	Profiles      map[string]*Profile     `yaml:"profiles,omitempty"`
	API           *RPMList                `yaml:"api,omitempty"`
	Filter        *RPMList                `yaml:"filter,omitempty"`
	Demodularized *RPMList                `yaml:"demodularized,omitempty"`
	BuildOpts     *BuildOpts              `yaml:"buildopts,omitempty"`
	Components    *Components             `yaml:"components,omitempty"`
	Artifacts     *Artifacts              `yaml:"artifacts,omitempty"`

	// MdVersion is the document's "version:" (2 for streams and packager v2).
	MdVersion int `yaml:"-"`
}

// ServiceLevel is one entry of data.servicelevels.
type ServiceLevel struct {
	EOL string `yaml:"eol,omitempty"`
}

// License lists the module's own and its content's licenses.
type License struct {
	Module  []string `yaml:"module,omitempty"`
	Content []string `yaml:"content,omitempty"`
}

// Dependencies is one alternative of data.dependencies: module name →
// streams ("-x" excludes x, an empty list means any).
type Dependencies struct {
	BuildRequires map[string][]string `yaml:"buildrequires,omitempty"`
	Requires      map[string][]string `yaml:"requires,omitempty"`
}

// References are the module's upstream links.
type References struct {
	Community     string `yaml:"community,omitempty"`
	Documentation string `yaml:"documentation,omitempty"`
	Tracker       string `yaml:"tracker,omitempty"`
}

// Profile is a named package set of a stream ("dnf module install m:s/p").
type Profile struct {
	Description string   `yaml:"description,omitempty"`
	RPMs        []string `yaml:"rpms,omitempty"`
	Default     bool     `yaml:"default,omitempty"` // packager v3 only
}

// RPMList is the {rpms: [...]} shape of api, filter and demodularized.
type RPMList struct {
	RPMs []string `yaml:"rpms,omitempty"`
}

// BuildOpts are the build options of a stream.
type BuildOpts struct {
	RPMs   *RPMBuildOpts `yaml:"rpms,omitempty"`
	Arches []string      `yaml:"arches,omitempty"`
}

// RPMBuildOpts are the RPM macros and whitelist of a build.
type RPMBuildOpts struct {
	Macros    string   `yaml:"macros,omitempty"`
	Whitelist []string `yaml:"whitelist,omitempty"`
}

// Components are the sources a stream is built from.
type Components struct {
	RPMs    map[string]*RPMComponent    `yaml:"rpms,omitempty"`
	Modules map[string]*ModuleComponent `yaml:"modules,omitempty"`
}

// RPMComponent is one RPM source package of a stream.
type RPMComponent struct {
	Name          string   `yaml:"name,omitempty"`
	Rationale     string   `yaml:"rationale,omitempty"`
	Repository    string   `yaml:"repository,omitempty"`
	Cache         string   `yaml:"cache,omitempty"`
	Ref           string   `yaml:"ref,omitempty"`
	BuildOnly     bool     `yaml:"buildonly,omitempty"`
	Buildroot     bool     `yaml:"buildroot,omitempty"`
	SRPMBuildroot bool     `yaml:"srpm-buildroot,omitempty"`
	BuildOrder    int64    `yaml:"buildorder,omitempty"`
	BuildAfter    []string `yaml:"buildafter,omitempty"`
	Arches        []string `yaml:"arches,omitempty"`
	Multilib      []string `yaml:"multilib,omitempty"`
}

// ModuleComponent is one module included in a stream.
type ModuleComponent struct {
	Rationale  string `yaml:"rationale,omitempty"`
	Repository string `yaml:"repository,omitempty"`
	Ref        string `yaml:"ref,omitempty"`
	BuildOrder int64  `yaml:"buildorder,omitempty"`
}

// Artifacts are the built packages of a stream.
type Artifacts struct {
	RPMs   []string                           `yaml:"rpms,omitempty"`
	RPMMap map[string]map[string]*RPMMapEntry `yaml:"rpm-map,omitempty"`
}

// RPMMapEntry is one entry of artifacts.rpm-map (digest → checksum → NEVRA).
type RPMMapEntry struct {
	Name    string `yaml:"name"`
	Epoch   uint64 `yaml:"epoch"`
	Version string `yaml:"version"`
	Release string `yaml:"release"`
	Arch    string `yaml:"arch"`
	NEVRA   string `yaml:"nevra,omitempty"`
}

// Defaults is a modulemd-defaults v1 document.
type Defaults struct {
	Module   string              `yaml:"module"`
	Modified uint64              `yaml:"modified,omitempty"`
	Stream   string              `yaml:"stream,omitempty"`
	Profiles map[string][]string `yaml:"profiles,omitempty"`
	Intents  map[string]*Intent  `yaml:"intents,omitempty"`
}

// Intent is a system intent's defaults in a modulemd-defaults document.
type Intent struct {
	Stream   string              `yaml:"stream,omitempty"`
	Profiles map[string][]string `yaml:"profiles,omitempty"`
}

// Obsoletes is a modulemd-obsoletes v1 document.
type Obsoletes struct {
	Modified    string       `yaml:"modified"`
	Reset       bool         `yaml:"reset,omitempty"`
	Module      string       `yaml:"module"`
	Stream      string       `yaml:"stream"`
	Context     string       `yaml:"context,omitempty"`
	EOLDate     string       `yaml:"eol_date,omitempty"`
	Message     string       `yaml:"message"`
	ObsoletedBy *ObsoletedBy `yaml:"obsoleted_by,omitempty"`
}

// ObsoletedBy names the stream that replaces an obsoleted one.
type ObsoletedBy struct {
	Module string `yaml:"module"`
	Stream string `yaml:"stream"`
}

// Translations is a modulemd-translations v1 document.
type Translations struct {
	Module       string                       `yaml:"module"`
	Stream       string                       `yaml:"stream"`
	Modified     uint64                       `yaml:"modified"`
	Translations map[string]*TranslationEntry `yaml:"translations,omitempty"`
}

// TranslationEntry is one locale's strings.
type TranslationEntry struct {
	Summary     string            `yaml:"summary,omitempty"`
	Description string            `yaml:"description,omitempty"`
	Profiles    map[string]string `yaml:"profiles,omitempty"`
}

// PackagerV3 is a modulemd-packager v3 document: what a packager writes to
// build a module; builds turn each configuration into a Stream.
type PackagerV3 struct {
	Name           string              `yaml:"name,omitempty"`
	Stream         string              `yaml:"stream,omitempty"`
	Summary        string              `yaml:"summary"`
	Description    string              `yaml:"description"`
	License        []string            `yaml:"license"`
	XMD            yaml.Node           `yaml:"xmd,omitempty"`
	Configurations []*Configuration    `yaml:"configurations,omitempty"`
	References     *References         `yaml:"references,omitempty"`
	Profiles       map[string]*Profile `yaml:"profiles,omitempty"`
	API            *RPMList            `yaml:"api,omitempty"`
	Filter         *RPMList            `yaml:"filter,omitempty"`
	Demodularized  *RPMList            `yaml:"demodularized,omitempty"`
	Components     *Components         `yaml:"components,omitempty"`
}

// Configuration is one build configuration of a packager v3 document.
type Configuration struct {
	Context       string              `yaml:"context"`
	Platform      string              `yaml:"platform"`
	BuildRequires map[string][]string `yaml:"buildrequires,omitempty"`
	Requires      map[string][]string `yaml:"requires,omitempty"`
	BuildOpts     *BuildOpts          `yaml:"buildopts,omitempty"`
}
