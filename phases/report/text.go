package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pungo/pungo/repomd"
)

// WriteText writes the difference in the manner of compose-utils'
// compose-changelog: a summary, the image changes, then per variant and
// arch the added, dropped, upgraded and downgraded packages with their
// RPMs, sizes and changelog entries.
func (d *Diff) WriteText(w io.Writer) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "OLD: %s\nNEW: %s\n\n", d.Old.ID, d.New.ID)
	s := d.Summary
	b.WriteString("= SUMMARY =\n")
	rows := [][2]string{
		{"Added images", fmt.Sprint(len(d.Images.Added))},
		{"Dropped images", fmt.Sprint(len(d.Images.Removed))},
		{"Changed images", fmt.Sprint(len(d.Images.Changed))},
		{"Added packages", fmt.Sprint(s.Added)},
		{"Dropped packages", fmt.Sprint(s.Removed)},
		{"Upgraded packages", fmt.Sprint(s.Upgraded)},
		{"Downgraded packages", fmt.Sprint(s.Downgraded)},
		{"Size of added packages", HumanSize(s.AddedSize)},
		{"Size of dropped packages", HumanSize(s.RemovedSize)},
		{"Size change of upgraded packages", SignedSize(s.UpgradedDelta)},
		{"Size change of downgraded packages", SignedSize(s.DowngradedDelta)},
	}
	for _, r := range rows {
		fmt.Fprintf(b, "%-36s %s\n", r[0]+":", r[1])
	}
	for _, sec := range []struct {
		title string
		list  []Image
	}{{"ADDED IMAGES", d.Images.Added}, {"DROPPED IMAGES", d.Images.Removed}} {
		if len(sec.list) == 0 {
			continue
		}
		fmt.Fprintf(b, "\n= %s =\n", sec.title)
		for _, im := range sec.list {
			fmt.Fprintf(b, "Image: %s\nVariant: %s  Arch: %s  Type: %s  Format: %s  Size: %s\n\n",
				im.Path, im.Variant, im.Arch, im.Type, im.Format, HumanSize(im.Size))
		}
	}
	if len(d.Images.Changed) > 0 {
		b.WriteString("\n= CHANGED IMAGES =\n")
		for _, ch := range d.Images.Changed {
			fmt.Fprintf(b, "Image: %s\nOld image: %s\nSize change: %s\n\n", ch.New.Path, ch.Old.Path, SignedSize(ch.New.Size-ch.Old.Size))
		}
	}
	for _, ad := range d.Arches {
		if !ad.Changed() {
			continue
		}
		fmt.Fprintf(b, "\n== %s.%s: %d → %d packages, %s → %s (%s) ==\n\n", ad.Variant, ad.Arch,
			ad.OldPackages, ad.NewPackages, HumanSize(ad.OldSize), HumanSize(ad.NewSize), SignedSize(ad.NewSize-ad.OldSize))
		writeChanges(b, "ADDED PACKAGES", ad.Added, false)
		writeChanges(b, "DROPPED PACKAGES", ad.Removed, false)
		writeChanges(b, "UPGRADED PACKAGES", ad.Upgraded, true)
		writeChanges(b, "DOWNGRADED PACKAGES", ad.Downgraded, true)
	}
	for _, n := range d.Notes {
		fmt.Fprintf(b, "\nnote: %s", n)
	}
	if len(d.Notes) > 0 {
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeChanges(b *strings.Builder, title string, list []*Change, both bool) {
	if len(list) == 0 {
		return
	}
	fmt.Fprintf(b, "= %s =\n", title)
	for _, ch := range list {
		cur, size := ch.New, ch.NewSize
		if cur == "" {
			cur, size = ch.Old, ch.OldSize
		}
		fmt.Fprintf(b, "Package:     %s\n", NVR(cur))
		if both {
			fmt.Fprintf(b, "Old package: %s\n", NVR(ch.Old))
		}
		if ch.Summary != "" {
			fmt.Fprintf(b, "Summary:     %s\n", ch.Summary)
		}
		fmt.Fprintf(b, "RPMs:        %s\n", strings.Join(rpmNames(ch.RPMs), " "))
		fmt.Fprintf(b, "Size:        %s\n", HumanSize(size))
		if both {
			fmt.Fprintf(b, "Size change: %s\n", SignedSize(ch.NewSize-ch.OldSize))
		}
		if len(ch.Changelog) > 0 {
			b.WriteString("Changelog:\n")
			for i, e := range ch.Changelog {
				if i > 0 {
					b.WriteString("\n")
				}
				fmt.Fprintf(b, "  %s\n", e.Header())
				for _, l := range strings.Split(strings.TrimRight(e.Text, "\n"), "\n") {
					fmt.Fprintf(b, "  %s\n", l)
				}
			}
		}
		b.WriteString("\n")
	}
}

// Header is the entry's first line as rpm prints it:
// "* Mon Jan 01 2024 Name <mail> - 1.0-1".
func (e ChangelogEntry) Header() string {
	return "* " + time.Unix(e.Date, 0).UTC().Format("Mon Jan 02 2006") + " " + e.Author
}

// NVR turns a productmd NEVRA ("bash-0:5.1-2.src") into the
// name-[epoch:]version-release people read ("bash-5.1-2").
func NVR(nevra string) string {
	n, err := repomd.ParseNEVRA(nevra)
	if err != nil {
		return nevra
	}
	e := n.EVR
	if e.Epoch == "0" {
		e.Epoch = ""
	}
	return n.Name + "-" + e.String()
}

// rpmNames lists RPM NEVRAs as name.arch, the way compose-changelog names a
// package's RPMs.
func rpmNames(nevras []string) []string {
	out := make([]string, 0, len(nevras))
	for _, s := range nevras {
		if n, err := repomd.ParseNEVRA(s); err == nil {
			out = append(out, n.Name+"."+n.Arch)
		} else {
			out = append(out, s)
		}
	}
	return out
}

// HumanSize renders a byte count with binary units ("1.5 MiB").
func HumanSize(n int64) string {
	neg := n < 0
	if neg {
		n = -n
	}
	s := fmt.Sprintf("%d B", n)
	f := float64(n)
	for _, u := range []string{"KiB", "MiB", "GiB", "TiB"} {
		if f < 1024 {
			break
		}
		f /= 1024
		s = fmt.Sprintf("%.1f %s", f, u)
	}
	if neg {
		return "-" + s
	}
	return s
}

// SignedSize is HumanSize with an explicit sign for changes.
func SignedSize(n int64) string {
	if n > 0 {
		return "+" + HumanSize(n)
	}
	return HumanSize(n)
}
