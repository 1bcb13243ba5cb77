package koji

import (
	"context"
	"fmt"
	"time"
)

// Tag is getTag's answer.
type Tag struct {
	ID     int64          `koji:"id"`
	Name   string         `koji:"name"`
	Arches string         `koji:"arches"` // space-separated, may be empty
	Locked bool           `koji:"locked"`
	Perm   string         `koji:"perm"`
	Extra  map[string]any `koji:"extra"`
}

// InheritanceLink is one entry of getFullInheritance: ParentID is
// inherited by ChildID at CurrDepth, in Koji's order (depth first by
// priority).
type InheritanceLink struct {
	ChildID      int64  `koji:"child_id"`
	ParentID     int64  `koji:"parent_id"`
	Name         string `koji:"name"`
	Priority     int    `koji:"priority"`
	MaxDepth     *int   `koji:"maxdepth"`
	Intransitive bool   `koji:"intransitive"`
	NoConfig     bool   `koji:"noconfig"`
	PkgFilter    string `koji:"pkg_filter"`
	CurrDepth    int    `koji:"currdepth"`
}

// Build is a build as listTagged and getBuild describe it.
type Build struct {
	ID              int64          `koji:"build_id"`
	PackageID       int64          `koji:"package_id"`
	PackageName     string         `koji:"package_name"`
	Name            string         `koji:"name"`
	Version         string         `koji:"version"`
	Release         string         `koji:"release"`
	Epoch           *int64         `koji:"epoch"`
	NVR             string         `koji:"nvr"`
	State           int            `koji:"state"`
	OwnerName       string         `koji:"owner_name"`
	VolumeName      string         `koji:"volume_name"`
	CreationEventID int64          `koji:"creation_event_id"`
	TaskID          *int64         `koji:"task_id"`
	TagID           int64          `koji:"tag_id"`
	TagName         string         `koji:"tag_name"`
	Extra           map[string]any `koji:"extra"`
	CompletionTS    float64        `koji:"completion_ts"`
}

// RPM is one rpm of a build (listRPMs, listTaggedRPMS).
type RPM struct {
	ID               int64  `koji:"id"`
	BuildID          int64  `koji:"build_id"`
	Name             string `koji:"name"`
	Version          string `koji:"version"`
	Release          string `koji:"release"`
	Epoch            *int64 `koji:"epoch"`
	Arch             string `koji:"arch"`
	Size             int64  `koji:"size"`
	PayloadHash      string `koji:"payloadhash"`
	BuildrootID      *int64 `koji:"buildroot_id"`
	ExternalRepoID   int64  `koji:"external_repo_id"`
	ExternalRepoName string `koji:"external_repo_name"`
	Sigkey           string `koji:"sigkey"` // only with rpmsigs
}

// Event is a point in the hub's history.
type Event struct {
	ID int64   `koji:"id"`
	TS float64 `koji:"ts"`
}

// Time is the event's wall-clock time.
func (e Event) Time() time.Time {
	return time.Unix(int64(e.TS), int64((e.TS-float64(int64(e.TS)))*1e9)).UTC()
}

// Build states (koji.BUILD_STATES).
const (
	BuildBuilding = 0
	BuildComplete = 1
	BuildDeleted  = 2
	BuildFailed   = 3
	BuildCanceled = 4
)

func eventKW(kw KW, event *int64) KW {
	if event != nil {
		kw["event"] = *event
	}
	return kw
}

// GetTag returns the tag (name or ID) as of event (nil: now). A missing tag
// is a GenericError fault, as with strict=True.
func (c *Client) GetTag(ctx context.Context, tag any, event *int64) (*Tag, error) {
	v, err := c.Call(ctx, "getTag", tag, eventKW(KW{"strict": true}, event))
	if err != nil {
		return nil, fmt.Errorf("koji getTag %v: %w", tag, err)
	}
	var t Tag
	return &t, Decode(v, &t)
}

// GetFullInheritance returns the tag's ancestry as of event.
func (c *Client) GetFullInheritance(ctx context.Context, tag any, event *int64) ([]InheritanceLink, error) {
	v, err := c.Call(ctx, "getFullInheritance", tag, eventKW(KW{}, event))
	if err != nil {
		return nil, fmt.Errorf("koji getFullInheritance %v: %w", tag, err)
	}
	var out []InheritanceLink
	return out, Decode(v, &out)
}

// ListTaggedOpts are listTagged's/listTaggedRPMS's keyword arguments.
type ListTaggedOpts struct {
	Event   *int64
	Inherit bool
	Latest  bool
	Package string
	Type    string
	Arches  []string // listTaggedRPMS only
	RPMSigs bool     // listTaggedRPMS only
}

