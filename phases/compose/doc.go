// Package compose owns a compose run as Pungi's pungi-koji performs it: the
// compose identity (compose ID, labels, respins), the directory layout
// (compose/, work/, logs/ exactly as pungi.paths), STATUS and
// logs/global/deliverables.json, the log, the notifications sent to
// --notification-script programs, the live progress display, the phase
// schedule with its parallel groups, and the bookkeeping phases share.
//
// Each concern has its own type and file, usable without a whole
// compose: StatusFile and NextStatus (status.go, Pungi's write_status
// rule), KojiTaskRecords (kojitasks.go), Paths with TranslatePath,
// ResolvePath and ConfigDir (paths.go), ImageRelease and ImageVersion of
// a compose identity (id.go), Logger (log.go), TaskRunner (tasks.go),
// Deliverables (deliverables.go), the phase checks (validate.go). The
// Compose ties them together for one run.
//
// # Plugging in a phase
//
// A phase is any type with
//
//	Name() string
//	Skip(c *Compose) bool                      // phase-specific reasons only
//	Run(ctx context.Context, c *Compose) error // stop when ctx is cancelled
//
// and optionally Validate(c *Compose, f *Findings), which checks the
// configuration and variants only (`pungo config validate` runs the same
// method, offline, on a compose from ForValidation), and
// CheckHost(c *Compose) error for what the host must have (tools on
// PATH), which only the compose checks. phases/pipeline builds one
// instance of every phase for a run, under its Pungi name, and hands each
// the typed results of the phases it depends on (the buildinstall phase's
// *bootmedia.Result to createiso, extra_isos and the tree metadata step),
// as pungi-koji's main wires its phase objects. The runner places each
// name where Pungi does (see Schedule): buildinstall runs in parallel
// with gather→createrepo; createiso, extra_isos, image_build, live_media,
// osbuild and kiwibuild run in parallel after the tree metadata is
// written, image_checksum and image_container after them, osbs and
// repoclosure alongside. --skip-phase, --just-phase and skip_phases are
// applied by the runner; init never skips.
//
// Per variant.arch work goes through c.RunTasks so the progress
// display shows it. A deliverable that may fail (failable_deliverables) is
// wrapped in c.Failable(variant, arch, kind, subvariant, fn): its failure
// is logged and recorded and the compose ends FINISHED_INCOMPLETE. Koji
// task IDs are recorded with c.KojiTasks.Record; c.OnTerminate registers
// what to do (cancel them) when the compose is killed by SIGINT/SIGTERM.
// Temporary files go under c.MkdirTemp (work/<arch>/tmp…), never /tmp.
package compose
