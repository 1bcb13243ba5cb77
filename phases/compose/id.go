package compose

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/pungo/pungo/phases/config"
	"github.com/pungo/pungo/phases/productmd"
)

// ComposeTypes are the compose types productmd knows, least important first.
var ComposeTypes = []string{"test", "ci", "nightly", "production", "development"}

// TypeSuffix is the part of a compose ID that names the compose type.
func TypeSuffix(composeType string) (string, error) {
	switch composeType {
	case "production":
		return "", nil
	case "nightly":
		return ".n", nil
	case "test":
		return ".t", nil
	case "ci":
		return ".ci", nil
	case "development":
		return ".d", nil
	}
	return "", fmt.Errorf("invalid compose type %q (want one of %s)", composeType, strings.Join(ComposeTypes, ", "))
}

// LabelNames are the milestone names a compose label may start with.
var LabelNames = []string{"DevelPhaseExit", "InternalAlpha", "Alpha", "InternalSnapshot", "Beta",
	"Snapshot", "RC", "Update", "SecurityFix"}

// SupportedMilestones are the label milestones that set the supported flag
// automatically.
var SupportedMilestones = []string{"RC", "Update", "SecurityFix"}

var labelRE = regexp.MustCompile(`^(` + strings.Join(LabelNames, "|") + `)-\d+\.\d+$`)

// VerifyLabel checks a compose label such as "Beta-1.2" or "RC-1.0".
func VerifyLabel(label string) error {
	if label == "" || labelRE.MatchString(label) {
		return nil
	}
	return fmt.Errorf("Label in unknown format: %s (want MILESTONE-X.Y, milestone one of %s)",
		label, strings.Join(LabelNames, ", "))
}

// ReleaseTypes are productmd's release types.
var ReleaseTypes = []string{"fast", "ga", "updates", "updates-testing", "eus", "aus", "els", "tus", "e4s"}

var releaseVersionRE = regexp.MustCompile(`^([^0-9].*|\d+(\.\d+)*)$`)

// Info is a compose's identity: the composeinfo without variants, as Pungi
// keeps it in work/global/composeinfo-base.json.
type Info = productmd.ComposeInfo

// NewInfo builds the identity of a new compose from the configuration, as
// Pungi's get_compose_info does. date "" means today (local time).
func NewInfo(conf *config.Config, composeType, date string, respin int, label string) (*Info, error) {
	ci := &Info{}
	for _, k := range []string{"release_name", "release_short", "release_version"} {
		if s, _ := StringOpt(conf, k); s == "" {
			return nil, fmt.Errorf("config: %s is required", k)
		}
	}
	ci.Release.Name, _ = StringOpt(conf, "release_name")
	ci.Release.Short, _ = StringOpt(conf, "release_short")
	ci.Release.Version, _ = StringOpt(conf, "release_version")
	rt, ok := StringOpt(conf, "release_type")
	if !ok || rt == "" {
		rt = "ga"
	}
	ci.Release.Type = strings.ToLower(rt)
	ci.Release.Internal = conf.Bool("release_internal")
	if bp, _ := StringOpt(conf, "base_product_name"); bp != "" {
		ci.Release.IsLayered = true
		b := productmd.Release{Name: bp}
		b.Short, _ = StringOpt(conf, "base_product_short")
		b.Version, _ = StringOpt(conf, "base_product_version")
		bt, ok := StringOpt(conf, "base_product_type")
		if !ok || bt == "" {
			bt = "ga"
		}
		b.Type = strings.ToLower(bt)
		if b.Short == "" || b.Version == "" {
			return nil, fmt.Errorf("config: base_product_name is set, so base_product_short and base_product_version are required")
		}
		if err := checkRelease("base_product", b); err != nil {
			return nil, err
		}
		ci.BaseProduct = &b
	}
	if err := checkRelease("release", ci.Release); err != nil {
		return nil, err
	}
	if _, err := TypeSuffix(composeType); err != nil {
		return nil, err
	}
	if err := VerifyLabel(label); err != nil {
		return nil, err
	}
	if date == "" {
		date = time.Now().Format("20060102")
	}
	if !regexp.MustCompile(`^\d{8}$`).MatchString(date) {
		return nil, fmt.Errorf("compose date %q is not YYYYMMDD", date)
	}
	ci.Compose = productmd.ComposeSection{Type: composeType, Date: date, Respin: respin, Label: label}
	ci.Compose.ID = CreateID(ci)
	return ci, nil
}