func (o ListTaggedOpts) kw(rpms bool) KW {
	kw := eventKW(KW{}, o.Event)
	if o.Inherit {
		kw["inherit"] = true
	}
	if o.Latest {
		kw["latest"] = true
	}
	if o.Package != "" {
		kw["package"] = o.Package
	}
	if o.Type != "" {
		kw["type"] = o.Type
	}
	if rpms && len(o.Arches) > 0 {
		kw["arch"] = o.Arches
	}
	if rpms && o.RPMSigs {
		kw["rpmsigs"] = true
	}
	return kw
}

// ListTagged returns the builds in a tag.
func (c *Client) ListTagged(ctx context.Context, tag any, o ListTaggedOpts) ([]Build, error) {
	v, err := c.Call(ctx, "listTagged", tag, o.kw(false))
	if err != nil {
		return nil, fmt.Errorf("koji listTagged %v: %w", tag, err)
	}
	var out []Build
	return out, Decode(v, &out)
}

// ListTaggedRPMs returns the rpms and builds in a tag in one call.
func (c *Client) ListTaggedRPMs(ctx context.Context, tag any, o ListTaggedOpts) ([]RPM, []Build, error) {
	v, err := c.Call(ctx, "listTaggedRPMS", tag, o.kw(true))
	if err != nil {
		return nil, nil, fmt.Errorf("koji listTaggedRPMS %v: %w", tag, err)
	}
	pair, ok := v.([]any)
	if !ok || len(pair) != 2 {
		return nil, nil, fmt.Errorf("koji listTaggedRPMS %v: expected [rpms, builds], hub sent %T", tag, v)
	}
	var rpms []RPM
	var builds []Build
	if err := Decode(pair[0], &rpms); err != nil {
		return nil, nil, err
	}
	return rpms, builds, Decode(pair[1], &builds)
}

// ListRPMs returns the rpms of a build, optionally only those of arches.
func (c *Client) ListRPMs(ctx context.Context, buildID int64, arches []string) ([]RPM, error) {
	kw := KW{"buildID": buildID}
	if len(arches) > 0 {
		kw["arches"] = arches
	}
	v, err := c.Call(ctx, "listRPMs", kw)
	if err != nil {
		return nil, fmt.Errorf("koji listRPMs build %d: %w", buildID, err)
	}
	var out []RPM
	return out, Decode(v, &out)
}

// GetBuild returns a build by ID or NVR; nil without error when the hub
// has no such build (strict=False).
func (c *Client) GetBuild(ctx context.Context, build any) (*Build, error) {
	v, err := c.Call(ctx, "getBuild", build)
	if err != nil {
		return nil, fmt.Errorf("koji getBuild %v: %w", build, err)
	}
	if v == nil {
		return nil, nil
	}
	var b Build
	return &b, Decode(v, &b)
}

// GetLastEvent returns the hub's newest event.
func (c *Client) GetLastEvent(ctx context.Context) (Event, error) {
	var e Event
	v, err := c.Call(ctx, "getLastEvent")
	if err != nil {
		return e, fmt.Errorf("koji getLastEvent: %w", err)
	}
	return e, Decode(v, &e)
}

// GetEvent returns one event; an unknown ID is a fault.
func (c *Client) GetEvent(ctx context.Context, id int64) (Event, error) {
	var e Event
	v, err := c.Call(ctx, "getEvent", id)
	if err != nil {
		return e, fmt.Errorf("koji getEvent %d: %w", id, err)
	}
	if v == nil {
		return e, fmt.Errorf("koji getEvent %d: no such event", id)
	}
	return e, Decode(v, &e)
}

// Archive is one archive of a build (listArchives).
type Archive struct {
	ID       int64  `koji:"id"`
	BuildID  int64  `koji:"build_id"`
	Filename string `koji:"filename"`
	BType    string `koji:"btype"`
	TypeName string `koji:"type_name"`
	Size     int64  `koji:"size"`
}

// ListArchives returns a build's archives of one build type ("" for all).
func (c *Client) ListArchives(ctx context.Context, buildID int64, btype string) ([]Archive, error) {
	kw := KW{"buildID": buildID}
	if btype != "" {
		kw["type"] = btype
	}
	v, err := c.Call(ctx, "listArchives", kw)
	if err != nil {
		return nil, fmt.Errorf("koji listArchives build %d: %w", buildID, err)
	}
	var out []Archive
	return out, Decode(v, &out)
}

// SearchResult is one match of search: the object's ID and name (a
// build's NVR).
type SearchResult struct {
	ID   int64  `koji:"id"`
	Name string `koji:"name"`
}

// SearchBuilds is search(terms, "build", matchType): builds whose NVR
// matches terms ("glob", "regexp" or "exact").
func (c *Client) SearchBuilds(ctx context.Context, terms, matchType string) ([]SearchResult, error) {
	v, err := c.Call(ctx, "search", terms, "build", matchType)
	if err != nil {
		return nil, fmt.Errorf("koji search %q: %w", terms, err)
	}
	var out []SearchResult
	return out, Decode(v, &out)
}