func checkRelease(section string, r productmd.Release) error {
	if !releaseVersionRE.MatchString(r.Version) {
		return fmt.Errorf("config: %s version %q is neither dotted numbers nor a non-numeric string", section, r.Version)
	}
	for _, t := range ReleaseTypes {
		if r.Type == t {
			return nil
		}
	}
	return fmt.Errorf("config: %s type %q is not one of %s", section, r.Type, strings.Join(ReleaseTypes, ", "))
}

// CreateID renders the compose ID productmd's create_compose_id gives:
// SHORT-VERSION[-TYPE][-BASESHORT-BASEVERSION[-BASETYPE]]-DATE[SUFFIX].RESPIN.
func CreateID(ci *Info) string {
	var b strings.Builder
	b.WriteString(ci.Release.Short + "-" + ci.Release.Version + releaseTypeSuffix(ci.Release.Type))
	if ci.Release.IsLayered && ci.BaseProduct != nil {
		b.WriteString("-" + ci.BaseProduct.Short + "-" + ci.BaseProduct.Version + releaseTypeSuffix(ci.BaseProduct.Type))
	}
	suffix, _ := TypeSuffix(ci.Compose.Type)
	fmt.Fprintf(&b, "-%s%s.%d", ci.Compose.Date, suffix, ci.Compose.Respin)
	return b.String()
}

func releaseTypeSuffix(t string) string {
	if t == "" || strings.EqualFold(t, "ga") {
		return ""
	}
	return "-" + strings.ToLower(t)
}

// LabelMajorVersion is the label without its minor version: Beta-1.2 → Beta-1.
func LabelMajorVersion(label string) string {
	if label == "" {
		return ""
	}
	if i := strings.LastIndex(label, "."); i >= 0 {
		return label[:i]
	}
	return label
}

// LatestLinkName is the name of the latest-… symlink Pungi creates beside
// the compose directory. components is --latest-link-components (-1 by
// default: all version parts but the last; 0: no version).
func LatestLinkName(ci *Info, components int) string {
	name := "latest-" + ci.Release.Short
	if components != 0 {
		hunks := strings.Split(ci.Release.Version, ".")
		n := components
		if n > 0 {
			n = min(len(hunks), n)
		} else {
			n = max(1, len(hunks)+n)
		}
		name += "-" + strings.Join(hunks[:n], ".")
	}
	if ci.Release.IsLayered && ci.BaseProduct != nil {
		name += "-" + ci.BaseProduct.Short + "-" + ci.BaseProduct.Version
	}
	return name
}

// ImageRelease is the release Pungi gives Koji image builds of the
// compose ci: the label's version, or DATE[SUFFIX].RESPIN.
func ImageRelease(ci *Info) string {
	if l := ci.Compose.Label; l != "" {
		if i := strings.Index(l, "-"); i >= 0 {
			return l[i+1:]
		}
	}
	suffix, _ := TypeSuffix(ci.Compose.Type)
	return fmt.Sprintf("%s%s.%d", ci.Compose.Date, suffix, ci.Compose.Respin)
}

// ImageVersion is the release version of the compose ci, with the label's
// milestone appended for labels other than RC ("40_Beta").
func ImageVersion(ci *Info) string {
	v := ci.Release.Version
	if l := ci.Compose.Label; l != "" && !strings.HasPrefix(l, "RC-") {
		return v + "_" + strings.SplitN(l, "-", 2)[0]
	}
	return v
}
